#include "appearance.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "sto/utf8.h"

namespace sto::detail {

namespace {

constexpr double kPadding = 4;

double text_width(std::u32string_view text, double size, const GlyphWidths& font) {
  double w = 0;
  for (const char32_t c : text) w += font.of(c);
  return w * size / 1000;
}

// Greedy word wrap; a word wider than the line is broken between characters.
std::vector<std::u32string> wrap(const std::u32string& text, double size, double width, const GlyphWidths& font) {
  std::vector<std::u32string> lines;
  std::u32string line;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = text.find(U' ', i);
    if (end == std::u32string::npos) end = text.size();
    std::u32string word = text.substr(i, end - i);
    i = end + 1;
    const std::u32string candidate = line.empty() ? word : line + U' ' + word;
    if (text_width(candidate, size, font) <= width) {
      line = candidate;
      continue;
    }
    if (!line.empty()) lines.push_back(line);
    line.clear();
    while (text_width(word, size, font) > width && word.size() > 1) {
      std::size_t fit = 1;
      while (fit < word.size() && text_width(std::u32string_view(word).substr(0, fit + 1), size, font) <= width) ++fit;
      lines.push_back(word.substr(0, fit));
      word.erase(0, fit);
    }
    line = word;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string cid_hex(const std::u32string& text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out = "<";
  for (const char32_t c : text) {
    const auto cid = static_cast<unsigned>(c > 0xFFFF ? 0xFFFD : c);
    for (int shift = 12; shift >= 0; shift -= 4) out += kDigits[(cid >> shift) & 0xF];
  }
  return out + ">";
}

}  // namespace

double GlyphWidths::of(char32_t code_point) const {
  const auto it = widths.find(code_point);
  return it == widths.end() ? default_width : it->second;
}

std::string pdf_number(double value) {
  const double rounded = std::round(value * 100) / 100;
  std::array<char, 32> text{};
  const auto [end, error] =
      std::to_chars(text.data(), text.data() + text.size(), rounded == 0 ? 0.0 : rounded, std::chars_format::fixed, 2);
  std::string out(text.data(), error == std::errc() ? end : text.data());
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::string appearance_time(std::time_t time) {
  std::tm t{};
  gmtime_r(&time, &t);
  std::array<char, 80> text{};
  std::snprintf(text.data(), text.size(), "%04d-%02d-%02d %02d:%02d:%02d UTC", t.tm_year + 1900, t.tm_mon + 1,
                t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
  return text.data();
}

std::string appearance_stream(std::string_view text, double width, double height, const GlyphWidths& font) {
  const std::u32string decoded = decode_utf8(text);
  const double inner = width - 2 * kPadding;
  double size = 8;
  std::vector<std::u32string> lines;
  for (; size >= 5; size -= 0.5) {
    lines = wrap(decoded, size, inner, font);
    if (static_cast<double>(lines.size()) * size * 1.15 <= height - 2 * kPadding) break;
  }
  size = std::max(size, 5.0);
  const double leading = size * 1.15;
  std::string out = "q 0.93 0.95 0.99 rg 0 0 " + pdf_number(width) + " " + pdf_number(height) + " re f Q\n";
  out += "q 0 0 " + pdf_number(width) + " " + pdf_number(height) + " re W n\n";  // clip to the field
  out += "BT 0.08 0.12 0.35 rg /F1 " + pdf_number(size) + " Tf " + pdf_number(leading) + " TL " + pdf_number(kPadding) +
         " " + pdf_number(height - kPadding - size) + " Td\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += (i == 0 ? "" : "T* ") + cid_hex(lines[i]) + " Tj\n";
  }
  out += "ET Q\n";
  return out;
}

}  // namespace sto::detail
