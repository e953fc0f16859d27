// The template engine: a pugixml-read template, filled from the view (view.cpp) into a
// Document. <elk> and <als> may wrap anything; each other element is a block (or a row, item or
// signatory inside its parent). Errors name the template's file and line.
#include <algorithm>
#include <fstream>
#include <iterator>

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
  Filler(const Template::Source& source, Document& out) : src_(source), out_(out) {}

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
      }
    } else if (name == "als") {
      const bool negate = child.attribute("niet");
      const char* what = negate ? child.attribute("niet").value() : child.attribute("waarde").value();
      const std::string* v = value(what);
      if (v == nullptr) src_.fail(child, "onbekende waarde \"" + std::string(what) + "\" in <als>");
      if (v->empty() == negate) each(child, visit);
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
      const std::string width = child.attribute("breedte").value();
      c.width = width.empty() ? 1.0 : std::stod(width);
      if (!(c.width > 0 && c.width < 100)) src_.fail(child, "breedte moet een getal tussen 0 en 100 zijn");
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
    b.signatories.push_back(
        {attr(s, "id"), attr(s, "naam"), attr(s, "functie"), attr(s, "hoedanigheid"), attr(s, "machtiging")});
  });
  return b;
}

// Structure checked once at load, so a typo fails before any agreement is filled.
void check_names(const Template::Source& src, pugi::xml_node node) {
  static const std::vector<std::string_view> kKnown{
      "woorden", "woord",          "info",          "titel",        "ondertitel", "kop",   "alinea",
      "lijst",   "item",           "gegevens",      "rij",          "tabel",      "kolom", "cel",
      "totaal",  "handtekeningen", "ondertekenaar", "nieuwepagina", "elk",        "als"};
  for (const auto child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (std::find(kKnown.begin(), kKnown.end(), std::string_view(child.name())) == kKnown.end()) {
      src.fail(child, "onbekend element <" + std::string(child.name()) + ">");
    }
    check_names(src, child);
  }
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
  check_names(*src, root);
  const auto words = root.child("woorden");
  for (const auto w : words.children("woord")) src->words[w.attribute("sleutel").value()] = w.child_value();
  for (const auto& key : detail::required_words()) {
    if (!src->words.contains(key)) src->fail(words ? words : root, "<woorden> mist <woord sleutel=\"" + key + "\">");
  }
  if (!root.child("info")) src->fail(root, "<info> ontbreekt");
  return Template(std::move(src));
}

Template Template::load_for(const std::filesystem::path& templates_dir, Taal taal) {
  return load(templates_dir / (taal == Taal::en ? "en" : "nl") / "overeenkomst.xml");
}

Document Template::fill(const Agreement& agreement) const {
  const Source& src = *source_;
  const Scope view = detail::make_view(agreement, src.words, src.taal);
  Document doc;
  Filler filler(src, doc);
  filler.push(view);
  // The page numbers are known only after layout: they pass through as placeholders.
  const Scope pages{{{"pagina", "{pagina}"}, {"paginas", "{paginas}"}}, {}};
  filler.push(pages);
  const auto root = src.doc.document_element();
  const auto info = root.child("info");
  doc.info.title = filler.attr(info, "titel");
  doc.info.subject = filler.attr(info, "onderwerp");
  doc.info.author = filler.attr(info, "auteur");
  doc.info.created = agreement.opgesteld.datum.value_or(Date{});
  doc.info.header = filler.attr(info, "koptekst");
  doc.info.footer = filler.attr(info, "voettekst");
  doc.info.fingerprint = filler.attr(info, "vingerafdruk");
  const auto label = [&](const char* key) { return src.words.at(std::string("label.") + key); };
  doc.info.label_naam = label("naam");
  doc.info.label_functie = label("functie");
  doc.info.label_hoedanigheid = label("hoedanigheid");
  doc.info.label_machtiging = label("machtiging");
  doc.info.label_datum = label("datum");
  doc.info.label_handtekening = label("handtekening");
  filler.blocks(root);
  return doc;
}

}  // namespace sto
