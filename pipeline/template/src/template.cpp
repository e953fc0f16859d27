// The template engine: a pugixml-read template, filled from the view (view.cpp) into a
// Document. <elk> and <als> may wrap anything; each other element is a block (or a row, item or
// signatory inside its parent). Errors name the template's file and line.
#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <set>

#include <pugixml.hpp>

#include "sto/template.h"
#include "view.h"

namespace sto {

namespace {

constexpr std::string_view kNamespace = "urn:sto:sjabloon:1";

using detail::Scope;
using detail::Words;

}  // namespace

struct Template::Source {
  std::filesystem::path file;
  std::string bytes;
  pugi::xml_document doc;
  Taal taal = Taal::nl;
  bool wijziging = false;  // <sjabloon document="wijziging">: an amendment's text
  Words words;

  int line_of(pugi::xml_node node) const {
    const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, node.offset_debug()));
    return 1 + static_cast<int>(std::count(bytes.begin(), bytes.begin() + std::min(offset, bytes.size()), '\n'));
  }

  [[noreturn]] void fail(pugi::xml_node node, const std::string& what) const {
    throw Error(file.string() + ":" + std::to_string(line_of(node)) + ": sjabloon: " + what);
  }
};

namespace {

// Reads a template's blocks into a Document, resolving placeholders against a scope stack.
class Filler {
 public:
  // In check mode every <als> branch is taken and every <elk> visits its first entry only, so
  // that one fill with a specimen agreement (specimen()) meets every placeholder of the template.
  Filler(const Template::Source& source, Document& out, bool check = false) : src_(source), out_(out), check_(check) {}

  // When filling for real: every <ondertekenaar> must carry one of these tekenbevoegde ids, each
  // once (signing finds a field by it). Not in check mode, where alternative branches both run.
  void expect_signatories(std::set<std::string> ids) { expected_ = std::move(ids); }
  // The expected ids no <ondertekenaar> carried.
  std::vector<std::string> unsigned_ids() const {
    std::vector<std::string> out;
    for (const auto& id : expected_) {
      if (!seen_.contains(id)) out.push_back(id);
    }
    return out;
  }

  void push(const Scope& scope) { stack_.push_back(&scope); }
  void pop() { stack_.pop_back(); }

  // "{partner.naam} ({partner.id})" with every placeholder replaced; "{{" and "}}" are braces.
  std::string text(pugi::xml_node node, std::string_view raw) const;
  std::string attr(pugi::xml_node node, const char* name) const { return text(node, node.attribute(name).value()); }
  std::string body(pugi::xml_node node) const { return collapse(text(node, node.child_value())); }

  // Calls `visit` for each child element, expanding <elk> and <als> in place.
  template <typename Visit>
  void each(pugi::xml_node parent, Visit&& visit);

  void blocks(pugi::xml_node parent);

 private:
  static std::string collapse(std::string_view text);
  const std::string* value(std::string_view name) const;
  const std::vector<Scope>* list(std::string_view name) const;
  void block(pugi::xml_node node);
  Table table(pugi::xml_node node);
  SignatureBlock signatures(pugi::xml_node node);

  const Template::Source& src_;
  Document& out_;
  std::vector<const Scope*> stack_;
  int article_ = 0;
  bool check_ = false;
  std::set<std::string> expected_;
  std::set<std::string> seen_;
};

std::string Filler::collapse(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

const std::string* Filler::value(std::string_view name) const {
  for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
    if (const auto found = (*it)->values.find(name); found != (*it)->values.end()) return &found->second;
  }
  return nullptr;
}

const std::vector<Scope>* Filler::list(std::string_view name) const {
  for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
    if (const auto found = (*it)->lists.find(name); found != (*it)->lists.end()) return &found->second;
  }
  return nullptr;
}

