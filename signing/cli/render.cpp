// sto render: the contract PDF (revision 0) of a valid agreement, and optionally its layout map.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "command.h"
#include "sto/atomic_file.h"
#include "sto/render.h"
#include "sto/utf8.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto render OVEREENKOMST.xml -o CONTRACT.pdf [--layout KAART.json] [--lang nl|en]\n"
    "       sto render WIJZIGING.xml --overeenkomst OVEREENKOMST.xml [--vorige W.xml ...] -o WIJZIGING.pdf\n"
    "\n"
    "Controleert de overeenkomst (zoals sto validate) en schrijft, als zij geldig is, het contract\n"
    "als PDF: dezelfde XML geeft altijd dezelfde bytes. Bij fouten worden de bevindingen getoond en\n"
    "wordt niets geschreven.\n"
    "\n"
    "  -o, --output BESTAND  het contract (PDF)\n"
    "  --layout BESTAND      de plaats van elk handtekeningveld (JSON), voor het ondertekenen\n"
    "  --lang nl|en          taal van de meldingen (de taal van het contract kiest taal=\"...\" in de XML)\n"
    "  --overeenkomst, --vorige  bij een wijziging: waartegen zij wordt gecontroleerd (zie sto validate)\n"
    "\n"
    "Afsluitcode: 0 geschreven, 1 ongeldige overeenkomst, 2 verkeerd gebruik, 3 omgevingsfout.\n";

struct Options {
  std::string file;
  std::string output;
  std::string layout;
  Taal taal = Taal::nl;
  AmendmentBasis basis;
};

Options parse(std::span<const std::string_view> args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "-o" || arg == "--output") {
      o.output = option_value(args, i);
    } else if (arg == "--layout") {
      o.layout = option_value(args, i);
    } else if (arg == "--lang") {
      o.taal = parse_taal(option_value(args, i));
    } else if (arg == "--overeenkomst") {
      o.basis.overeenkomst = option_value(args, i);
    } else if (arg == "--vorige") {
      o.basis.vorige.push_back(option_value(args, i));
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

// False when either path cannot be resolved: opening it will then say why.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ea;
  std::error_code eb;
  const auto ca = std::filesystem::weakly_canonical(a, ea);
  const auto cb = std::filesystem::weakly_canonical(b, eb);
  return !ea && !eb && ca == cb;
}

int run(std::span<const std::string_view> args) {
  const Options o = parse(args);
  if (same_file(o.output, o.file)) throw UsageError{"-o zou de overeenkomst zelf overschrijven"};
  if (!o.layout.empty() && same_file(o.layout, o.file))
    throw UsageError{"--layout zou de overeenkomst zelf overschrijven"};
  if (!o.layout.empty() && same_file(o.layout, o.output))
    throw UsageError{"-o en --layout moeten verschillende bestanden zijn"};
  const auto templates = templates_dir();
  const auto rule_sets = load_rule_sets(templates / "regelingen");
  std::optional<Contract> rendered;
  if (is_amendment_file(o.file)) {
    if (o.basis.overeenkomst.empty()) throw UsageError{"een wijziging vraagt --overeenkomst OVEREENKOMST.xml"};
    WijzigingValidation w = validate_amendment(o.file, o.basis, rule_sets);
    check_printable(w, read_whole_file(o.file), templates);
    if (!w.valid()) {
      print_findings(w.findings, o.file, o.taal, false);
      return kInvalid;
    }
    rendered = render_wijziging(w.stuk, templates);
  } else {
    if (!o.basis.overeenkomst.empty() || !o.basis.vorige.empty()) {
      throw UsageError{"--overeenkomst en --vorige horen bij een wijziging"};
    }
    Validation v = validate_file(o.file, rule_sets);
    check_printable(v, read_whole_file(o.file), templates);
    if (!v.valid()) {
      print_validation(v, o.file, o.taal, false);
      return kInvalid;
    }
    rendered = render_contract(v.agreement, templates);
  }
  const Contract& contract = *rendered;
  // Both files are complete on disk before either replaces what was there; a directory in the
  // way would make a rename fail after the other had been done, so it is refused first.
  for (const auto& path : {o.output, o.layout}) {
    if (!path.empty() && std::filesystem::is_directory(path))
      throw Error("kan " + path + " niet schrijven: het is een map");
  }
  std::vector<StagedFile> staged;
  staged.push_back(StagedFile(o.output, contract.pdf));
  if (!o.layout.empty()) staged.push_back(StagedFile(o.layout, layout_json(contract.layout)));
  for (std::size_t i = 0; i < staged.size(); ++i) {
    try {
      staged[i].commit();
    } catch (const Error& e) {
      if (i == 0) throw;
      throw Error(std::string(e.what()) + " (" + o.output + " is al vervangen door het nieuwe contract)");
    }
  }
  std::cout << o.output << ": " << contract.layout.pages.size() << (o.taal == Taal::nl ? " pagina's, " : " pages, ")
            << contract.layout.fields.size() << (o.taal == Taal::nl ? " handtekeningvelden, " : " signature fields, ")
            << contract.pdf.size() << " bytes\n";
  return kOk;
}

}  // namespace

const Command kRender{"render", "maak het contract (PDF) van een geldige overeenkomst", kUsageText, run};

}  // namespace sto::cli
