// sto render: the contract PDF (revision 0) of a valid agreement, and optionally its layout map.
#include <iostream>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "command.h"
#include "sto/atomic_file.h"
#include "sto/render.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto render OVEREENKOMST.xml -o CONTRACT.pdf [--layout KAART.json] [--lang nl|en]\n"
    "\n"
    "Controleert de overeenkomst (zoals sto validate) en schrijft, als zij geldig is, het contract\n"
    "als PDF: dezelfde XML geeft altijd dezelfde bytes. Bij fouten worden de bevindingen getoond en\n"
    "wordt niets geschreven.\n"
    "\n"
    "  -o, --output BESTAND  het contract (PDF)\n"
    "  --layout BESTAND      de plaats van elk handtekeningveld (JSON), voor het ondertekenen\n"
    "  --lang nl|en          taal van de meldingen (de taal van het contract kiest taal=\"...\" in de XML)\n"
    "\n"
    "Afsluitcode: 0 geschreven, 1 ongeldige overeenkomst, 2 verkeerd gebruik, 3 omgevingsfout.\n";

struct Options {
  std::string file;
  std::string output;
  std::string layout;
  Taal taal = Taal::nl;
};

Options parse(std::span<const std::string_view> args) {
  Options o;
  const auto value = [&](std::size_t& i, std::string_view name) {
    if (i + 1 == args.size()) throw UsageError{std::string(name) + " verwacht een bestandsnaam"};
    return std::string(args[++i]);
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "-o" || arg == "--output") {
      o.output = value(i, arg);
    } else if (arg == "--layout") {
      o.layout = value(i, arg);
    } else if (arg == "--lang") {
      o.taal = parse_taal(value(i, arg));
    } else if (arg.starts_with("-")) {
      throw UsageError{"onbekende optie " + std::string(arg)};
    } else if (!o.file.empty()) {
      throw UsageError{"geef precies één overeenkomst"};
    } else {
      o.file = std::string(arg);
    }
  }
  if (o.file.empty()) throw UsageError{"geef het bestand met de overeenkomst"};
  if (o.output.empty()) throw UsageError{"geef met -o het bestand voor het contract"};
  return o;
}

// The layout map: PDF coordinates (points, origin lower left), as the signing stage needs them.
std::string layout_json(const Layout& layout) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  Poco::JSON::Array size;
  size.add(layout.geometry.width);
  size.add(layout.geometry.height);
  root.set("page_size", size);
  root.set("pages", layout.pages.size());
  Poco::JSON::Array fields;
  for (const auto& f : layout.fields) {
    Poco::JSON::Object item(Poco::JSON_PRESERVE_KEY_ORDER);
    item.set("tekenbevoegde", f.tekenbevoegde_id);
    item.set("partner", f.partner_id);
    item.set("page", f.page);
    Poco::JSON::Array rect;
    for (const double v : {f.rect.x1, f.rect.y1, f.rect.x2, f.rect.y2}) rect.add(v);
    item.set("rect", rect);
    fields.add(item);
  }
  root.set("fields", fields);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(root, out, 2);
  return out.str() + "\n";
}

int run(std::span<const std::string_view> args) {
  const Options o = parse(args);
  const auto templates = templates_dir();
  const Validation v = validate_file(o.file, load_rule_sets(templates / "regelingen"));
  if (!v.valid()) {
    print_validation(v, o.file, o.taal, false);
    return kInvalid;
  }
  const Contract contract = render_contract(v.agreement, templates);
  write_file_atomically(o.output, contract.pdf);
  if (!o.layout.empty()) write_file_atomically(o.layout, layout_json(contract.layout));
  std::cout << o.output << ": " << contract.layout.pages.size() << (o.taal == Taal::nl ? " pagina's, " : " pages, ")
            << contract.layout.fields.size() << (o.taal == Taal::nl ? " handtekeningvelden, " : " signature fields, ")
            << contract.pdf.size() << " bytes\n";
  return kOk;
}

}  // namespace

const Command kRender{"render", "maak het contract (PDF) van een geldige overeenkomst", kUsageText, run};

}  // namespace sto::cli
