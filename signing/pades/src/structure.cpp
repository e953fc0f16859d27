#include "structure.h"

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "sto/diagnostics.h"
#include "sto/pki.h"

namespace sto::detail {

namespace {

// A checked unsigned number at text[at...]; `at` moves past it.
std::size_t number(std::string_view text, std::size_t& at, const char* what) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() + at) throw Error(std::string("ongeldig getal in ") + what);
  at = static_cast<std::size_t>(end - text.data());
  return value;
}

// The number after the last "startxref" in the last 1024 bytes (ISO 32000-1 §7.5.5).
std::size_t startxref_of(std::string_view pdf) {
  const std::size_t tail = pdf.size() > 1024 ? pdf.size() - 1024 : 0;
  const std::size_t at = pdf.rfind("startxref");
  if (at == std::string_view::npos || at < tail) throw Error("PDF zonder startxref aan het eind");
  std::size_t p = at + 9;
  while (p < pdf.size() && (pdf[p] == '\r' || pdf[p] == '\n' || pdf[p] == ' ')) ++p;
  return number(pdf, p, "startxref");
}

Reference reference_of(QPDFObjectHandle object) {
  if (!object.isIndirect()) throw Error("verwachtte een indirect object in de PDF");
  return {object.getObjectID(), object.getGeneration()};
}

GlyphWidths glyph_widths(QPDFObjectHandle font) {
  GlyphWidths out;
  auto descendants = font.getKey("/DescendantFonts");
  if (!descendants.isArray() || descendants.getArrayNItems() < 1) throw Error("lettertype zonder DescendantFonts");
  auto cid_font = descendants.getArrayItem(0);
  if (cid_font.getKey("/DW").isNumber()) out.default_width = cid_font.getKey("/DW").getNumericValue();
  auto w = cid_font.getKey("/W");
  if (!w.isArray()) return out;
  const int n = w.getArrayNItems();
  // ISO 32000-1 §9.7.4.3: "c [w1 w2 …]" or "c_first c_last w".
  for (int i = 0; i + 1 < n;) {
    auto first = w.getArrayItem(i);
    auto next = w.getArrayItem(i + 1);
    if (!first.isInteger()) throw Error("ongeldige /W in het lettertype");
    const long long c = first.getIntValue();
    if (next.isArray()) {
      for (int k = 0; k < next.getArrayNItems(); ++k) {
        out.widths[static_cast<char32_t>(c + k)] = next.getArrayItem(k).getNumericValue();
      }
      i += 2;
    } else if (i + 2 < n && next.isInteger() && w.getArrayItem(i + 2).isNumber()) {
      const double width = w.getArrayItem(i + 2).getNumericValue();
      for (long long k = c; k <= next.getIntValue() && k - c < 0x10000; ++k) {
        out.widths[static_cast<char32_t>(k)] = width;
      }
      i += 3;
    } else {
      throw Error("ongeldige /W in het lettertype");
    }
  }
  return out;
}

Field field_of(QPDFObjectHandle field) {
  if (!field.isIndirect() || !field.getKey("/FT").isNameAndEquals("/Sig") || !field.getKey("/T").isString()) {
    throw Error("PDF met een veld dat geen handtekeningveld is");
  }
  Field f;
  f.name = field.getKey("/T").getUTF8Value();
  f.signed_by = field.getKey("/TU").isString() ? field.getKey("/TU").getUTF8Value() : f.name;
  f.ref = reference_of(field);
  f.is_signed = !field.getKey("/V").isNull();
  if (!f.is_signed) {
    if (field.hasKey("/AP")) throw Error("leeg handtekeningveld " + f.name + " heeft al een weergave");
    f.dict = field.unparseResolved();
  }
  auto rect = field.getKey("/Rect");
  if (!rect.isArray() || rect.getArrayNItems() != 4) throw Error("handtekeningveld " + f.name + " zonder /Rect");
  f.width = std::abs(rect.getArrayItem(2).getNumericValue() - rect.getArrayItem(0).getNumericValue());
  f.height = std::abs(rect.getArrayItem(3).getNumericValue() - rect.getArrayItem(1).getNumericValue());
  return f;
}

}  // namespace

std::string Reference::text() const { return std::to_string(object) + " " + std::to_string(generation) + " R"; }

Structure read_structure(const std::string& pdf) {
  Structure s;
  try {
    QPDF q;
    q.setSuppressWarnings(true);
    q.setAttemptRecovery(false);
    q.processMemoryFile("contract.pdf", pdf.data(), pdf.size());
    auto trailer = q.getTrailer();
    auto id = trailer.getKey("/ID");
    auto form = q.getRoot().getKey("/AcroForm");
    auto font = form.getKey("/DR").getKey("/Font").getKey("/StoRegular");
    if (!form.getKey("/Fields").isArray() || !font.isIndirect()) {
      throw Error("PDF zonder handtekeningvelden of zonder /DR /StoRegular (niet door sto render gemaakt)");
    }
    s.font = reference_of(font);
    s.widths = std::make_shared<const GlyphWidths>(glyph_widths(font));
    for (auto field : form.getKey("/Fields").aitems()) s.fields.push_back(field_of(field));
    if (s.fields.empty()) throw Error("PDF zonder handtekeningvelden");
    if (!trailer.getKey("/Size").isInteger() || !id.isArray() || id.getArrayNItems() != 2 ||
        !id.getArrayItem(0).isString()) {
      throw Error("PDF-trailer zonder /Size of /ID");
    }
    s.size = trailer.getKey("/Size").getIntValueAsInt();
    s.root = reference_of(q.getRoot());
    if (trailer.hasKey("/Info")) s.info = reference_of(trailer.getKey("/Info"));
    s.id0 = id.getArrayItem(0).getStringValue();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string("PDF lezen mislukt: ") + e.what());
  }
  s.startxref = startxref_of(pdf);
  if (s.startxref >= pdf.size() || pdf.compare(s.startxref, 5, "xref\n") != 0) {
    throw Error("PDF zonder klassieke xref-tabel op startxref");
  }
  return s;
}

std::string upper_hex(std::string_view bytes) {
  std::string h = to_hex(bytes);
  std::transform(h.begin(), h.end(), h.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
  return h;
}

std::string filled_field(const Field& field, const Reference& signature, const Reference& appearance) {
  std::string dict = field.dict;
  const std::size_t close = dict.rfind(">>");
  if (close == std::string::npos) throw Error("handtekeningveld " + field.name + " is geen woordenboek");
  dict.insert(close, "/V " + signature.text() + " /AP << /N " + appearance.text() + " >> ");
  return dict;
}

}  // namespace sto::detail
