// Private: the visible appearance of a signature in its field.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sto::detail {

// Advance widths (per 1000 units of text size) of the contract's embedded font, by CID; the
// renderer's CIDs are Unicode code points (libharu's Identity-H).
struct GlyphWidths {
  std::unordered_map<char32_t, double> widths;
  double default_width = 1000;  // /DW
  double of(char32_t code_point) const;
};

// "2026-11-25 14:03:07 UTC".
std::string appearance_time(std::time_t time);

// The content stream of a Form XObject of `width` × `height` points that shows `text` on a pale
// background, word-wrapped in the largest size from 8 pt down to 5 pt that fits, with font
// resource /F1. Text is written as 4-hex-digit CIDs (BMP only; render refused anything above).
std::string appearance_stream(std::string_view text, double width, double height, const GlyphWidths& font);

// A number for a PDF: classic locale, at most two decimals, no trailing zeros.
std::string pdf_number(double value);

}  // namespace sto::detail
