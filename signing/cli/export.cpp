// sto export: the archive of an agreement (signing/archive).
#include <iostream>

#include "sto/archive.h"

#include "command.h"

namespace sto::cli {

namespace {

constexpr std::string_view kExportUsage =
    "Gebruik: sto export KENMERK -o MAP [werkruimte-opties]\n"
    "\n"
    "Schrijft het archief van de laatste versie naar MAP (die nog niet mag bestaan of leeg is):\n"
    "agreement.xml, contract.pdf, audit.jsonl, ca.pem, tsa.pem, bewijsdossier.pdf (ondertekend door\n"
    "de installatie), manifest.json en README.txt. Controleer het daarna met sto verify MAP.\n"
    "Ook een onvolledige overeenkomst kan geëxporteerd worden; het oordeel zegt dat dan.\n"
    "\n";

int export_run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  std::string out;
  const std::string kenmerk = parse_one(args, flags, "kenmerk", [&](auto a, std::size_t& i) {
    if (a[i] != "-o" && a[i] != "--output") return false;
    out = option_value(a, i);
    return true;
  });
  if (out.empty()) throw UsageError{"geef de map van het archief met -o MAP"};
  Werkruimte w = open_workspace(flags);
  const ExportResult r = export_archive(w, kenmerk, out, templates_dir());
  std::cout << out << ": archief van " << kenmerk << " geschreven (" << r.files << " bestanden)\n"
            << "Oordeel: " << to_string(r.verdict.oordeel) << ", " << r.verdict.signatures.size() << " van "
            << r.verdict.expected_signatures << " handtekeningen\n"
            << "CA-vingerafdruk: " << r.verdict.ca_fingerprint << "\n";
  return kOk;
}

const std::string kExportText = std::string(kExportUsage) + "  -o, --output MAP           de map van het archief\n" +
                                std::string(kWorkspaceFlagsText) + std::string(kWorkflowExit);

}  // namespace

const Command kExport{"export", "schrijf het archief: contract, audit-log, certificaten, bewijsdossier", kExportText,
                      export_run};

}  // namespace sto::cli
