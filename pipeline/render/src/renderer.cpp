// Drawing the layout with libharu. Every HPDF handle is owned by State; errors are collected by
// libharu's error handler and turned into sto::Error after each step.
#include <hpdf.h>
#include <hpdf_fontdef.h>
#include <qpdf/DLL.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>

#include "finish.h"
#include "sto/render.h"
#include "sto/utf8.h"

namespace sto {

struct PdfRenderer::State {
  struct DocDeleter {
    void operator()(HPDF_Doc d) const { HPDF_Free(d); }
  };
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, DocDeleter> doc;
  HPDF_Font regular = nullptr;
  HPDF_Font bold = nullptr;
  HPDF_FontDef regular_def = nullptr;
  HPDF_FontDef bold_def = nullptr;
  HPDF_STATUS error = HPDF_OK;
  HPDF_STATUS detail = HPDF_OK;
  bool rendered = false;
  mutable std::unordered_map<std::uint32_t, double> widths;  // (style << 21) | code point

  void check(const char* what) const {
    if (error != HPDF_OK) {
      throw Error(std::string("libharu: ") + what + " mislukt (fout 0x" + hex(error) + ", detail " +
                  std::to_string(detail) + ")");
    }
  }
  static std::string hex(HPDF_STATUS code) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    for (int shift = 12; shift >= 0; shift -= 4) out += kDigits[(code >> shift) & 0xF];
    return out;
  }
  HPDF_Font font(FontStyle style) const { return style == FontStyle::bold ? bold : regular; }
};

namespace {

void on_error(HPDF_STATUS error, HPDF_STATUS detail, void* user) {
  auto* state = static_cast<PdfRenderer::State*>(user);
  if (state->error == HPDF_OK) {  // keep the first: later ones are usually consequences
    state->error = error;
    state->detail = detail;
  }
}

std::pair<HPDF_Font, HPDF_FontDef> load_font(PdfRenderer::State& s, const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) throw Error("lettertype ontbreekt: " + file.string());
  const char* name = HPDF_LoadTTFontFromFile(s.doc.get(), file.c_str(), HPDF_TRUE);
  s.check(("lettertype laden: " + file.string()).c_str());
  HPDF_Font font = HPDF_GetFont(s.doc.get(), name, "UTF-8");
  s.check("lettertype kiezen");
  return {font, HPDF_GetFontDef(s.doc.get(), name)};
}

// Every code point the layout will print: the document's blocks and running texts.
std::u32string document_text(const Document& d) {
  std::string all = d.title + d.subtitle + d.info.header + d.info.footer + d.info.fingerprint + d.info.label_naam +
                    d.info.label_functie + d.info.label_hoedanigheid + d.info.label_machtiging + d.info.label_datum +
                    d.info.label_handtekening + d.info.label_ondertekend;
  for (const Block& block : d.blocks) {
    std::visit(
        [&](const auto& b) {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<T, Heading>) {
            all += b.number + b.text;
          } else if constexpr (std::is_same_v<T, Paragraph>) {
            all += b.text;
          } else if constexpr (std::is_same_v<T, ItemList>) {
            for (const auto& item : b.items) all += item;
          } else if constexpr (std::is_same_v<T, Fields>) {
            for (const auto& [label, value] : b.rows) all += label + value;
          } else if constexpr (std::is_same_v<T, Table>) {
            for (const auto& c : b.columns) all += c.header;
            for (const auto& row : b.rows) {
              for (const auto& cell : row) all += cell;
            }
            for (const auto& cell : b.footer) all += cell;
          } else if constexpr (std::is_same_v<T, SignatureBlock>) {
            all += b.title + b.partner;
            for (const auto& s : b.signatories) all += s.naam + s.functie + s.hoedanigheid + s.machtiging;
          }
        },
        block);
  }
  return decode_utf8(all);
}

