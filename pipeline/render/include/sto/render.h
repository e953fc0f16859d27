// From pages to PDF: the contract's revision 0, byte for byte reproducible.
//
// libharu draws the layout with the TrueType fonts shipped in templates/fonts (embedded as
// subsets, UTF-8 text); qpdf then finishes the file: a correct ToUnicode CMap (libharu 2.3.0
// writes one poppler rejects, so copied text would be unreliable), metadata in UTF-16 where
// needed (Title, Subject, Author = penvoerder, Creator, Producer with our and the libraries'
// versions, CreationDate from opgesteld/@datum), PDF 1.7, and a deterministic /ID. No clock and
// no random source is read: the same layout gives the same bytes on every machine.
//
// What signing relies on: the file has a classic xref table (no object streams) and one empty
// signature field per Layout::fields entry: a merged field and widget (/FT /Sig, /T = the
// tekenbevoegde id, /TU = its signed_by text, /Rect, /P) listed in the page's /Annots and in
// /AcroForm /Fields, with /SigFlags 3 and /DR /Font /StoRegular = the embedded regular font,
// whose subset has the glyphs of every field's signed_by text and of printable ASCII.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sto/layout.h"
#include "sto/rules.h"

namespace sto {

class PdfRenderer final : public FontMetrics {
 public:
  // Loads LiberationSans-Regular.ttf and LiberationSans-Bold.ttf from `fonts_dir`.
  // Throws sto::Error when a font cannot be read.
  explicit PdfRenderer(const std::filesystem::path& fonts_dir);
  ~PdfRenderer() override;
  PdfRenderer(const PdfRenderer&) = delete;
  PdfRenderer& operator=(const PdfRenderer&) = delete;

  // FontMetrics: the advance widths of exactly the fonts that are embedded.
  double advance(FontStyle style, char32_t code_point) const override;

  // True when both fonts have a glyph for `code_point`. libharu writes text as UTF-16 code
  // units of the Basic Multilingual Plane only, so nothing above U+FFFF is printable.
  bool printable(char32_t code_point) const;

  // The PDF for `layout` (laid out with this renderer's metrics). May be called once per
  // renderer. Throws sto::Error when libharu or qpdf fails.
  std::string render(const Layout& layout);

  struct State;

 private:
  std::unique_ptr<State> state_;
};

// The contract of a valid agreement: its text from the template for agreement.taal under
// `templates_dir` (with templates_dir/fonts), laid out and rendered. The same agreement and
// templates give the same bytes. Throws sto::Error for a broken template or font.
struct Contract {
  std::string pdf;
  Layout layout;
};

// The agreement holds characters the contract's fonts cannot draw (an emoji, Chinese, anything
// above U+FFFF): printing them as blanks or boxes would change a name in a contract people sign.
class UnprintableText : public Error {
 public:
  explicit UnprintableText(std::vector<char32_t> code_points);
  const std::vector<char32_t>& code_points() const { return code_points_; }  // sorted, unique

 private:
  std::vector<char32_t> code_points_;
};

// `document` laid out with `renderer`'s metrics, after checking that its fonts can draw every
// character of it: throws UnprintableText otherwise, before anything is drawn.
Layout lay_out_printable(const Document& document, const PdfRenderer& renderer);

// What sto validate, render and open all check after the regulation, so that the three agree:
// when `v` is valid, a "contract.teken" finding (error) is added per character of its contract
// text (the agreement filled into its template under `templates_dir`) that the fonts cannot
// draw, at the line of its first occurrence in `bytes`, the file as read (as written or as a
// character reference; the model keeps no offsets of text). Findings stay ordered by line.
void check_printable(Validation& v, std::string_view bytes, const std::filesystem::path& templates_dir);
// The same for an amendment (its text from templates/<taal>/wijziging.xml).
void check_printable(WijzigingValidation& v, std::string_view bytes, const std::filesystem::path& templates_dir);

// Throws UnprintableText before anything is drawn when the filled document has such characters.
Contract render_contract(const Agreement& agreement, const std::filesystem::path& templates_dir);

// An amendment's PDF (sto/rules.h validate_wijziging gave `stuk`, valid): its text from
// templates/<taal>/wijziging.xml, laid out and rendered exactly like a contract, one signature
// field per tekenbevoegde of stuk.document. Deterministic in the same way.
Contract render_wijziging(const Wijzigingsstuk& stuk, const std::filesystem::path& templates_dir);

// The files under `templates_dir` a contract in `taal` is made from, as paths relative to it: its
// template, the fonts and the regulations (validation). With the same software they give the
// same bytes, so the workflow keeps a copy per opened version and the archive carries them: a
// template edited later changes new contracts, never the proof of old ones.
// With `wijziging`, an amendment's: templates/<taal>/wijziging.xml in place of overeenkomst.xml.
std::vector<std::filesystem::path> contract_inputs(const std::filesystem::path& templates_dir, Taal taal,
                                                   bool wijziging = false);

// "sto 0.1.0 (libharu 2.3.0, qpdf 11.3.0)": the PDF's Producer, and what an archive records.
std::string producer();

}  // namespace sto
