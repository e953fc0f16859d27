// sto sign: signs the contract of an agreement for one or more tekenbevoegden, one revision each.
// The workflow (issue 5) signs from the web page; this command is the same act for scripts,
// demos and benchmarks.
#include <filesystem>
#include <iostream>

#include "command.h"
#include "sto/atomic_file.h"
#include "sto/pades.h"
#include "sto/render.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto sign OVEREENKOMST.xml --contract MAP (--all | --tekenbevoegde ID ...)\n"
    "                  [-o GETEKEND.pdf] [--home MAP] [--passphrase-file BESTAND]\n"
    "                  [--tsa URL --tsa-cert PEM]\n"
    "\n"
    "Ondertekent het contract van een geldige overeenkomst namens tekenbevoegden: per tekenbevoegde\n"
    "een nieuw certificaat van de CA van de werkruimte (de sleutel bestaat alleen tijdens de\n"
    "handtekening), een PAdES-handtekening met tijdstempel, en een eigen incrementele revisie.\n"
    "MAP bewaart de revisies (0000.pdf, 0001.rev, ...); bestaat MAP nog niet, dan wordt het contract\n"
    "eerst gemaakt, anders moet MAP/0000.pdf precies het contract van deze overeenkomst zijn.\n"
    "\n"
    "  --contract MAP            de map met de revisies van het contract\n"
    "  --tekenbevoegde ID        onderteken namens deze tekenbevoegde (mag vaker)\n"
    "  --all                     onderteken namens iedere tekenbevoegde die nog niet tekende\n"
    "  -o, --output BESTAND      schrijf daarna het getekende contract (PDF)\n"
    "  --home MAP                de werkruimte van sto init (anders $STO_HOME, anders ./sto-werkruimte)\n"
    "  --passphrase-file BESTAND het wachtwoord van de sleutels (anders $STO_PASSPHRASE)\n"
    "  --tsa URL                 een externe tijdstempeldienst (RFC 3161 over HTTP) in plaats van de eigen\n"
    "  --tsa-cert PEM            het certificaat waarmee die dienst wordt vertrouwd\n"
    "\n"
    "Afsluitcode: 0 ondertekend, 1 ongeldige overeenkomst, 2 verkeerd gebruik, 3 omgevingsfout.\n";

struct Options {
  std::string file;
  std::string contract;
  std::vector<std::string> ids;
  bool all = false;
  std::string output;
  std::string home;
  std::string passphrase_file;
  std::string tsa_url;
  std::string tsa_cert;
};

Options parse(std::span<const std::string_view> args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--contract") {
      o.contract = option_value(args, i);
    } else if (arg == "--tekenbevoegde") {
      o.ids.push_back(option_value(args, i));
    } else if (arg == "--all") {
      o.all = true;
    } else if (arg == "-o" || arg == "--output") {
      o.output = option_value(args, i);
    } else if (arg == "--home") {
      o.home = option_value(args, i);
    } else if (arg == "--passphrase-file") {
      o.passphrase_file = option_value(args, i);
    } else if (arg == "--tsa") {
      o.tsa_url = option_value(args, i);
    } else if (arg == "--tsa-cert") {
      o.tsa_cert = option_value(args, i);
    } else if (arg.starts_with("-")) {
      throw UsageError{"onbekende optie \"" + std::string(arg) + "\""};
    } else if (!o.file.empty()) {
      throw UsageError{"geef precies één overeenkomst"};
    } else {
      o.file = std::string(arg);
    }
  }
  if (o.file.empty()) throw UsageError{"geef het bestand met de overeenkomst"};
  if (o.contract.empty()) throw UsageError{"geef met --contract de map van het contract"};
  if (o.all == !o.ids.empty()) throw UsageError{"geef --all of een of meer --tekenbevoegde"};
  if (o.tsa_url.empty() != o.tsa_cert.empty()) throw UsageError{"--tsa en --tsa-cert horen bij elkaar"};
  return o;
}

int run(std::span<const std::string_view> args) {
  const Options o = parse(args);
  const auto templates = templates_dir();
  const Validation v = validate_file(o.file, load_rule_sets(templates / "regelingen"));
  if (!v.valid()) {
    print_validation(v, o.file, Taal::nl, false);
    return kInvalid;
  }
  const Contract contract = render_contract(v.agreement, templates);
  const std::filesystem::path dir = o.contract;
  if (!std::filesystem::exists(dir / "0000.pdf")) {
    SignedContract::create(dir, contract.pdf);
  } else if (read_whole_file((dir / "0000.pdf").string()) != contract.pdf) {
    throw Error((dir / "0000.pdf").string() + " is niet het contract van " + o.file);
  }
  SignedContract chain = SignedContract::open(dir);
  const Pki pki = Pki::load(workspace_dir(o.home) / "pki", passphrase(o.passphrase_file));
  const auto tsa = o.tsa_url.empty() ? pki.local_tsa() : http_tsa(o.tsa_url, read_whole_file(o.tsa_cert));
  const std::vector<std::string> ids = o.all ? chain.unsigned_fields() : o.ids;
  for (const std::string& id : ids) {
    const Revision r = chain.sign(signing_act(v.agreement, id, system_time()), pki, *tsa);
    std::cout << id << ": revisie " << r.number << ", " << r.size << " bytes, certificaat " << r.certificate_sha256
              << "\n";
  }
  if (!o.output.empty()) chain.write_pdf(o.output);
  std::cout << chain.revisions() << " van " << chain.fields().size() << " handtekeningen; " << chain.size()
            << " bytes, SHA-256 " << chain.sha256() << "\n";
  return kOk;
}

}  // namespace

const Command kSign{"sign", "onderteken het contract namens tekenbevoegden (PAdES, per revisie)", kUsageText, run};

}  // namespace sto::cli
