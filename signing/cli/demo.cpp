// sto demo: the whole workflow on one agreement, as the README's first command: a fresh
// workspace, open, the server on a free loopback port, invitations (pickup directory or SMTP),
// then every tekenbevoegde over real HTTP — the mail read, the link followed, the page and the
// PDF fetched, the name typed, signed — and the signed contract and audit log written out.
#include <Poco/URI.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <set>

#include "command.h"
#include "sto/archive.h"
#include "sto/atomic_file.h"
#include "sto/demo.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto demo [OVEREENKOMST.xml] [-o MAP] [--smtp HOST:POORT] [--passphrase-file BESTAND]\n"
    "\n"
    "Speelt de hele ondertekening na op één overeenkomst (standaard het kleine voorbeeld): een nieuwe\n"
    "werkruimte in MAP (standaard ./sto-demo; moet leeg zijn of nog niet bestaan), sto open, de\n"
    "webserver op een vrije poort van 127.0.0.1, de uitnodigingen (als bestanden in MAP/postvak, of via\n"
    "--smtp, dan ook een kopie in MAP/postvak), en dan iedere tekenbevoegde over echte HTTP: de mail\n"
    "lezen, de link volgen, de pagina en de PDF ophalen, de naam typen en ondertekenen. Schrijft daarna\n"
    "het getekende contract (MAP/getekend.pdf). Dan treedt een basisschool toe (wijziging 1, getekend door\n"
    "de nieuwe partner en de penvoerder); de auditlog (MAP/audit.jsonl) en het archief (MAP/archief, met\n"
    "wijzigingen/1/) volgen, en het toont waar alles staat.\n"
    "\n"
    "Afsluitcode: 0 alles getekend, 1 ongeldige overeenkomst, 2 verkeerd gebruik, 3 omgevingsfout.\n";

// Delivers through `first`, then keeps a copy through `copy` (so the demo can follow the links
// of mail that went out over SMTP, as each recipient would).
class Tee final : public Transport {
 public:
  Tee(std::unique_ptr<Transport> first, std::unique_ptr<Transport> copy)
      : first_(std::move(first)), copy_(std::move(copy)) {}
  Delivery send(const Mail& mail) override {
    Delivery d = first_->send(mail);
    copy_->send(mail);
    return d;
  }

 private:
  std::unique_ptr<Transport> first_;
  std::unique_ptr<Transport> copy_;
};

struct Joined {
  std::string partner;
  std::size_t signatures = 0;
  std::filesystem::path file;
};

// The amendment the demo makes: a primary school joins the completed agreement `kenmerk`. Its
// ids, BRIN and addresses are the demo's own, so that it fits any sample region.
std::string toetreding_xml(const Agreement& a, const std::string& contract_sha256, const std::string& datum) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<wijziging xmlns=\"urn:sto:wijziging:1\" nummer=\"1\"" +
         std::string(a.taal == Taal::en ? " taal=\"en\"" : "") +
         ">\n"
         "  <overeenkomst kenmerk=\"" +
         a.kenmerk + "\" versie=\"" + std::to_string(a.versie) + "\" sha256=\"" + contract_sha256 +
         "\"/>\n"
         "  <opgesteld datum=\"" +
         datum + "\" plaats=\"" + a.opgesteld.plaats +
         "\"/>\n"
         "  <toelichting>Een basisschool uit de regio sluit aan bij de techniekmiddagen.</toelichting>\n"
         "  <toetreding>\n"
         "    <partner id=\"demo-toetreder\" soort=\"po\">\n"
         "      <naam>Basisschool De Toetreder</naam>\n"
         "      <brin>99ZZ</brin>\n"
         "      <vestigingsnummer>00</vestigingsnummer>\n"
         "      <bevoegdGezag naam=\"Stichting Primair Onderwijs De Toetreder\" nummer=\"99999\"/>\n"
         "      <adres straat=\"Schoolstraat 1\" postcode=\"1234 AB\" plaats=\"" +
         a.opgesteld.plaats +
         "\"/>\n"
         "      <bijdrage geld=\"0.00\" uren=\"40\">Techniekmiddagen voor groep 7 en 8.</bijdrage>\n"
         "      <tekenbevoegde id=\"demo-toetreder-1\" naam=\"Anna de Vries\" functie=\"Bestuurder\" "
         "hoedanigheid=\"bestuur\" email=\"a.devries@toetreder.example.nl\"/>\n"
         "    </partner>\n"
         "  </toetreding>\n"
         "</wijziging>\n";
}

