// Whether the contract's fonts can draw an agreement's text: checked by validate, render and open
// alike, as findings by line.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "finish.h"
#include "sto/render.h"
#include "sto/template.h"
#include "sto/utf8.h"

namespace sto {

namespace {

// The line of the first occurrence of `c` in `bytes`, as written or as a character reference
// (&#x4E2D; &#x4e2d; &#20013;); 0 when it is not found.
int line_of(std::string_view bytes, char32_t c) {
  std::array<char, 16> hex{};
  std::snprintf(hex.data(), hex.size(), "&#x%X;", static_cast<unsigned>(c));
  std::string lower = hex.data();
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char ch) {
    return ch == 'X' ? 'x' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  });
  auto at = bytes.find(encode_utf8(c));
  for (const std::string& form :
       {std::string(hex.data()), lower, "&#" + std::to_string(static_cast<unsigned>(c)) + ";"}) {
    at = std::min(at, bytes.find(form));
  }
  if (at == std::string_view::npos) return 0;
  return 1 + static_cast<int>(std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

}  // namespace

namespace {

// One contract.teken finding per character of `document` the fonts cannot draw, added to `findings`
// (which stay ordered by line).
void add_unprintable(const Document& document, Findings& findings, std::string_view bytes, const std::string& source,
                     const std::filesystem::path& templates_dir) {
  const PdfRenderer renderer(templates_dir / "fonts");
  const std::vector<char32_t> missing = detail::unprintable(document, renderer);
  if (missing.empty()) return;
  for (const char32_t c : missing) {
    // The glyph itself only when it is no control character (C1 controls would act on a terminal).
    const bool shown = c >= 0xA0 || (c >= 0x20 && c < 0x7F);
    Finding f = make_finding("contract.teken", line_of(bytes, c), {}, {},
                             {{"teken", code_point_name(c) + (shown ? " (" + encode_utf8(c) + ")" : "")}});
    f.file = source;
    findings.push_back(std::move(f));
  }
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.line < b.line; });
}

}  // namespace

void check_printable(Validation& v, std::string_view bytes, const std::filesystem::path& templates_dir) {
  if (!v.valid()) return;
  const Document document = Template::load_for(templates_dir, v.agreement.taal).fill(v.agreement);
  add_unprintable(document, v.findings, bytes, v.agreement.source, templates_dir);
}

void check_printable(WijzigingValidation& v, std::string_view bytes, const std::filesystem::path& templates_dir) {
  if (!v.valid()) return;
  const Document document = Template::load_wijziging_for(templates_dir, v.stuk.document.taal).fill(v.stuk);
  add_unprintable(document, v.findings, bytes, v.stuk.wijziging.source, templates_dir);
}

}  // namespace sto
