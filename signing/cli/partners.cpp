// sto partners export | import: the partner list as a spreadsheet (pipeline/sheet).
#include <iostream>

#include <Poco/String.h>

#include "command.h"
#include "sto/atomic_file.h"
#include "sto/render.h"
#include "sto/sheet.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto partners export OVEREENKOMST.xml -o PARTNERS.xlsx|.ods|.csv\n"
    "         sto partners export KENMERK -o PARTNERS.xlsx|.ods|.csv [werkruimte-opties]\n"
    "         sto partners import BLAD.xlsx|.ods|.csv --into OVEREENKOMST.xml [-o NIEUW.xml] [--json] [--lang nl|en]\n"
    "\n"
    "export schrijft de partners en tekenbevoegden van de overeenkomst als rekenblad: blad \"Partners\"\n"
    "met één rij per tekenbevoegde, codes als tekst, keuzelijsten voor soort en hoedanigheid, en een\n"
    "blad \"Toelichting\" (docs/partner-sheet.md). Met een KENMERK in plaats van een bestand: de partners\n"
    "die nu gelden in de werkruimte, het getekende contract met alle wijzigingen die rond zijn.\n"
    "\n"
    "import leest zo'n blad (ook na bewerken in Excel, LibreOffice of Google Sheets), vervangt de\n"
    "<partners> van OVEREENKOMST.xml door die van het blad en laat de rest van het bestand zoals het\n"
    "was. Daarna controleert het alles zoals sto validate; een bevinding over een waarde uit het blad\n"
    "noemt het bestand, het blad en de cel (partners.xlsx:Partners!I57). Is er een fout, dan wordt\n"
    "niets geschreven. Zonder -o wordt OVEREENKOMST.xml zelf (atomair) vervangen.\n"
    "\n"
    "  -o, --output BESTAND  waarheen (export: het blad; import: de nieuwe overeenkomst)\n"
    "  --into OVEREENKOMST   import: de overeenkomst waarin de partners komen\n"
    "  --json                import: bevindingen als JSON (met sheet en cell)\n"
    "  --lang nl|en          taal van de meldingen (standaard nl)\n";
constexpr std::string_view kExitText =
    "\n"
    "Afsluitcode: 0 gelukt (waarschuwingen mogen), 1 fouten in blad of overeenkomst, 2 verkeerd gebruik,\n"
    "3 omgevingsfout.\n";
const std::string kPartnersText = std::string(kUsageText) + std::string(kWorkspaceFlagsText) + std::string(kExitText);

struct Options {
  std::string verb;
  std::string file;
  std::string into;
  std::string output;
  bool json = false;
  Taal taal = Taal::nl;
  WorkspaceFlags flags;
};

// An agreement is named by its file (….xml) or, in a workspace, by its kenmerk.
bool is_file(std::string_view arg) {
  return arg.size() > 4 && Poco::icompare(std::string(arg.substr(arg.size() - 4)), ".xml") == 0;
}

Options parse(std::span<const std::string_view> args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (workspace_flag(args, i, o.flags)) continue;
    if (arg == "-o" || arg == "--output") {
      o.output = option_value(args, i);
    } else if (arg == "--into") {
      o.into = option_value(args, i);
    } else if (arg == "--json") {
      o.json = true;
    } else if (arg == "--lang") {
      o.taal = parse_taal(option_value(args, i));
    } else if (arg.starts_with("-")) {
      throw UsageError{"onbekende optie \"" + std::string(arg) + "\""};
    } else if (o.verb.empty()) {
      o.verb = std::string(arg);
    } else if (o.file.empty()) {
      o.file = std::string(arg);
    } else {
      throw UsageError{"geef precies één bestand"};
    }
  }
  if (o.verb != "export" && o.verb != "import") throw UsageError{"kies sto partners export of sto partners import"};
  if (o.file.empty()) throw UsageError{o.verb == "export" ? "geef de overeenkomst" : "geef het blad"};
  if (o.verb == "export" && o.output.empty()) throw UsageError{"geef het blad met -o PARTNERS.xlsx"};
  if (o.verb == "import" && o.into.empty()) throw UsageError{"geef de overeenkomst met --into OVEREENKOMST.xml"};
  return o;
}

int export_sheet(const Options& o) {
  if (!is_file(o.file)) {
    Werkruimte w = open_workspace(o.flags);
    const Agreement a = w.agreement_in_force(o.file);
    export_partner_sheet(a, o.output);
    std::size_t people = 0;
    for (const Partner& p : a.partners) people += p.tekenbevoegden.size();
    std::cout << o.output << ": " << a.partners.size() << " partners, " << people
              << " tekenbevoegden (die nu gelden in " << o.file << ")\n";
    return kOk;
  }
  const ReadResult read = read_agreement_file(o.file);
  if (!read.parsed || has_errors(read.findings)) {
    Validation v;
    v.findings = read.findings;
    print_validation(v, o.file, o.taal, false);
    return kInvalid;
  }
  export_partner_sheet(read.agreement, o.output);
  std::size_t people = 0;
  for (const Partner& p : read.agreement.partners) people += p.tekenbevoegden.size();
  std::cout << o.output << ": " << read.agreement.partners.size() << " partners, " << people << " tekenbevoegden\n";
  return kOk;
}

int import_sheet(const Options& o) {
  const auto rule_sets = load_rule_sets(templates_dir() / "regelingen");
  const std::string output = o.output.empty() ? o.into : o.output;
  const PartnerImport result =
      import_partner_sheet(o.file, o.file, read_whole_file(o.into), o.into, rule_sets,
                           [](Validation& v, std::string_view xml) { check_printable(v, xml, templates_dir()); });
  print_validation(result.validation, output, o.taal, o.json);
  if (!result.validation.valid() || result.agreement_xml.empty()) return kInvalid;
  write_file_atomically(output, result.agreement_xml);
  if (!o.json) std::cout << output << ": geschreven\n";
  return kOk;
}

int run(std::span<const std::string_view> args) {
  const Options o = parse(args);
  return o.verb == "export" ? export_sheet(o) : import_sheet(o);
}

}  // namespace

const Command kPartners{"partners", "de partnerlijst als rekenblad: export en import, gecontroleerd per cel",
                        kPartnersText, run};

}  // namespace sto::cli