Joined toetreding(DemoSite& site, Werkruimte& w, const std::string& kenmerk, const std::filesystem::path& dir,
                  const Visit& visit) {
  const std::string contract = w.signed_pdf(kenmerk);
  const ReadResult base = read_agreement(w.store().agreement_xml(w.store().latest_version(kenmerk)->id), "");
  const std::string today = utc_time(static_cast<std::int64_t>(w.now()) * 1000).substr(0, 10);
  Joined joined{"Basisschool De Toetreder", 0, dir / "wijziging-1.xml"};
  write_file_atomically(joined.file, toetreding_xml(base.agreement, to_hex(sha256(contract)), today));
  WijzigingValidation v;
  const auto opened = w.open_wijziging(joined.file, v);
  if (!opened) {
    for (const auto& f : v.findings) std::cout << describe(f, Taal::nl) << "\n";
    throw Error("de toetreding van de demo is niet geldig");
  }
  std::set<std::string> seen;
  for (const auto& m : pickup_mails(site.pickup())) {
    for (const auto& link : links_in(m, site.base_url())) seen.insert(link);
  }
  for (auto& [address, links] : site.invite(kenmerk)) {
    for (const std::string& link : links) {
      if (seen.contains(link)) continue;
      const HttpReply signed_ = sign_via_page(link, visit);
      if (signed_.status != 303) throw Error("de toetreding ondertekenen gaf HTTP " + std::to_string(signed_.status));
      ++joined.signatures;
    }
  }
  if (joined.signatures != opened->signatories || w.status(kenmerk).version.state != VersionState::completed) {
    throw Error("de toetreding is niet door iedereen getekend");
  }
  return joined;
}

