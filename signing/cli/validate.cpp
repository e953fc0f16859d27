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
    "\n"
    "Controleert de overeenkomst tegen het formaat (docs/agreement-format.md) en de regels van de\n"
    "regeling die zij noemt (docs/rules.md), en meldt elke bevinding met bestand, regel, element\n"
    "en regel-id.\n"
    "\n"
    "  --json        bevindingen als JSON voor programma's\n"
    "  --lang nl|en  taal van de meldingen (standaard nl)\n"
    "\n"
    "Afsluitcode: 0 geldig (waarschuwingen mogen), 1 ongeldig, 2 verkeerd gebruik, 3 omgevingsfout.\n";

struct Options {
  bool json = false;
  Taal taal = Taal::nl;
  std::string file;
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
  Validation v = validate_file(options.file, rule_sets);
  check_printable(v, read_whole_file(options.file), templates_dir());
  print_validation(v, options.file, options.taal, options.json);
  return v.valid() ? kOk : kInvalid;
}

}  // namespace

const Command kValidate{"validate", "controleer een overeenkomst tegen het formaat en de regeling", kUsageText, run};

}  // namespace sto::cli
