#include "sto/utf8.h"

#include <array>
#include <cstdio>

namespace sto {

std::size_t utf8_sequence_length(std::string_view bytes, std::size_t at) {
  if (at >= bytes.size()) return 0;
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  // Unicode Table 3-7: the lead byte fixes the length and the range of the second byte; the
  // narrowed ranges exclude overlong forms (E0, F0), surrogates (ED) and what lies above
  // U+10FFFF (F4). C0 and C1 could only start overlong forms.
  std::size_t length = 0;
  unsigned char min_second = 0x80;
  unsigned char max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;
    if (lead == 0xED) max_second = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;
    if (lead == 0xF4) max_second = 0x8F;
  } else {
    return 0;
  }
  if (length > bytes.size() - at) return 0;
  if (byte(at + 1) < min_second || byte(at + 1) > max_second) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(at + k) < 0x80 || byte(at + k) > 0xBF) return 0;
  }
  return length;
}

std::optional<char32_t> next_code_point(std::string_view bytes, std::size_t& at) {
  const std::size_t length = utf8_sequence_length(bytes, at);
  if (length == 0) {
    ++at;
    return std::nullopt;
  }
  // The lead byte carries 7, 5, 4 or 3 bits of the code point, each continuation byte 6.
  static constexpr std::array<unsigned char, 5> kLeadBits = {0x00, 0x7F, 0x1F, 0x0F, 0x07};
  auto code_point = static_cast<char32_t>(static_cast<unsigned char>(bytes[at]) & kLeadBits[length]);
  for (std::size_t k = 1; k < length; ++k) {
    code_point = (code_point << 6) | static_cast<char32_t>(static_cast<unsigned char>(bytes[at + k]) & 0x3F);
  }
  at += length;
  return code_point;
}

bool is_utf8(std::string_view bytes) {
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t length = utf8_sequence_length(bytes, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

std::u32string decode_utf8(std::string_view bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  for (std::size_t at = 0; at < bytes.size();) out.push_back(next_code_point(bytes, at).value_or(U'\uFFFD'));
  return out;
}

std::size_t count_code_points(std::string_view bytes) {
  std::size_t count = 0;
  for (std::size_t at = 0; at < bytes.size(); ++count) next_code_point(bytes, at);
  return count;
}

std::size_t utf8_prefix(std::string_view bytes, std::size_t max_bytes) {
  if (bytes.size() <= max_bytes) return bytes.size();
  std::size_t end = 0;
  for (std::size_t at = 0; at <= max_bytes;) {
    end = at;
    next_code_point(bytes, at);
  }
  return end;
}

bool is_invisible(char32_t c) {
  struct Range {
    char32_t first, last;
  };
  static constexpr Range kInvisible[] = {
      {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C},   {0x115F, 0x1160},   {0x17B4, 0x17B5}, {0x180B, 0x180F},
      {0x200B, 0x200F}, {0x2028, 0x202E}, {0x2060, 0x206F},   {0x3164, 0x3164},   {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF},
      {0xFFA0, 0xFFA0}, {0xFFF9, 0xFFFB}, {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
  };
  for (const Range& r : kInvisible) {
    if (c >= r.first && c <= r.last) return true;
  }
  return false;
}

std::string code_point_name(char32_t code_point) {
  char out[16];
  std::snprintf(out, sizeof out, "U+%04X", static_cast<unsigned>(code_point));
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char escape[16];
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t start = at;
    const auto c = next_code_point(text, at);
    if (!c) {
      std::snprintf(escape, sizeof escape, "\\x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[start])));
      out += escape;
    } else if (*c < 0x20 || *c == 0x7F) {
      std::snprintf(escape, sizeof escape, "\\x%02X", static_cast<unsigned>(*c));
      out += escape;
    } else if ((*c >= 0x80 && *c < 0xA0) || is_invisible(*c)) {
      std::snprintf(escape, sizeof escape, "\\u{%04X}", static_cast<unsigned>(*c));
      out += escape;
    } else {
      out.append(text, start, at - start);
    }
  }
  return out;
}

std::string encode_utf8(char32_t code_point) {
  const bool encodable = code_point <= 0x10FFFF && (code_point < 0xD800 || code_point > 0xDFFF);
  const char32_t cp = encodable ? code_point : U'\uFFFD';
  const auto byte = [](char32_t bits) { return static_cast<char>(bits); };
  if (cp < 0x80) return {byte(cp)};
  if (cp < 0x800) return {byte(0xC0 | (cp >> 6)), byte(0x80 | (cp & 0x3F))};
  if (cp < 0x10000) return {byte(0xE0 | (cp >> 12)), byte(0x80 | ((cp >> 6) & 0x3F)), byte(0x80 | (cp & 0x3F))};
  return {byte(0xF0 | (cp >> 18)), byte(0x80 | ((cp >> 12) & 0x3F)), byte(0x80 | ((cp >> 6) & 0x3F)),
          byte(0x80 | (cp & 0x3F))};
}

}  // namespace sto
