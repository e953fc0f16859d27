// From agreement to document: the contract's text, filled in from a template.
//
// A template (templates/<taal>/overeenkomst.xml, format in docs/templates.md) is XML a
// penvoerder can edit without recompiling: blocks (titel, kop, alinea, lijst, gegevens, tabel,
// handtekeningen) with {placeholders}, loops over lists (<elk lijst="partners">) and conditions
// (<als waarde="partner.kvk">). Filling it with an agreement gives a Document: plain blocks of
// finished text, in reading order, that the layout stage puts on pages. Nothing here knows
// about fonts, pages or PDF.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "sto/agreement.h"

namespace sto {

struct Heading {
  int level = 1;       // 1: article heading, 2: sub-heading
  std::string number;  // "3." when the template numbers it, else empty
  std::string text;
};

enum class ParagraphStyle : std::uint8_t { normal, bold, small };

struct Paragraph {
  std::string text;
  ParagraphStyle style = ParagraphStyle::normal;
};

struct ItemList {
  bool numbered = false;
  std::vector<std::string> items;
};

// Label/value rows, e.g. a partner's BRIN, bevoegd gezag and KvK number.
struct Fields {
  std::vector<std::pair<std::string, std::string>> rows;
};

enum class Align : std::uint8_t { left, right };

struct Column {
  std::string header;
  double width = 1;  // relative share of the text width
  Align align = Align::left;
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;  // each as many cells as columns
  std::vector<std::string> footer;             // a totals row; empty when none
};

struct Signatory {
  std::string id;  // tekenbevoegde id: the key of its signature field
  std::string naam;
  std::string functie;
  std::string hoedanigheid;  // as printed
  std::string machtiging;    // empty when none
};

// One partner's block in "Ondertekening": kept on one page.
struct SignatureBlock {
  std::string partner_id;
  std::string title;    // e.g. "Penvoerder" or "Deelnemend bedrijf"
  std::string partner;  // the partner's name
  std::vector<Signatory> signatories;
};

// A forced page break (the signature section starts on a fresh page).
struct PageBreak {};

using Block = std::variant<Heading, Paragraph, ItemList, Fields, Table, SignatureBlock, PageBreak>;

// What goes in the PDF's metadata and on every page, besides the blocks.
struct DocumentInfo {
  std::string title;        // PDF Title
  std::string subject;      // PDF Subject
  std::string author;       // the penvoerder
  Date created;             // opgesteld/@datum: the PDF's creation date (never a clock)
  std::string header;       // running header text
  std::string footer;       // running footer; "{pagina}" and "{paginas}" are filled in by the layout
  std::string fingerprint;  // second footer line: the XML's SHA-256
  // Labels the layout prints in each signature block.
  std::string label_naam, label_functie, label_hoedanigheid, label_machtiging, label_datum, label_handtekening;
  // Opens the text a signature puts in its field: "Digitaal ondertekend door".
  std::string label_ondertekend;
};

struct Document {
  DocumentInfo info;
  std::string title;
  std::string subtitle;
  std::vector<Block> blocks;
};

// What changed in the text from `before` to `after` (two versions of a contract), for the people
// asked to sign the new one: one Dutch sentence per change, by article (a level-1 heading) and
// within it by partner block (a level-2 heading, a table row by its first cell, a signature
// block): "Artikel "Bijdrage per partner": "Vakcollege 't Veen" gewijzigd". In the order of
// `after`, then what is gone; at most `limit` sentences, the last then saying how many more.
// Empty when the texts are the same. (Fill both from agreements with the same versie and
// xml_sha256, or every version differs in its "Versie" line.)
std::vector<std::string> differences(const Document& before, const Document& after, std::size_t limit = 30);

// A template, parsed and checked, ready to fill.
class Template {
 public:
  // Reads `file`. Throws sto::Error naming file and line when it is not a valid template:
  // unknown element or attribute (or value of genummerd, niveau, stijl, uitlijning), a missing
  // word, a vingerafdruk without {xml.sha256}, or - in any branch of any <als> or <elk> - an
  // unknown placeholder, word or list, unbalanced braces, a table row with the wrong cell count.
  static Template load(const std::filesystem::path& file);

  // templates/nl/overeenkomst.xml or templates/en/overeenkomst.xml under `templates_dir`.
  static Template load_for(const std::filesystem::path& templates_dir, Taal taal);

  // templates/<taal>/wijziging.xml: an amendment's text. Its root says document="wijziging"; it
  // may use, besides the values of the amendment's document (Wijzigingsstuk::document), the
  // amendment's own: {wijziging.*}, {overeenkomst.sha256}, {vorige.*}, {opvolger.*}, {bijdrage.*},
  // the lists "wijziging.partners" (the partner concerned) and "na.partners" with {na.*} (the
  // agreement after the change). docs/templates.md lists them.
  static Template load_wijziging_for(const std::filesystem::path& templates_dir, Taal taal);

  // Fills the template with a valid agreement (validate() reported no errors). Throws sto::Error
  // naming the template's file when the signature blocks do not hold every tekenbevoegde's id
  // exactly once (signing finds each field by that id).
  Document fill(const Agreement& agreement) const;
  // Fills an amendment's template (load_wijziging_for) with a valid amendment: its signature
  // blocks hold every tekenbevoegde of stuk.document exactly once.
  Document fill(const Wijzigingsstuk& stuk) const;

  struct Source;  // the parsed template (private)

  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  ~Template();

 private:
  explicit Template(std::unique_ptr<Source> source);
  static Document fill_source(const Source& source, const Agreement& agreement, const Wijzigingsstuk* stuk, bool check);
  std::unique_ptr<Source> source_;
};

}  // namespace sto
