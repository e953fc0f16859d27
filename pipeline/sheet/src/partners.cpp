// Import: the partner sheet's cells → the agreement's <partners>, validated as `sto validate`
// does, with every finding about a sheet value moved to its cell.
//
// The sheet's partners are written as XML the reader knows, one element per line, and each
// line remembers the sheet row it came from: a finding of the reader or the rules names a line
// and an element, which (with the rule id or the attribute it names) gives the column.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <pugixml.hpp>

#include "partner_rows.h"
#include "sto/html.h"

namespace sto {

namespace {

using namespace detail;

// Which element a line of the generated XML holds.
enum class Element : std::uint8_t {
  partner,
  naam,
  brin,
  vestigingsnummer,
  bevoegd_gezag,
  kvk,
  adres,
  bijdrage,
  tekenbevoegde
};

struct Origin {
  std::size_t partner = 0;
  int tekenbevoegde = -1;  // index in the partner's tekenbevoegden, or -1
  Element element = Element::partner;
};

// The <partners> element for the sheet's partners, one element per line, and per line where it
// came from (origins[k] for the k-th line after <partners>).
std::string partners_xml(const std::vector<SheetPartner>& partners, std::vector<Origin>& origins) {
  std::string xml = "<partners>\n";
  const auto line = [&](std::size_t p, int t, Element e, const std::string& text) {
    xml += text + "\n";
    origins.push_back({p, t, e});
  };
  const auto attr = [](const char* name, const Value& v) {
    return std::string(" ") + name + "=\"" + xml_escape(v.text) + "\"";
  };
  const auto text = [](const Value& v) { return xml_escape(v.text); };
  for (std::size_t i = 0; i < partners.size(); ++i) {
    const auto& v = partners[i].values;
    line(i, -1, Element::partner,
         "    <partner" + attr("id", v[kId]) + attr("soort", v[kSoort]) +
             (v[kPenvoerder].text == "ja" ? std::string(" penvoerder=\"ja\"") : "") + ">");
    line(i, -1, Element::naam, "      <naam>" + text(v[kNaam]) + "</naam>");
    if (!v[kBrin].text.empty()) line(i, -1, Element::brin, "      <brin>" + text(v[kBrin]) + "</brin>");
    if (!v[kVestigingsnummer].text.empty()) {
      line(i, -1, Element::vestigingsnummer,
           "      <vestigingsnummer>" + text(v[kVestigingsnummer]) + "</vestigingsnummer>");
    }
    if (!v[kBevoegdGezag].text.empty() || !v[kBevoegdGezagNummer].text.empty()) {
      line(i, -1, Element::bevoegd_gezag,
           "      <bevoegdGezag" + attr("naam", v[kBevoegdGezag]) + attr("nummer", v[kBevoegdGezagNummer]) + "/>");
    }
    if (!v[kKvk].text.empty()) line(i, -1, Element::kvk, "      <kvk>" + text(v[kKvk]) + "</kvk>");
    if (!v[kStraat].text.empty() || !v[kPostcode].text.empty() || !v[kPlaats].text.empty()) {
      line(i, -1, Element::adres,
           "      <adres" + attr("straat", v[kStraat]) + attr("postcode", v[kPostcode]) + attr("plaats", v[kPlaats]) +
               "/>");
    }
    line(i, -1, Element::bijdrage,
         "      <bijdrage" + (v[kGeld].text.empty() ? std::string() : attr("geld", v[kGeld])) +
             (v[kUren].text.empty() ? std::string() : attr("uren", v[kUren])) + ">" + text(v[kBijdrage]) +
             "</bijdrage>");
    for (std::size_t t = 0; t < partners[i].tekenbevoegden.size(); ++t) {
      const auto& tv = partners[i].tekenbevoegden[t].values;
      line(i, static_cast<int>(t), Element::tekenbevoegde,
           "      <tekenbevoegde" + attr("id", tv[kTekenbevoegdeId]) + attr("naam", tv[kTekenbevoegdeNaam]) +
               attr("functie", tv[kFunctie]) + attr("hoedanigheid", tv[kHoedanigheid]) +
               (tv[kMachtiging].text.empty() ? std::string() : attr("machtiging", tv[kMachtiging])) +
               attr("email", tv[kEmail]) + "/>");
    }
    line(i, -1, Element::partner, "    </partner>");
  }
  xml += "  </partners>";
  return xml;
}

// The column a finding about `origin`'s element concerns: by its rule, else by the attribute
// it names, else the element's own column.
int column_of(const Finding& f, Element e) {
  const bool tek = e == Element::tekenbevoegde;
  static const std::map<std::string_view, int> by_rule = {
      {"R8.kvk", kKvk},
      {"R8.brin", kBrin},
      {"brin.dubbel", kBrin},
      {"R8.vestigingsnummer", kVestigingsnummer},
      {"R8.postcode", kPostcode},
      {"R8.bevoegd-gezag-nummer", kBevoegdGezagNummer},
      {"bedrag.ongeldig", kGeld},
      {"uren.ongeldig", kUren},
      {"bijdrage.leeg", kBijdrage},
      {"email.ongeldig", kEmail},
      {"R6.dubbele-ondertekenaar", kEmail},
      {"machtiging.ontbreekt", kMachtiging},
      {"machtiging.onnodig", kMachtiging},
      {"R2.tekenbevoegde", kHoedanigheid},
      {"R3.tekenbevoegde", kHoedanigheid},
      {"penvoerder.aantal", kPenvoerder},
      {"penvoerder.soort", kSoort},
      {"penvoerder.vso", kSoort},
  };
  if (const auto it = by_rule.find(f.rule); it != by_rule.end()) return it->second;
  if (f.rule.starts_with("id.")) return tek ? kTekenbevoegdeId : kId;
  if (f.rule == "naam.lengte") return tek ? kTekenbevoegdeNaam : kNaam;
  std::string attribute;
  for (const auto& [key, value] : f.args) {
    if (key == "naam") attribute = value;
  }
  static const std::map<std::pair<Element, std::string_view>, int> by_attribute = {
      {{Element::partner, "id"}, kId},
      {{Element::partner, "soort"}, kSoort},
      {{Element::partner, "penvoerder"}, kPenvoerder},
      {{Element::bevoegd_gezag, "naam"}, kBevoegdGezag},
      {{Element::bevoegd_gezag, "nummer"}, kBevoegdGezagNummer},
      {{Element::adres, "straat"}, kStraat},
      {{Element::adres, "postcode"}, kPostcode},
      {{Element::adres, "plaats"}, kPlaats},
      {{Element::bijdrage, "geld"}, kGeld},
      {{Element::bijdrage, "uren"}, kUren},
      {{Element::tekenbevoegde, "id"}, kTekenbevoegdeId},
      {{Element::tekenbevoegde, "naam"}, kTekenbevoegdeNaam},
      {{Element::tekenbevoegde, "functie"}, kFunctie},
      {{Element::tekenbevoegde, "hoedanigheid"}, kHoedanigheid},
      {{Element::tekenbevoegde, "machtiging"}, kMachtiging},
      {{Element::tekenbevoegde, "email"}, kEmail},
  };
  if (const auto it = by_attribute.find({e, attribute}); it != by_attribute.end()) return it->second;
  switch (e) {
    case Element::partner:
      return kId;
    case Element::naam:
      return kNaam;
    case Element::brin:
      return kBrin;
    case Element::vestigingsnummer:
      return kVestigingsnummer;
    case Element::bevoegd_gezag:
      return kBevoegdGezag;
    case Element::kvk:
      return kKvk;
    case Element::adres:
      return kStraat;
    case Element::bijdrage:
      return kBijdrage;
    case Element::tekenbevoegde:
      return kTekenbevoegdeNaam;
  }
  return kId;
}

// The byte range of the agreement's <partners> element (<partners>…</partners> or <partners/>,
// with any namespace prefix), found by the XML parser so comments and text do not mislead it.
// nullopt when the agreement is not XML with one such element: its own findings say why.
std::optional<std::pair<std::size_t, std::size_t>> partners_range(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_comments)) return std::nullopt;
  const auto local = [](const pugi::xml_node& n) {
    const std::string_view name = n.name();
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
  };
  pugi::xml_node found;
  for (pugi::xml_node n = doc.document_element().first_child(); n; n = n.next_sibling()) {
    if (n.type() != pugi::node_element || local(n) != "partners") continue;
    if (found) return std::nullopt;  // two: the reader reports it
    found = n;
  }
  if (!found) return std::nullopt;
  const auto begin = static_cast<std::size_t>(found.offset_debug());
  // pugixml points at the name, after '<'.
  const std::size_t start = begin > 0 && xml[begin - 1] == '<' ? begin - 1 : begin;
  const std::size_t open_end = xml.find('>', start);
  if (open_end == std::string_view::npos) return std::nullopt;
  if (xml[open_end - 1] == '/') return std::make_pair(start, open_end + 1);
  // The closing tag: the last "</name>" before the next element, or before the parent's end.
  const std::string close = "</" + std::string(found.name()) + ">";
  const pugi::xml_node next = found.next_sibling();
  const std::size_t limit = next ? static_cast<std::size_t>(next.offset_debug()) : xml.size();
  const std::size_t at = xml.substr(0, limit).rfind(close);
  if (at == std::string_view::npos || at < open_end) return std::nullopt;
  return std::make_pair(start, at + close.size());
}