std::string Filler::text(pugi::xml_node node, std::string_view raw) const {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if ((c == '{' || c == '}') && i + 1 < raw.size() && raw[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c == '}') src_.fail(node, "losse '}' (schrijf '}}' voor een accolade)");
    if (c != '{') {
      out += c;
      continue;
    }
    const std::size_t close = raw.find('}', i);
    if (close == std::string_view::npos) src_.fail(node, "'{' zonder '}'");
    const std::string_view name = raw.substr(i + 1, close - i - 1);
    if (name.starts_with("woord:")) {
      const auto w = src_.words.find(name.substr(6));
      if (w == src_.words.end())
        src_.fail(node, "onbekend woord \"" + std::string(name.substr(6)) + "\" (zie <woorden>)");
      out += w->second;
    } else if (const std::string* v = value(name)) {
      out += *v;
    } else {
      src_.fail(node, "onbekende waarde {" + std::string(name) + "}");
    }
    i = close;
  }
  return out;
}

template <typename Visit>
void Filler::each(pugi::xml_node parent, Visit&& visit) {
  for (const auto child : parent.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = child.name();
    if (name == "elk") {
      const char* list_name = child.attribute("lijst").value();
      const std::vector<Scope>* items = list(list_name);
      if (items == nullptr) src_.fail(child, "onbekende lijst \"" + std::string(list_name) + "\"");
      for (const Scope& item : *items) {
        push(item);
        each(child, visit);
        pop();
        if (check_) break;
      }
    } else if (name == "als") {
      const bool negate = child.attribute("niet");
      const char* what = negate ? child.attribute("niet").value() : child.attribute("waarde").value();
      const std::string* v = value(what);
      if (v == nullptr) src_.fail(child, "onbekende waarde \"" + std::string(what) + "\" in <als>");
      if (check_ || v->empty() == negate) each(child, visit);
    } else {
      visit(child);
    }
  }
}

void Filler::blocks(pugi::xml_node parent) {
  each(parent, [&](pugi::xml_node node) { block(node); });
}

void Filler::block(pugi::xml_node node) {
  const std::string_view name = node.name();
  if (name == "titel") {
    out_.title = body(node);
  } else if (name == "ondertitel") {
    out_.subtitle = body(node);
  } else if (name == "kop") {
    Heading h;
    h.level = std::string_view(node.attribute("niveau").value()) == "2" ? 2 : 1;
    if (std::string_view(node.attribute("genummerd").value()) == "ja") h.number = std::to_string(++article_) + ".";
    h.text = body(node);
    out_.blocks.emplace_back(std::move(h));
  } else if (name == "alinea") {
    const std::string_view stijl = node.attribute("stijl").value();
    const auto style = stijl == "vet"     ? ParagraphStyle::bold
                       : stijl == "klein" ? ParagraphStyle::small
                                          : ParagraphStyle::normal;
    if (std::string text = body(node); !text.empty()) out_.blocks.emplace_back(Paragraph{std::move(text), style});
  } else if (name == "lijst") {
    ItemList l;
    l.numbered = std::string_view(node.attribute("genummerd").value()) == "ja";
    each(node, [&](pugi::xml_node item) {
      if (std::string_view(item.name()) != "item") src_.fail(item, "in <lijst> hoort alleen <item>");
      l.items.push_back(body(item));
    });
    if (!l.items.empty()) out_.blocks.emplace_back(std::move(l));
  } else if (name == "gegevens") {
    Fields f;
    each(node, [&](pugi::xml_node row) {
      if (std::string_view(row.name()) != "rij") src_.fail(row, "in <gegevens> hoort alleen <rij>");
      if (std::string v = body(row); !v.empty()) f.rows.emplace_back(attr(row, "label"), std::move(v));
    });
    if (!f.rows.empty()) out_.blocks.emplace_back(std::move(f));
  } else if (name == "tabel") {
    out_.blocks.emplace_back(table(node));
  } else if (name == "handtekeningen") {
    out_.blocks.emplace_back(signatures(node));
  } else if (name == "nieuwepagina") {
    out_.blocks.emplace_back(PageBreak{});
  } else if (name == "woorden" || name == "info") {
    // read by Template::load and fill()
  } else {
    src_.fail(node, "onbekend element <" + std::string(name) + ">");
  }
}