void draw_page(PdfRenderer::State& s, const Layout& layout, const Page& page) {
  HPDF_Page p = HPDF_AddPage(s.doc.get());
  HPDF_Page_SetWidth(p, static_cast<HPDF_REAL>(layout.geometry.width));
  HPDF_Page_SetHeight(p, static_cast<HPDF_REAL>(layout.geometry.height));
  const auto real = [](double v) { return static_cast<HPDF_REAL>(v); };
  for (const Shape& shape : page.shapes) {
    const Rect& r = shape.rect;
    if (shape.filled) {
      HPDF_Page_SetGrayFill(p, real(shape.gray));
      HPDF_Page_Rectangle(p, real(r.x1), real(r.y1), real(r.width()), real(r.height()));
      HPDF_Page_Fill(p);
    } else {
      HPDF_Page_SetGrayStroke(p, real(shape.gray));
      HPDF_Page_SetLineWidth(p, real(shape.line_width));
      HPDF_Page_Rectangle(p, real(r.x1), real(r.y1), real(r.width()), real(r.height()));
      HPDF_Page_Stroke(p);
    }
  }
  for (const RuleLine& line : page.lines) {
    HPDF_Page_SetGrayStroke(p, real(line.gray));
    HPDF_Page_SetLineWidth(p, real(line.width));
    HPDF_Page_MoveTo(p, real(line.x1), real(line.y1));
    HPDF_Page_LineTo(p, real(line.x2), real(line.y2));
    HPDF_Page_Stroke(p);
  }
  HPDF_Page_BeginText(p);
  for (const TextRun& run : page.texts) {
    HPDF_Page_SetFontAndSize(p, s.font(run.style), real(run.size));
    HPDF_Page_SetGrayFill(p, real(run.gray));
    HPDF_Page_TextOut(p, real(run.x), real(run.y), run.text.c_str());
  }
  HPDF_Page_EndText(p);
  s.check("pagina tekenen");
}

}  // namespace

PdfRenderer::PdfRenderer(const std::filesystem::path& fonts_dir) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.doc.reset(HPDF_New(on_error, &s));
  if (!s.doc) throw Error("libharu: geen PDF-document aangemaakt");
  HPDF_UseUTFEncodings(s.doc.get());
  HPDF_SetCurrentEncoder(s.doc.get(), "UTF-8");
  // Streams are compressed once, by qpdf in finish_pdf: libharu's "/Filter [/FlateDecode]" arrays
  // made qpdf inflate and deflate everything again, and its own small-buffer deflate was slower.
  HPDF_SetCompressionMode(s.doc.get(), HPDF_COMP_NONE);
  s.check("document instellen");
  std::tie(s.regular, s.regular_def) = load_font(s, fonts_dir / "LiberationSans-Regular.ttf");
  std::tie(s.bold, s.bold_def) = load_font(s, fonts_dir / "LiberationSans-Bold.ttf");
}

PdfRenderer::~PdfRenderer() = default;

double PdfRenderer::advance(FontStyle style, char32_t code_point) const {
  const auto key = (static_cast<std::uint32_t>(style) << 21) | static_cast<std::uint32_t>(code_point);
  if (const auto it = state_->widths.find(key); it != state_->widths.end()) return it->second;
  const std::string bytes = encode_utf8(code_point);
  const HPDF_TextWidth w = HPDF_Font_TextWidth(state_->font(style), reinterpret_cast<const HPDF_BYTE*>(bytes.data()),
                                               static_cast<HPDF_UINT>(bytes.size()));
  const double width = static_cast<double>(w.width);
  state_->widths.emplace(key, width);
  return width;
}

bool PdfRenderer::printable(char32_t code_point) const {
  if (code_point > 0xFFFF) return false;
  const auto unicode = static_cast<HPDF_UINT16>(code_point);
  return HPDF_TTFontDef_GetGlyphid(state_->regular_def, unicode) != 0 &&
         HPDF_TTFontDef_GetGlyphid(state_->bold_def, unicode) != 0;
}

