#include "text.h"

#include "sto/utf8.h"

namespace sto {

double FontMetrics::width(FontStyle style, double size, std::string_view text) const {
  double units = 0;
  for (const char32_t cp : decode_utf8(text)) units += advance(style, cp);
  return units * size / 1000.0;
}

bool Rect::overlaps(const Rect& o) const { return x1 < o.x2 && o.x1 < x2 && y1 < o.y2 && o.y1 < y2; }

bool Rect::contains(const Rect& o) const { return o.x1 >= x1 && o.x2 <= x2 && o.y1 >= y1 && o.y2 <= y2; }

Rect TextRun::box() const { return {x, y - 0.22 * size, x + width, y + 0.78 * size}; }

namespace detail {

namespace {

// Splits `word` into pieces no wider than `max_width` (at least one code point each).
std::vector<std::string> split_word(const FontMetrics& metrics, const Font& font, std::string_view word,
                                    double max_width) {
  std::vector<std::string> pieces;
  std::string piece;
  double width = 0;
  for (std::size_t i = 0; i < word.size();) {
    const std::size_t start = i;
    next_code_point(word, i);  // an invalid byte is a piece of its own
    const std::string_view cp = word.substr(start, i - start);
    const double w = metrics.width(font.style, font.size, cp);
    if (!piece.empty() && width + w > max_width) {
      pieces.push_back(std::move(piece));
      piece.clear();
      width = 0;
    }
    piece.append(cp);
    width += w;
  }
  if (!piece.empty()) pieces.push_back(std::move(piece));
  return pieces;
}

}  // namespace

std::vector<std::string> wrap(const FontMetrics& metrics, const Font& font, std::string_view text, double max_width) {
  std::vector<std::string> lines;
  std::string line;
  double line_width = 0;
  const double space = metrics.width(font.style, font.size, " ");
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    const std::string_view word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    const double w = metrics.width(font.style, font.size, word);
    if (!line.empty() && line_width + space + w <= max_width) {
      line += ' ';
      line.append(word);
      line_width += space + w;
      continue;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    line.clear();
    line_width = 0;
    if (w <= max_width) {
      line = std::string(word);
      line_width = w;
      continue;
    }
    auto pieces = split_word(metrics, font, word, max_width);
    for (std::size_t i = 0; i + 1 < pieces.size(); ++i) lines.push_back(std::move(pieces[i]));
    line = std::move(pieces.back());
    line_width = metrics.width(font.style, font.size, line);
  }
  if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
  return lines;
}

}  // namespace detail
}  // namespace sto