Table Filler::table(pugi::xml_node node) {
  Table t;
  const auto cells = [&](pugi::xml_node row) {
    std::vector<std::string> out;
    each(row, [&](pugi::xml_node cell) {
      if (std::string_view(cell.name()) != "cel") src_.fail(cell, "in een rij hoort alleen <cel>");
      out.push_back(body(cell));
    });
    if (out.size() != t.columns.size()) src_.fail(row, "de rij heeft niet evenveel cellen als de tabel kolommen");
    return out;
  };
  each(node, [&](pugi::xml_node child) {
    const std::string_view name = child.name();
    if (name == "kolom") {
      Column c;
      c.header = attr(child, "kop");
      // from_chars: locale-independent, and the whole value must be the number ("5.2cm" is not).
      const std::string_view width = child.attribute("breedte").value();
      c.width = 1.0;
      if (child.attribute("breedte")) {
        const auto [end, error] = std::from_chars(width.data(), width.data() + width.size(), c.width);
        if (error != std::errc{} || end != width.data() + width.size()) c.width = 0;
      }
      if (!(c.width > 0 && c.width < 100)) src_.fail(child, "breedte moet een getal tussen 0 en 100 zijn, zoals 2.5");
      c.align = std::string_view(child.attribute("uitlijning").value()) == "rechts" ? Align::right : Align::left;
      t.columns.push_back(std::move(c));
    } else if (name == "rij") {
      t.rows.push_back(cells(child));
    } else if (name == "totaal") {
      t.footer = cells(child);
    } else {
      src_.fail(child, "in <tabel> horen <kolom>, <rij> en <totaal>");
    }
  });
  if (t.columns.empty()) src_.fail(node, "een tabel heeft ten minste één <kolom>");
  return t;
}

SignatureBlock Filler::signatures(pugi::xml_node node) {
  SignatureBlock b{attr(node, "partner-id"), attr(node, "titel"), attr(node, "partner"), {}};
  each(node, [&](pugi::xml_node s) {
    if (std::string_view(s.name()) != "ondertekenaar") src_.fail(s, "in <handtekeningen> hoort alleen <ondertekenaar>");
    std::string id = attr(s, "id");
    if (!check_ && (!expected_.contains(id) || !seen_.insert(id).second)) {
      src_.fail(s,
                "<ondertekenaar id=\"" + id + "\"> moet precies één keer voorkomen, met de id van een tekenbevoegde");
    }
    b.signatories.push_back(
        {std::move(id), attr(s, "naam"), attr(s, "functie"), attr(s, "hoedanigheid"), attr(s, "machtiging")});
  });
  return b;
}

// Structure checked once at load, so a typo fails before any agreement is filled: every element
// and attribute must be known, and attributes with a fixed set of values must have one of them.
struct ElementSpec {
  std::string_view name;
  std::vector<std::string_view> attributes;
};

void check_names(const Template::Source& src, pugi::xml_node node) {
  static const std::vector<ElementSpec> kElements{
      {"woorden", {}},
      {"woord", {"sleutel"}},
      {"info", {"titel", "onderwerp", "auteur", "koptekst", "voettekst", "vingerafdruk"}},
      {"titel", {}},
      {"ondertitel", {}},
      {"kop", {"genummerd", "niveau"}},
      {"alinea", {"stijl"}},
      {"lijst", {"genummerd"}},
      {"item", {}},
      {"gegevens", {}},
      {"rij", {"label"}},
      {"tabel", {}},
      {"kolom", {"kop", "breedte", "uitlijning"}},
      {"cel", {}},
      {"totaal", {}},
      {"handtekeningen", {"partner-id", "titel", "partner"}},
      {"ondertekenaar", {"id", "naam", "functie", "hoedanigheid", "machtiging"}},
      {"nieuwepagina", {}},
      {"elk", {"lijst"}},
      {"als", {"waarde", "niet"}}};
  static const std::vector<std::pair<std::string_view, std::vector<std::string_view>>> kValues{
      {"genummerd", {"ja", "nee"}},
      {"niveau", {"1", "2"}},
      {"stijl", {"normaal", "vet", "klein"}},
      {"uitlijning", {"links", "rechts"}}};
  for (const auto child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = child.name();
    const auto spec = std::find_if(kElements.begin(), kElements.end(), [&](const auto& e) { return e.name == name; });
    if (spec == kElements.end()) src.fail(child, "onbekend element <" + std::string(name) + ">");
    for (const auto a : child.attributes()) {
      const std::string_view attribute = a.name();
      if (std::find(spec->attributes.begin(), spec->attributes.end(), attribute) == spec->attributes.end()) {
        src.fail(child, "onbekend attribuut " + std::string(attribute) + " op <" + std::string(name) + ">");
      }
      for (const auto& [key, allowed] : kValues) {
        if (key == attribute && std::find(allowed.begin(), allowed.end(), a.value()) == allowed.end()) {
          std::string list;
          for (const auto v : allowed) list += (list.empty() ? "" : ", ") + std::string(v);
          src.fail(child, std::string(attribute) + "=\"" + a.value() + "\" is niet toegestaan; kies uit " + list);
        }
      }
    }
    if (name == "als" && child.attribute("waarde").empty() == child.attribute("niet").empty()) {
      src.fail(child, "<als> heeft precies één van waarde=\"...\" en niet=\"...\"");
    }
    if (name == "elk" && child.attribute("lijst").empty()) src.fail(child, "<elk> zonder lijst=\"...\"");
    check_names(src, child);
  }
}

