#include "draft.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>
#include <vector>

#include "sto/diagnostics.h"
#include "sto/pki.h"

namespace sto::detail {

namespace {

std::string pdf_date(std::time_t time) {
  std::tm t{};
  gmtime_r(&time, &t);
  std::array<char, 80> text{};
  std::snprintf(text.data(), text.size(), "D:%04d%02d%02d%02d%02d%02dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                t.tm_hour, t.tm_min, t.tm_sec);
  return text.data();
}

// pyHanko, PDFBox and iText all reserve a space-padded "[0 0 0 0]" and overwrite it in place;
// four numbers below 10^10 always fit.
constexpr std::size_t kByteRangeWidth = 48;

// xref: one subsection per run of consecutive numbers; entries of exactly 20 bytes (§7.5.4).
std::string xref_section(std::vector<std::pair<Reference, std::size_t>> offsets) {
  std::sort(offsets.begin(), offsets.end(),
            [](const auto& a, const auto& b) { return a.first.object < b.first.object; });
  std::string out = "xref\n0 1\n0000000000 65535 f \n";
  for (std::size_t i = 0; i < offsets.size();) {
    std::size_t j = i;
    while (j + 1 < offsets.size() && offsets[j + 1].first.object == offsets[j].first.object + 1) ++j;
    out += std::to_string(offsets[i].first.object) + " " + std::to_string(j - i + 1) + "\n";
    for (std::size_t k = i; k <= j; ++k) {
      std::array<char, 24> entry{};
      std::snprintf(entry.data(), entry.size(), "%010zu %05d n \n", offsets[k].second, offsets[k].first.generation);
      out += entry.data();
    }
    i = j + 1;
  }
  return out;
}

}  // namespace

Draft draft_revision(const Structure& pdf, std::size_t offset, const std::string& file_sha256, const Field& field,
                     std::time_t time, std::size_t reserve) {
  const Reference sig{pdf.size, 0};
  const Reference appearance{pdf.size + 1, 0};
  const std::string stream =
      appearance_stream(field.signed_by + ", " + appearance_time(time), field.width, field.height, *pdf.widths);
  Draft d;
  std::vector<std::pair<Reference, std::size_t>> offsets;
  std::string& b = d.bytes;
  b = "\n";
  offsets.emplace_back(sig, offset + b.size());
  b += std::to_string(sig.object) +
       " 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (" + pdf_date(time) +
       ")\n/ByteRange ";
  const std::size_t byte_range_at = b.size();
  b += std::string(kByteRangeWidth, ' ') + "\n/Contents ";
  d.contents_at = b.size();
  b += "<" + std::string(2 * reserve, '0') + ">";
  d.contents_end = b.size();
  b += " >>\nendobj\n";
  offsets.emplace_back(appearance, offset + b.size());
  b += std::to_string(appearance.object) + " 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 " +
       pdf_number(field.width) + " " + pdf_number(field.height) + "] /Resources << /Font << /F1 " + pdf.font.text() +
       " >> >> /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream + "endstream\nendobj\n";
  // The field, rewritten under its own number: revision 0's dictionary plus /V and /AP.
  const std::string dict = filled_field(field, sig, appearance);
  offsets.emplace_back(field.ref, offset + b.size());
  b += std::to_string(field.ref.object) + " " + std::to_string(field.ref.generation) + " obj\n" + dict + "\nendobj\n";
  d.xref_at = b.size();
  const std::size_t xref_at = d.xref_at;
  b += xref_section(std::move(offsets));
  // /ID: the first element stays (the document's identity); the second changes per revision.
  const std::string id1 = sha256(file_sha256 + field.name + pdf_date(time)).substr(0, 16);
  b += "trailer\n<< /Size " + std::to_string(pdf.size + 2) + " /Root " + pdf.root.text() +
       (pdf.info.object > 0 ? " /Info " + pdf.info.text() : "") + " /ID [<" + upper_hex(pdf.id0) + "> <" +
       upper_hex(id1) + ">] /Prev " + std::to_string(pdf.startxref) + " >>\nstartxref\n" +
       std::to_string(offset + xref_at) + "\n%%EOF\n";

  const std::size_t a = offset + d.contents_at;
  const std::size_t after = offset + d.contents_end;
  std::string byte_range =
      "[0 " + std::to_string(a) + " " + std::to_string(after) + " " + std::to_string(offset + b.size() - after) + "]";
  byte_range.resize(kByteRangeWidth, ' ');
  b.replace(byte_range_at, kByteRangeWidth, byte_range);
  return d;
}

}  // namespace sto::detail