int run(std::span<const std::string_view> args) {
  std::string file;
  std::string out = "sto-demo";
  WorkspaceFlags flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" || args[i] == "--output") {
      out = option_value(args, i);
    } else if (args[i] == "--smtp" || args[i] == "--passphrase-file") {
      workspace_flag(args, i, flags);
    } else if (args[i].starts_with("-")) {
      throw UsageError{"onbekende optie \"" + std::string(args[i]) + "\""};
    } else if (!file.empty()) {
      throw UsageError{"geef ten hoogste één overeenkomst"};
    } else {
      file = std::string(args[i]);
    }
  }
  const auto templates = templates_dir();
  if (file.empty()) file = (templates.parent_path() / "samples" / "regio-klein-8.xml").string();
  const std::filesystem::path dir = out;
  if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir)) {
    throw Error(dir.string() + " bestaat al en is niet leeg: kies met -o een nieuwe map");
  }
  const auto started = std::chrono::steady_clock::now();
  const std::string pass = passphrase(flags.passphrase_file);

  Configuration configuration;
  for (const auto& [key, value] : flags.overrides) configuration.set(key, value);
  std::ofstream access(dir / "toegang.log");
  DemoSite site(dir, templates, configuration, pass, {}, &access);
  Werkruimte& w = site.werkruimte();
  const std::string fingerprint = w.ca_fingerprint();
  std::cout << "1. Werkruimte " << dir.string() << " (CA " << fingerprint << ")\n";
  const std::filesystem::path postvak = site.pickup();
  if (w.configuration().mail_transport == "smtp") {
    w.set_transport(std::make_unique<Tee>(smtp_transport(w.configuration().smtp), pickup_transport(postvak)));
  }
  Validation v;
  const auto opened = w.open_agreement(file, v);
  if (!opened) {
    print_validation(v, file, Taal::nl, false);
    return kInvalid;
  }
  std::cout << "2. Geopend: " << opened->kenmerk << " versie " << opened->versie << ", " << opened->signatories
            << " tekenbevoegden, contract SHA-256 " << opened->document_sha256 << "\n";
  std::cout << "3. Webserver op " << site.base_url() << "\n";

  std::vector<std::string> links;
  for (auto& [address, theirs] : site.invite(opened->kenmerk)) links.insert(links.end(), theirs.begin(), theirs.end());
  if (links.size() != opened->signatories) {
    throw Error("in " + (postvak / "new").string() + " staan " + std::to_string(links.size()) + " links voor " +
                std::to_string(opened->signatories) + " tekenbevoegden");
  }
  std::cout << "4. " << links.size() << " uitnodigingen verstuurd ("
            << (w.configuration().mail_transport == "smtp" ? "SMTP, kopie in " : "") << (postvak / "new").string()
            << ")\n";

  // Every tekenbevoegde as a person would: the page, the PDF, the typed name, the receipt.
  const Visit visit{true, "sto-demo/" STO_VERSION};
  for (const std::string& link : links) {
    const HttpReply signed_ = sign_via_page(link, visit);
    if (signed_.status != 303) {
      throw Error("ondertekenen gaf HTTP " + std::to_string(signed_.status) + ": " + signed_.body.substr(0, 300));
    }
    const Poco::URI uri(link);
    const HttpReply receipt = http(site.base_url(), "GET", uri.getPath(), {}, {{"User-Agent", visit.user_agent}});
    if (receipt.body.find("id=ontvangst") == std::string::npos) throw Error("geen ontvangstbewijs na ondertekenen");
  }
  std::cout << "5. " << links.size()
            << " tekenbevoegden lazen de mail, volgden de link, lazen de PDF en ondertekenden\n";

  w.flush_mail();
  const Status status = w.status(opened->kenmerk);
  if (status.signed_count != status.signatories.size()) {
    throw Error(std::to_string(status.signed_count) + " van " + std::to_string(status.signatories.size()) +
                " ondertekend");
  }
  write_file_atomically(dir / "getekend.pdf", w.signed_pdf(opened->kenmerk));
  std::cout << "6. Alle " << status.signatories.size() << " handtekeningen staan; ingangsdatum "
            << utc_time(status.effective_ms) << "; afrondingsmails met het getekende contract in "
            << (postvak / "new").string() << "\n";

  // Four years change a region: a school joins. Only it and the penvoerder sign (docs/amendment-format.md).
  const auto joined = toetreding(site, w, opened->kenmerk, dir, visit);
  site.stop();
  w.flush_mail();
  std::cout << "7. Toetreding (wijziging 1): " << joined.partner << " treedt toe; " << joined.signatures
            << " tekenden over HTTP (de nieuwe partner en de penvoerder), de andere partners niet opnieuw\n";
  std::string jsonl;
  for (const AuditRecord& r : w.store().audit(opened->kenmerk)) jsonl += jsonl_line(r) + "\n";
  write_file_atomically(dir / "audit.jsonl", jsonl);
  // The archive, and the auditor's check of it: offline, trusting the CA by its fingerprint.
  const std::filesystem::path archive = dir / "archief";
  export_archive(w, opened->kenmerk, archive, templates);
  const Verdict verdict = verify_archive(archive, {fingerprint, "", templates});
  if (verdict.oordeel != Oordeel::intact || verdict.wijzigingen.size() != 1) {
    std::cout << describe(verdict);
    throw Error("het archief is niet intact: " + std::string(to_string(verdict.oordeel)));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "8. Archief: contract en wijziging 1 (" << verdict.wijzigingen[0].soort << "), "
            << to_string(verdict.wijzigingen[0].oordeel) << "\n\n"
            << "Getekend contract: " << (dir / "getekend.pdf").string() << "\n"
            << "Auditlog:          " << (dir / "audit.jsonl").string() << " (" << verdict.audit_length
            << " regels, kop " << verdict.audit_head << ")\n"
            << "CA-certificaat:    " << (dir / "pki" / "ca.pem").string() << "\n"
            << "Toegangslog:       " << (dir / "toegang.log").string() << "\n"
            << "Archief:           " << archive.string()
            << " (bewijsdossier.pdf, manifest.json, README.txt, wijzigingen/1/)\n"
            << "Wijziging 1:       " << joined.file.string() << "\n"
            << "Controle archief:  sto verify " << archive.string() << " --ca-fingerprint " << fingerprint << "  -> "
            << to_string(verdict.oordeel) << ", " << verdict.signatures.size() << " handtekeningen\n"
            << "Status:            sto status " << opened->kenmerk << " --home " << dir.string() << "\n"
            << "Controle:          pdfsig " << (dir / "getekend.pdf").string()
            << " (vertrouw de CA hierboven op haar vingerafdruk)\n"
            << "Klaar in " << static_cast<int>(seconds * 10) / 10.0 << " s.\n";
  return kOk;
}

}  // namespace

const Command kDemo{"demo", "de hele ondertekening nagespeeld op een voorbeeld, over echte HTTP", kUsageText, run};

}  // namespace sto::cli
