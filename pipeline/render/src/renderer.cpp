// Drawing the layout with libharu. Every HPDF handle is owned by State; errors are collected by
// libharu's error handler and turned into sto::Error after each step.
#include <hpdf.h>
#include <qpdf/DLL.h>

#include <cstdint>
#include <unordered_map>
#include <utility>

#include "finish.h"
#include "sto/render.h"

namespace sto {

struct PdfRenderer::State {
  struct DocDeleter {
    void operator()(HPDF_Doc doc) const { HPDF_Free(doc); }
  };
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, DocDeleter> doc;
  HPDF_Font regular = nullptr;
  HPDF_Font bold = nullptr;
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

std::string utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

HPDF_Font load_font(PdfRenderer::State& s, const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) throw Error("lettertype ontbreekt: " + file.string());
  const char* name = HPDF_LoadTTFontFromFile(s.doc.get(), file.c_str(), HPDF_TRUE);
  s.check(("lettertype laden: " + file.string()).c_str());
  HPDF_Font font = HPDF_GetFont(s.doc.get(), name, "UTF-8");
  s.check("lettertype kiezen");
  return font;
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
  s.regular = load_font(s, fonts_dir / "LiberationSans-Regular.ttf");
  s.bold = load_font(s, fonts_dir / "LiberationSans-Bold.ttf");
}

PdfRenderer::~PdfRenderer() = default;

double PdfRenderer::advance(FontStyle style, char32_t code_point) const {
  const auto key = (static_cast<std::uint32_t>(style) << 21) | static_cast<std::uint32_t>(code_point);
  if (const auto it = state_->widths.find(key); it != state_->widths.end()) return it->second;
  const std::string bytes = utf8(code_point);
  const HPDF_TextWidth w = HPDF_Font_TextWidth(state_->font(style), reinterpret_cast<const HPDF_BYTE*>(bytes.data()),
                                               static_cast<HPDF_UINT>(bytes.size()));
  const double width = static_cast<double>(w.width);
  state_->widths.emplace(key, width);
  return width;
}

std::string PdfRenderer::render(const Layout& layout) {
  State& s = *state_;
  if (s.rendered) throw Error("PdfRenderer::render is al aangeroepen");
  s.rendered = true;
  for (const Page& page : layout.pages) draw_page(s, layout, page);
  HPDF_SaveToStream(s.doc.get());
  s.check("opslaan");
  std::string bytes(HPDF_GetStreamSize(s.doc.get()), '\0');
  HPDF_UINT32 size = static_cast<HPDF_UINT32>(bytes.size());
  HPDF_ReadFromStream(s.doc.get(), reinterpret_cast<HPDF_BYTE*>(bytes.data()), &size);
  bytes.resize(size);
  return detail::finish_pdf(bytes, layout.info);
}

Contract render_contract(const Agreement& agreement, const std::filesystem::path& templates_dir) {
  const Template text = Template::load_for(templates_dir, agreement.taal);
  const Document document = text.fill(agreement);
  PdfRenderer renderer(templates_dir / "fonts");
  Layout layout = lay_out(document, renderer);
  std::string pdf = renderer.render(layout);
  return {std::move(pdf), std::move(layout)};
}

std::string producer() { return "sto " STO_VERSION " (libharu " HPDF_VERSION_TEXT ", qpdf " QPDF_VERSION ")"; }

}  // namespace sto