int line_at(std::string_view text, std::size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace

PartnerImport import_partner_sheet(const std::filesystem::path& sheet_path, const std::string& sheet_source,
                                   std::string_view agreement_xml, const std::string& agreement_source,
                                   const std::vector<RuleSet>& rule_sets,
                                   const std::function<void(Validation&, std::string_view)>& also) {
  PartnerImport result;
  const auto range = partners_range(agreement_xml);
  if (!range) {  // not an agreement the partners can go into: what is wrong with it
    result.validation = validate(agreement_xml, agreement_source, rule_sets);
    if (result.validation.valid()) {
      result.validation.findings.push_back(
          make_finding("xml.ontbreekt-element", 0, "samenwerkingsovereenkomst", {},
                       {{"ouder", "samenwerkingsovereenkomst"}, {"naam", "partners"}}));
      result.validation.findings.back().file = agreement_source;
    }
    return result;
  }
  const auto [begin, end] = *range;
  Workbook book;
  try {
    book = read_workbook(sheet_path);
  } catch (const SheetError& e) {
    Reader r(sheet_source, "");
    r.add("blad.onleesbaar", "", {{"reden", e.what()}});
    result.validation.findings = std::move(r.findings());
    return result;
  }
  const Sheet* sheet = partner_sheet_of(book);
  Reader r(sheet_source, sheet != nullptr ? sheet->name : "Partners");
  if (sheet == nullptr || sheet->rows.empty()) {
    r.add("blad.kop-ontbreekt", "A1", {});
    result.validation.findings = std::move(r.findings());
    return result;
  }
  const auto columns = read_header(sheet->rows.front(), r);
  const std::vector<SheetPartner> partners = read_partners(*sheet, 0, columns, r);
  if (partners.empty() && !columns.empty()) r.add("blad.geen-partners", cell_name(0, sheet->rows.front().number), {});
  if (has_errors(r.findings())) {
    result.validation.findings = std::move(r.findings());
    return result;
  }

  // The block goes on lines of its own, so that a line inside it is the sheet's and a line
  // outside it is the agreement's own.
  std::vector<Origin> origins;
  const std::string block = partners_xml(partners, origins);
  const std::string_view before = agreement_xml.substr(0, begin);
  const std::string_view after = agreement_xml.substr(end);
  const bool own_start = before.empty() || before.find_last_not_of(" \t") == std::string_view::npos ||
                         before[before.find_last_not_of(" \t")] == '\n';
  const bool own_end = after.empty() || after.front() == '\n' || after.front() == '\r';
  result.agreement_xml =
      std::string(before) + (own_start ? "" : "\n") + block + (own_end ? "" : "\n") + std::string(after);
  result.validation = validate(result.agreement_xml, agreement_source, rule_sets);
  if (also) also(result.validation, result.agreement_xml);

  const std::size_t block_at = before.size() + (own_start ? 0 : 1);
  const int first = line_at(result.agreement_xml, block_at);      // the line of <partners>
  const int last = first + static_cast<int>(origins.size()) + 1;  // the line of </partners>
  // A line after the block, back to the original's: the text after </partners> starts there.
  const int shift = line_at(agreement_xml, end) - (last + (own_end ? 0 : 1));
  const auto cell_of = [&](const Finding& f, int line) {
    const Origin& o = origins[static_cast<std::size_t>(line - first - 1)];
    const SheetPartner& p = partners[o.partner];
    const int column = column_of(f, o.element);
    const bool own = o.tekenbevoegde >= 0 && !is_partner_column(column);
    const auto& values = own ? p.tekenbevoegden[static_cast<std::size_t>(o.tekenbevoegde)].values : p.values;
    const int row = own ? p.tekenbevoegden[static_cast<std::size_t>(o.tekenbevoegde)].row : p.row;
    std::string cell = values[static_cast<std::size_t>(column)].cell;
    if (cell.empty()) {  // an empty cell: where it would be
      for (const auto& [position, c] : columns) {
        if (c == column) cell = cell_name(static_cast<int>(position), row);
      }
      if (cell.empty()) cell = cell_name(0, row);
    }
    return cell;
  };
  for (Finding& f : result.validation.findings) {
    // An argument naming another line inside the block ("already used on line 21") names its cell.
    for (auto& [key, value] : f.args) {
      if (key != "eerste" || value.empty() || value.size() > 9 ||
          value.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      const int line = std::stoi(value);
      if (line > first && line < last) value = sheet->name + "!" + cell_of(f, line);
    }
    if (f.line > first && f.line < last) {
      f.cell = cell_of(f, f.line);
      f.file = sheet_source;
      f.sheet = sheet->name;
      f.line = 0;
    } else if (f.line == first || f.line == last) {  // the list as a whole: the sheet, no cell
      f.file = sheet_source;
      f.line = 0;
    } else if (f.line > last) {
      f.line += shift;
    }
  }
  Findings all = std::move(r.findings());
  all.insert(all.end(), std::make_move_iterator(result.validation.findings.begin()),
             std::make_move_iterator(result.validation.findings.end()));
  result.validation.findings = std::move(all);
  return result;
}

}  // namespace sto
