// sto validate: the findings of the format and the regulation for one agreement file.
#include <iostream>
#include <optional>
#include <sstream>

#include "command.h"
#include "sto/atomic_file.h"
#include "sto/render.h"
#include "sto/rules.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto validate [--json] [--lang nl|en] OVEREENKOMST.xml\n"
    "       sto validate [--json] [--lang nl|en] WIJZIGING.xml --overeenkomst OVEREENKOMST.xml [--vorige W.xml ...]\n"
    "\n"
    "Controleert de overeenkomst tegen het formaat (docs/agreement-format.md) en de regels van de\n"
    "regeling die zij noemt (docs/rules.md), en meldt elke bevinding met bestand, regel, element\n"
    "en regel-id. Een wijziging (docs/amendment-format.md) wordt gecontroleerd tegen de overeenkomst\n"
    "met de eerdere wijzigingen toegepast, en de regels op de partnerlijst na de wijziging.\n"
    "\n"
    "  --json                 bevindingen als JSON voor programma's\n"
    "  --lang nl|en           taal van de meldingen (standaard nl)\n"
    "  --overeenkomst BESTAND bij een wijziging: de overeenkomst die zij wijzigt\n"
    "  --vorige BESTAND       bij een wijziging: een eerdere wijziging die geldt (in volgorde, herhaalbaar)\n"
    "\n"
    "Afsluitcode: 0 geldig (waarschuwingen mogen), 1 ongeldig, 2 verkeerd gebruik, 3 omgevingsfout.\n";

struct Options {
  bool json = false;
  Taal taal = Taal::nl;
  std::string file;
  AmendmentBasis basis;
};

Options parse(std::span<const std::string_view> args) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--json") {
      options.json = true;
    } else if (arg == "--lang") {
      if (i + 1 == args.size()) throw UsageError{"--lang verwacht nl of en"};
      options.taal = parse_taal(args[++i]);
    } else if (arg.starts_with("--lang=")) {
      options.taal = parse_taal(arg.substr(7));
    } else if (arg == "--overeenkomst") {
      options.basis.overeenkomst = option_value(args, i);
    } else if (arg == "--vorige") {
      options.basis.vorige.push_back(option_value(args, i));
    } else if (arg.starts_with("-") && arg != "-") {
      throw UsageError{"onbekende optie " + std::string(arg)};
    } else if (!options.file.empty()) {
      throw UsageError{"geef precies één bestand"};
    } else {
      options.file = std::string(arg);
    }
  }
  if (options.file.empty()) throw UsageError{"geef het bestand met de overeenkomst"};
  return options;
}

int run(std::span<const std::string_view> args) {
  const Options options = parse(args);
  const auto rule_sets = load_rule_sets(templates_dir() / "regelingen");
  if (is_amendment_file(options.file)) {
    if (options.basis.overeenkomst.empty()) throw UsageError{"een wijziging vraagt --overeenkomst OVEREENKOMST.xml"};
    WijzigingValidation w = validate_amendment(options.file, options.basis, rule_sets);
    check_printable(w, read_whole_file(options.file), templates_dir());
    print_findings(w.findings, options.file, options.taal, options.json);
    return w.valid() ? kOk : kInvalid;
  }
  if (!options.basis.overeenkomst.empty() || !options.basis.vorige.empty()) {
    throw UsageError{"--overeenkomst en --vorige horen bij een wijziging"};
  }
  Validation v = validate_file(options.file, rule_sets);
  check_printable(v, read_whole_file(options.file), templates_dir());
  print_validation(v, options.file, options.taal, options.json);
  return v.valid() ? kOk : kInvalid;
}

}  // namespace

const Command kValidate{"validate", "controleer een overeenkomst tegen het formaat en de regeling", kUsageText, run};

}  // namespace sto::cli
