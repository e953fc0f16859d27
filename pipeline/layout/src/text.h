// Private: breaking text into lines that fit a width.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sto/layout.h"

namespace sto::detail {

struct Font {
  FontStyle style = FontStyle::regular;
  double size = 10;
  double leading = 13;  // baseline to baseline
};

// Greedy line breaking at spaces; a word wider than `max_width` is broken between code points.
// Always at least one line (possibly empty).
std::vector<std::string> wrap(const FontMetrics& metrics, const Font& font, std::string_view text, double max_width);

}  // namespace sto::detail