// An agreement with one of every list (partner, tekenbevoegde, document, afspraak, alinea,
// item): filling the template with it in check mode meets every placeholder and list.
Agreement specimen() {
  Agreement a;
  a.xml_sha256 = "5ac1ab1e" + std::string(56, '0');
  Partner p;
  p.id = "p1";
  p.soort = PartnerSoort::vmbo;
  p.penvoerder = true;
  p.tekenbevoegden.push_back(Tekenbevoegde{"s1", "naam", "functie", Hoedanigheid::bestuur, {}, {}, 0});
  a.partners.push_back(std::move(p));
  a.verwijzingen.push_back(Verwijzing{DocumentSoort::regiovisie, "titel", std::nullopt, {}, 0});
  Afspraak afspraak{"titel", {}, 0};
  afspraak.alineas.push_back(Alinea{"tekst", {"item"}, false, 0});
  a.afspraken.push_back(std::move(afspraak));
  return a;
}

// An amendment with every value and one entry in every list, for the check of a wijziging template.
Wijzigingsstuk specimen_wijziging() {
  Wijzigingsstuk stuk;
  stuk.document = specimen();
  stuk.voor = specimen();
  stuk.na = specimen();
  stuk.wijziging.xml_sha256 = stuk.document.xml_sha256;
  stuk.wijziging.soort = WijzigingSoort::toetreding;
  stuk.wijziging.partner = stuk.voor.partners.front();
  stuk.wijziging.partner_id = stuk.voor.partners.front().id;
  return stuk;
}

}  // namespace

Template::Template(std::unique_ptr<Source> source) : source_(std::move(source)) {}
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::~Template() = default;

Template Template::load(const std::filesystem::path& file) {
  auto src = std::make_unique<Source>();
  src->file = file;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("kan sjabloon " + file.string() + " niet openen");
  src->bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  const auto parsed =
      src->doc.load_buffer(src->bytes.data(), src->bytes.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    const auto line =
        1 + std::count(src->bytes.begin(), src->bytes.begin() + std::min<std::size_t>(parsed.offset, src->bytes.size()),
                       '\n');
    throw Error(file.string() + ":" + std::to_string(line) +
                ": sjabloon is geen goedgevormde XML: " + parsed.description());
  }
  const auto root = src->doc.document_element();
  if (std::string_view(root.name()) != "sjabloon" || root.attribute("xmlns").value() != kNamespace) {
    src->fail(root, "het hoofdelement moet <sjabloon xmlns=\"urn:sto:sjabloon:1\"> zijn");
  }
  const std::string_view taal = root.attribute("taal").value();
  if (taal != "nl" && taal != "en") src->fail(root, "taal moet nl of en zijn");
  src->taal = taal == "en" ? Taal::en : Taal::nl;
  const std::string_view soort = root.attribute("document").value();
  if (!soort.empty() && soort != "overeenkomst" && soort != "wijziging") {
    src->fail(root, "document moet overeenkomst of wijziging zijn");
  }
  src->wijziging = soort == "wijziging";
  check_names(*src, root);
  const auto words = root.child("woorden");
  for (const auto w : words.children("woord")) src->words[w.attribute("sleutel").value()] = w.child_value();
  for (const auto& key : detail::required_words()) {
    if (!src->words.contains(key)) src->fail(words ? words : root, "<woorden> mist <woord sleutel=\"" + key + "\">");
  }
  const auto info = root.child("info");
  if (!info) src->fail(root, "<info> ontbreekt");
  // Every placeholder, word and list, in every branch, before any agreement is filled.
  const Wijzigingsstuk sample_stuk = specimen_wijziging();
  const Agreement& sample = sample_stuk.document;
  const Document filled = fill_source(*src, sample, src->wijziging ? &sample_stuk : nullptr, true);
  if (filled.info.fingerprint.find(sample.xml_sha256) == std::string::npos) {
    src->fail(info, "vingerafdruk moet {xml.sha256} tonen: die bindt het papier aan de XML");
  }
  return Template(std::move(src));
}

