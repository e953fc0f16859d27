#include "finish.h"

#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <array>
#include <cstdio>

#include "sto/diagnostics.h"
#include "sto/render.h"

namespace sto::detail {

namespace {

// ToUnicode for libharu's Identity-H fonts, whose CIDs are the Unicode code points (BMP).
// bfrange entries may not cross a 256-code boundary (ISO 32000-1 §9.10.3), hence one per block
// of 256; surrogate blocks map to nothing. At most 100 entries per section.
std::string identity_to_unicode() {
  std::vector<std::string> ranges;
  for (unsigned hi = 0; hi <= 0xFF; ++hi) {
    if (hi >= 0xD8 && hi <= 0xDF) continue;
    std::array<char, 40> line{};
    std::snprintf(line.data(), line.size(), "<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi);
    ranges.emplace_back(line.data());
  }
  std::string cmap =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  for (std::size_t i = 0; i < ranges.size(); i += 100) {
    const std::size_t n = std::min<std::size_t>(100, ranges.size() - i);
    cmap += std::to_string(n) + " beginbfrange\n";
    for (std::size_t k = i; k < i + n; ++k) cmap += ranges[k];
    cmap += "endbfrange\n";
  }
  cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  return cmap;
}

std::string pdf_date(const Date& d) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "D:%04d%02u%02u000000Z", d.year, d.month, d.day);
  return text.data();
}

// libharu names its subsets "HPDFAA+LiberationSans"; the regular face is the one signatures use.
QPDFObjectHandle regular_font(QPDF& pdf) {
  for (auto& object : pdf.getAllObjects()) {
    if (!object.isDictionary() || !object.getKey("/Subtype").isNameAndEquals("/Type0")) continue;
    auto base = object.getKey("/BaseFont");
    if (!base.isName()) continue;
    const std::string name = base.getName();
    const auto plus = name.find('+');
    if (plus != std::string::npos && name.substr(plus + 1) == "LiberationSans") return object;
  }
  throw Error("het gewone lettertype ontbreekt in de PDF van libharu");
}

// Revision 0 holds every signature field, empty: a signing revision then only fills its own
// field, so pages, /Annots and /AcroForm /Fields never change after rendering (a rule the
// verifier checks). /SigFlags 3: signatures exist, and the file may only be appended to.
void add_signature_fields(QPDF& pdf, const Layout& layout) {
  const auto pages = QPDFPageDocumentHelper(pdf).getAllPages();
  auto fields = QPDFObjectHandle::newArray();
  for (const SignatureField& f : layout.fields) {
    auto page = pages.at(static_cast<std::size_t>(f.page - 1)).getObjectHandle();
    auto rect = QPDFObjectHandle::newArray();
    for (const double v : {f.rect.x1, f.rect.y1, f.rect.x2, f.rect.y2})
      rect.appendItem(QPDFObjectHandle::newReal(v, 2));
    auto widget = QPDFObjectHandle::newDictionary();
    widget.replaceKey("/Type", QPDFObjectHandle::newName("/Annot"));
    widget.replaceKey("/Subtype", QPDFObjectHandle::newName("/Widget"));
    widget.replaceKey("/FT", QPDFObjectHandle::newName("/Sig"));
    widget.replaceKey("/F", QPDFObjectHandle::newInteger(4));  // print
    widget.replaceKey("/T", QPDFObjectHandle::newUnicodeString(f.tekenbevoegde_id));
    widget.replaceKey("/TU", QPDFObjectHandle::newUnicodeString(f.signed_by));
    widget.replaceKey("/Rect", rect);
    widget.replaceKey("/P", page);
    auto field = pdf.makeIndirectObject(widget);
    if (!page.getKey("/Annots").isArray()) page.replaceKey("/Annots", QPDFObjectHandle::newArray());
    page.getKey("/Annots").appendItem(field);
    fields.appendItem(field);
  }
  auto fonts = QPDFObjectHandle::newDictionary();
  fonts.replaceKey("/StoRegular", regular_font(pdf));
  auto resources = QPDFObjectHandle::newDictionary();
  resources.replaceKey("/Font", fonts);
  auto form = QPDFObjectHandle::newDictionary();
  form.replaceKey("/Fields", fields);
  form.replaceKey("/SigFlags", QPDFObjectHandle::newInteger(3));
  form.replaceKey("/DR", resources);
  pdf.getRoot().replaceKey("/AcroForm", pdf.makeIndirectObject(form));
}

}  // namespace

std::string finish_pdf(const std::string& libharu_pdf, const Layout& layout) {
  const DocumentInfo& info = layout.info;
  try {
    QPDF pdf;
    pdf.setSuppressWarnings(true);
    pdf.processMemoryFile("contract.pdf", libharu_pdf.data(), libharu_pdf.size());
    const std::string cmap = identity_to_unicode();
    for (auto& object : pdf.getAllObjects()) {
      if (!object.isDictionary() || !object.getKey("/Type").isNameAndEquals("/Font")) continue;
      auto to_unicode = object.getKey("/ToUnicode");
      if (to_unicode.isStream()) {
        to_unicode.replaceStreamData(cmap, QPDFObjectHandle::newNull(), QPDFObjectHandle::newNull());
      }
    }
    auto trailer = pdf.getTrailer();
    auto meta = QPDFObjectHandle::newDictionary();
    meta.replaceKey("/Title", QPDFObjectHandle::newUnicodeString(info.title));
    meta.replaceKey("/Subject", QPDFObjectHandle::newUnicodeString(info.subject));
    meta.replaceKey("/Author", QPDFObjectHandle::newUnicodeString(info.author));
    meta.replaceKey("/Creator", QPDFObjectHandle::newUnicodeString("sto " STO_VERSION));
    meta.replaceKey("/Producer", QPDFObjectHandle::newUnicodeString(producer()));
    meta.replaceKey("/CreationDate", QPDFObjectHandle::newString(pdf_date(info.created)));
    meta.replaceKey("/ModDate", QPDFObjectHandle::newString(pdf_date(info.created)));
    trailer.replaceKey("/Info", pdf.makeIndirectObject(meta));
    add_signature_fields(pdf, layout);

    QPDFWriter writer(pdf);
    writer.setOutputMemory();
    writer.setDeterministicID(true);
    writer.setMinimumPDFVersion("1.7");
    writer.setCompressStreams(true);             // every stream: libharu leaves them to us (renderer.cpp)
    writer.setObjectStreamMode(qpdf_o_disable);  // classic xref: simplest for incremental signing
    writer.write();
    const auto buffer = writer.getBufferSharedPointer();
    return {reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize()};
  } catch (const std::exception& e) {
    throw Error(std::string("PDF afronden met qpdf mislukt: ") + e.what());
  }
}

}  // namespace sto::detail
