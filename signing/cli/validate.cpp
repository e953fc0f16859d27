// sto validate: the findings of the format and the regulation for one agreement file.
#include <iostream>
#include <optional>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "command.h"
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

std::size_t count(const Findings& findings, Severity severity) {
  std::size_t n = 0;
  for (const auto& f : findings) n += f.severity == severity ? 1 : 0;
  return n;
}

void print_text(const Validation& v, const Options& options) {
  for (const auto& finding : v.findings) std::cout << describe(finding, options.taal) << "\n";
  const auto errors = count(v.findings, Severity::error);
  const auto warnings = count(v.findings, Severity::warning);
  const bool nl = options.taal == Taal::nl;
  std::cout << options.file << ": ";
  if (errors == 0) {
    std::cout << (nl ? "geldig" : "valid");
  } else {
    std::cout << (nl ? "ongeldig, " : "invalid, ") << errors
              << (nl ? (errors == 1 ? " fout" : " fouten") : (errors == 1 ? " error" : " errors"));
  }
  if (warnings > 0) {
    std::cout << (errors == 0 ? " (" : ", ") << warnings
              << (nl ? (warnings == 1 ? " waarschuwing" : " waarschuwingen")
                     : (warnings == 1 ? " warning" : " warnings"))
              << (errors == 0 ? ")" : "");
  }
  std::cout << "\n";
}

void print_json(const Validation& v, const Options& options) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("file", options.file);
  root.set("valid", v.valid());
  root.set("errors", count(v.findings, Severity::error));
  root.set("warnings", count(v.findings, Severity::warning));
  Poco::JSON::Array list;
  for (const auto& f : v.findings) {
    Poco::JSON::Object item(Poco::JSON_PRESERVE_KEY_ORDER);
    item.set("severity", f.severity == Severity::error ? "error" : "warning");
    item.set("rule", f.rule);
    item.set("file", f.file);
    item.set("line", f.line);
    item.set("element", f.element);
    item.set("subject", f.subject);
    item.set("message", message(f, options.taal));
    list.add(item);
  }
  root.set("findings", list);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(root, out, 2);
  std::cout << out.str() << "\n";
}

int run(std::span<const std::string_view> args) {
  const Options options = parse(args);
  const auto rule_sets = load_rule_sets(templates_dir() / "regelingen");
  const Validation v = validate_file(options.file, rule_sets);
  if (options.json) {
    print_json(v, options);
  } else {
    print_text(v, options);
  }
  return v.valid() ? kOk : kInvalid;
}

}  // namespace

const Command kValidate{"validate", "controleer een overeenkomst tegen het formaat en de regeling", kUsageText, run};

}  // namespace sto::cli