Template Template::load_for(const std::filesystem::path& templates_dir, Taal taal) {
  Template t = load(templates_dir / (taal == Taal::en ? "en" : "nl") / "overeenkomst.xml");
  if (t.source_->wijziging) t.source_->fail(t.source_->doc.document_element(), "dit is geen overeenkomstsjabloon");
  return t;
}

Template Template::load_wijziging_for(const std::filesystem::path& templates_dir, Taal taal) {
  Template t = load(templates_dir / (taal == Taal::en ? "en" : "nl") / "wijziging.xml");
  if (!t.source_->wijziging) {
    t.source_->fail(t.source_->doc.document_element(), "een wijzigingssjabloon heeft document=\"wijziging\"");
  }
  return t;
}

Document Template::fill(const Agreement& agreement) const {
  if (source_->wijziging) source_->fail(source_->doc.document_element(), "dit sjabloon vult alleen een wijziging");
  return fill_source(*source_, agreement, nullptr, false);
}

Document Template::fill(const Wijzigingsstuk& stuk) const {
  if (!source_->wijziging) source_->fail(source_->doc.document_element(), "dit sjabloon vult geen wijziging");
  return fill_source(*source_, stuk.document, &stuk, false);
}

namespace {

std::set<std::string> tekenbevoegde_ids(const Agreement& agreement) {
  std::set<std::string> ids;
  for (const auto& p : agreement.partners) {
    for (const auto& t : p.tekenbevoegden) ids.insert(t.id);
  }
  return ids;
}

}  // namespace

Document Template::fill_source(const Source& src, const Agreement& agreement, const Wijzigingsstuk* stuk, bool check) {
  const Scope view = detail::make_view(agreement, stuk, src.words, src.taal);
  Document doc;
  Filler filler(src, doc, check);
  filler.push(view);
  const auto root = src.doc.document_element();
  const auto info = root.child("info");
  doc.info.title = filler.attr(info, "titel");
  doc.info.subject = filler.attr(info, "onderwerp");
  doc.info.author = filler.attr(info, "auteur");
  doc.info.created = agreement.opgesteld.datum.value_or(Date{});
  doc.info.header = filler.attr(info, "koptekst");
  {
    // The page numbers are known only after layout: in the footer they pass through as placeholders.
    const Scope pages{{{"pagina", "{pagina}"}, {"paginas", "{paginas}"}}, {}};
    filler.push(pages);
    doc.info.footer = filler.attr(info, "voettekst");
    filler.pop();
  }
  doc.info.fingerprint = filler.attr(info, "vingerafdruk");
  const auto label = [&](const char* key) { return src.words.at(std::string("label.") + key); };
  doc.info.label_naam = label("naam");
  doc.info.label_functie = label("functie");
  doc.info.label_hoedanigheid = label("hoedanigheid");
  doc.info.label_machtiging = label("machtiging");
  doc.info.label_datum = label("datum");
  doc.info.label_handtekening = label("handtekening");
  doc.info.label_ondertekend = label("ondertekend");
  if (!check) filler.expect_signatories(tekenbevoegde_ids(agreement));
  filler.blocks(root);
  if (const auto missing = filler.unsigned_ids(); !missing.empty()) {
    src.fail(root, "tekenbevoegde " + missing.front() + " heeft geen <ondertekenaar> (handtekeningveld)");
  }
  return doc;
}

}  // namespace sto