std::string PdfRenderer::render(const Layout& layout) {
  State& s = *state_;
  if (s.rendered) throw Error("PdfRenderer::render is al aangeroepen");
  s.rendered = true;
  // libharu's subset keeps outlines only for glyphs that were measured or drawn; a signature's
  // appearance, added in a later revision, reuses this font. So every character it can show is
  // measured now: the fields' texts, and printable ASCII for the time and punctuation.
  for (char32_t c = 0x20; c < 0x7F; ++c) advance(FontStyle::regular, c);
  for (const SignatureField& f : layout.fields) {
    for (const char32_t c : decode_utf8(f.signed_by)) advance(FontStyle::regular, c);
  }
  for (const Page& page : layout.pages) draw_page(s, layout, page);
  HPDF_SaveToStream(s.doc.get());
  s.check("opslaan");
  std::string bytes(HPDF_GetStreamSize(s.doc.get()), '\0');
  HPDF_UINT32 size = static_cast<HPDF_UINT32>(bytes.size());
  HPDF_ReadFromStream(s.doc.get(), reinterpret_cast<HPDF_BYTE*>(bytes.data()), &size);
  bytes.resize(size);
  return detail::finish_pdf(bytes, layout);
}

std::vector<std::filesystem::path> contract_inputs(const std::filesystem::path& templates_dir, Taal taal,
                                                   bool wijziging) {
  std::vector<std::filesystem::path> files = {
      std::filesystem::path(taal == Taal::en ? "en" : "nl") / (wijziging ? "wijziging.xml" : "overeenkomst.xml"),
      "fonts/LiberationSans-Regular.ttf", "fonts/LiberationSans-Bold.ttf", "fonts/LICENSE-Liberation.txt"};
  std::vector<std::filesystem::path> rules;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(templates_dir / "regelingen", ec)) {
    if (entry.path().extension() == ".xml") rules.push_back("regelingen" / entry.path().filename());
  }
  std::sort(rules.begin(), rules.end());
  files.insert(files.end(), rules.begin(), rules.end());
  return files;
}

std::vector<char32_t> detail::unprintable(const Document& document, const PdfRenderer& renderer) {
  std::set<char32_t> missing;
  for (const char32_t c : document_text(document)) {
    if (!renderer.printable(c)) missing.insert(c);
  }
  return {missing.begin(), missing.end()};
}

Layout lay_out_printable(const Document& document, const PdfRenderer& renderer) {
  auto missing = detail::unprintable(document, renderer);
  if (!missing.empty()) throw UnprintableText(std::move(missing));
  return lay_out(document, renderer);
}

Contract render_contract(const Agreement& agreement, const std::filesystem::path& templates_dir) {
  const Template text = Template::load_for(templates_dir, agreement.taal);
  const Document document = text.fill(agreement);
  PdfRenderer renderer(templates_dir / "fonts");
  Layout layout = lay_out_printable(document, renderer);
  std::string pdf = renderer.render(layout);
  return {std::move(pdf), std::move(layout)};
}

Contract render_wijziging(const Wijzigingsstuk& stuk, const std::filesystem::path& templates_dir) {
  const Template text = Template::load_wijziging_for(templates_dir, stuk.document.taal);
  const Document document = text.fill(stuk);
  PdfRenderer renderer(templates_dir / "fonts");
  Layout layout = lay_out_printable(document, renderer);
  std::string pdf = renderer.render(layout);
  return {std::move(pdf), std::move(layout)};
}

UnprintableText::UnprintableText(std::vector<char32_t> code_points)
    : Error("de overeenkomst bevat tekens die het lettertype van het contract niet heeft"),
      code_points_(std::move(code_points)) {}

std::string producer() { return "sto " STO_VERSION " (libharu " HPDF_VERSION_TEXT ", qpdf " QPDF_VERSION ")"; }

}  // namespace sto
