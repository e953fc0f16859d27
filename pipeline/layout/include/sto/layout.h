// From document to pages: line breaking, pagination and the place of every signature field.
//
// The layout puts a Document (sto/template.h) on A4 pages with real font metrics: paragraphs
// break into lines and over pages with widow/orphan control (never one line alone), headings stay
// with what follows, tables break between rows and repeat their header row, a partner's
// signature block stays on one page (only one taller than a page breaks, between tekenbevoegden,
// repeating its title), label/value rows move whole. Every page gets the running header and footer (regio,
// kenmerk, versie, "pagina X van Y", the XML's SHA-256). The result is positioned text, lines and
// rectangles in PDF coordinates (points, origin bottom-left), plus for every tekenbevoegde the
// page and rectangle of its signature field. Nothing here writes PDF.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sto/template.h"

namespace sto {

enum class FontStyle : std::uint8_t { regular, bold };

// The advance widths of the document's fonts. Implemented by the renderer over the very font
// files it embeds, so what is measured here is what is drawn there.
class FontMetrics {
 public:
  virtual ~FontMetrics() = default;
  // Advance width of one code point in 1/1000 em (0 for a code point the font lacks).
  virtual double advance(FontStyle style, char32_t code_point) const = 0;
  // Width in points of UTF-8 `text` set in `style` at `size` points. Each invalid byte counts as
  // U+FFFD (sto/utf8.h decode_utf8).
  double width(FontStyle style, double size, std::string_view text) const;
};

struct Rect {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // lower-left and upper-right corner
  double width() const { return x2 - x1; }
  double height() const { return y2 - y1; }
  bool overlaps(const Rect& other) const;  // interiors intersect
  bool contains(const Rect& other) const;  // other lies within (edges may touch)
};

struct TextRun {
  double x = 0, y = 0;  // start of the baseline
  FontStyle style = FontStyle::regular;
  double size = 10;
  double gray = 0;  // 0 black .. 1 white
  std::string text;
  double width = 0;  // measured advance
  Rect box() const;  // from descender to ascender, for overlap checks
};

struct RuleLine {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  double width = 0.5;
  double gray = 0;
};

struct Shape {
  Rect rect;
  double gray = 0.9;
  bool filled = true;  // false: only the outline, `line_width` wide
  double line_width = 0.5;
};

struct Page {
  std::vector<Shape> shapes;  // drawn first (backgrounds), then lines, then text
  std::vector<RuleLine> lines;
  std::vector<TextRun> texts;
};

// Where a tekenbevoegde signs: the signing stage puts the signature widget exactly here.
struct SignatureField {
  std::string tekenbevoegde_id;
  std::string partner_id;
  int page = 1;  // 1-based
  Rect rect;
  // What the signature will show in the field, before its time: "Digitaal ondertekend door
  // <naam>, <functie>, <partner>". Known now so that the contract's font carries its glyphs.
  std::string signed_by;
};

struct PageGeometry {
  double width = 595.276;   // A4, 210 mm
  double height = 841.890;  // 297 mm
  double margin_left = 62;
  double margin_right = 62;
  double margin_top = 74;
  double margin_bottom = 78;
  Rect body() const { return {margin_left, margin_bottom, width - margin_right, height - margin_top}; }
};

struct Layout {
  PageGeometry geometry;
  DocumentInfo info;
  std::vector<Page> pages;
  std::vector<SignatureField> fields;  // in document order
};

// Lays `document` out on pages measured with `metrics`. Deterministic: the same document and
// metrics give the same layout. Never fails: text too wide for its box is broken between
// characters, a block too tall for a page is split where it must.
Layout lay_out(const Document& document, const FontMetrics& metrics);

}  // namespace sto
