// UTF-8: the one strict decoder (RFC 3629) and what is built on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "sto/utf8.h"

namespace sto {
namespace {

const std::u32string kReplacement = U"\uFFFD";

// Each of these is invalid from its first byte on, and every byte of it stays invalid when read
// on its own: decoding gives one U+FFFD per byte.
void expect_invalid_throughout(const std::string& bytes) {
  SCOPED_TRACE(testing::PrintToString(bytes));
  EXPECT_EQ(utf8_sequence_length(bytes, 0), 0U);
  EXPECT_FALSE(is_utf8(bytes));
  std::u32string replaced;
  for (std::size_t i = 0; i < bytes.size(); ++i) replaced += kReplacement;
  EXPECT_EQ(decode_utf8(bytes), replaced);
  EXPECT_EQ(count_code_points(bytes), bytes.size());
}

TEST(Utf8, DecodesValidSequencesOfOneToFourBytes) {
  const std::vector<std::pair<std::string, char32_t>> valid = {
      {"A", U'A'},
      {"\x7F", U'\x7F'},
      {"\xC2\x80", U'\u0080'},
      {"\xC3\xAB", U'\u00EB'},  // ë
      {"\xDF\xBF", U'\u07FF'},
      {"\xE0\xA0\x80", U'\u0800'},
      {"\xE2\x82\xAC", U'\u20AC'},  // €
      {"\xED\x9F\xBF", U'\uD7FF'},  // just below the surrogates
      {"\xEE\x80\x80", U'\uE000'},  // just above them
      {"\xEF\xBF\xBF", U'\uFFFF'},
      {"\xF0\x90\x80\x80", U'\U00010000'},
      {"\xF0\x9F\x98\x80", U'\U0001F600'},
      {"\xF4\x8F\xBF\xBF", U'\U0010FFFF'},
  };
  for (const auto& [bytes, code_point] : valid) {
    SCOPED_TRACE(testing::PrintToString(bytes));
    EXPECT_EQ(utf8_sequence_length(bytes, 0), bytes.size());
    EXPECT_TRUE(is_utf8(bytes));
    EXPECT_EQ(decode_utf8(bytes), std::u32string(1, code_point));
    EXPECT_EQ(count_code_points(bytes), 1U);
    std::size_t at = 0;
    EXPECT_EQ(next_code_point(bytes, at), code_point);
    EXPECT_EQ(at, bytes.size());
  }
}

TEST(Utf8, DecodesUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(decode_utf8("Zoë €"), (std::u32string{U'Z', U'o', U'\u00EB', U' ', U'\u20AC'}));
  EXPECT_EQ(decode_utf8("a\xff"
                        "b"),
            (std::u32string{U'a', U'\uFFFD', U'b'}));
}

TEST(Utf8, RejectsOverlongForms) {
  expect_invalid_throughout("\xC0\x80");          // U+0000 in two bytes
  expect_invalid_throughout("\xC1\xBF");          // U+007F in two bytes
  expect_invalid_throughout("\xE0\x80\x80");      // U+0000 in three
  expect_invalid_throughout("\xE0\x9F\xBF");      // U+07FF in three
  expect_invalid_throughout("\xF0\x80\x80\x80");  // U+0000 in four
  expect_invalid_throughout("\xF0\x8F\xBF\xBF");  // U+FFFF in four
}

TEST(Utf8, RejectsSurrogates) {
  expect_invalid_throughout("\xED\xA0\x80");  // U+D800
  expect_invalid_throughout("\xED\xAF\xBF");  // U+DBFF
  expect_invalid_throughout("\xED\xB0\x80");  // U+DC00
  expect_invalid_throughout("\xED\xBF\xBF");  // U+DFFF
  // A surrogate pair as CESU-8 writes it is two invalid sequences, not U+1F600.
  expect_invalid_throughout("\xED\xA0\xBD\xED\xB8\x80");
}

TEST(Utf8, RejectsCodePointsAboveU10FFFF) {
  expect_invalid_throughout("\xF4\x90\x80\x80");      // U+110000
  expect_invalid_throughout("\xF5\x80\x80\x80");      // lead bytes F5..F7 only start such values
  expect_invalid_throughout("\xF7\xBF\xBF\xBF");      // U+1FFFFF
  expect_invalid_throughout("\xF8\x88\x80\x80\x80");  // the five-byte form RFC 2279 had
  expect_invalid_throughout("\xFC\x84\x80\x80\x80\x80");
  expect_invalid_throughout("\xFE");
  expect_invalid_throughout("\xFF");
}

TEST(Utf8, RejectsSequencesCutOffByTheEnd) {
  expect_invalid_throughout("\xC3");
  expect_invalid_throughout("\xE2\x82");
  expect_invalid_throughout("\xF0\x9F\x98");
  const std::string euro = "\xE2\x82\xAC";
  EXPECT_EQ(utf8_sequence_length(euro, 0), 3U);
  EXPECT_EQ(utf8_sequence_length(std::string_view(euro).substr(0, 2), 0), 0U);
  EXPECT_EQ(utf8_sequence_length(euro, 3), 0U);  // at the end: nothing starts there
  EXPECT_EQ(decode_utf8("a\xE2\x82"), (std::u32string{U'a', U'\uFFFD', U'\uFFFD'}));
}

TEST(Utf8, RejectsAContinuationByteWithoutItsLead) {
  expect_invalid_throughout("\x80");
  expect_invalid_throughout("\xBF\x80");
  EXPECT_EQ(decode_utf8("a\xBF"
                        "b"),
            (std::u32string{U'a', U'\uFFFD', U'b'}));
  // One continuation byte too many after a complete character.
  EXPECT_EQ(decode_utf8("\xC3\xAB\xAB"), (std::u32string{U'\u00EB', U'\uFFFD'}));
  EXPECT_FALSE(is_utf8("\xC3\xAB\xAB"));
}

TEST(Utf8, AnInvalidByteNeverHidesTheCharacterAfterIt) {
  // A lead byte whose continuation is missing: the next character is read whole.
  EXPECT_EQ(decode_utf8("\xE2"
                        "A\xC3\xAB"),
            (std::u32string{U'\uFFFD', U'A', U'\u00EB'}));
  EXPECT_EQ(decode_utf8("\xF0\x9F\x98"
                        "\xE2\x82\xAC"),
            (std::u32string{U'\uFFFD', U'\uFFFD', U'\uFFFD', U'\u20AC'}));
}

TEST(Utf8, ReplacesEachInvalidByteWithOneReplacementCharacter) {
  const std::string mixed =
      "a\xC0\x80"
      "b\xED\xA0\x80"
      "c\xF4\x90\x80\x80"
      "d\xE2\x82";
  const std::u32string decoded = decode_utf8(mixed);
  EXPECT_EQ(decoded, U"a\uFFFD\uFFFDb\uFFFD\uFFFD\uFFFDc\uFFFD\uFFFD\uFFFD\uFFFDd\uFFFD\uFFFD");
  EXPECT_EQ(count_code_points(mixed), decoded.size());
  EXPECT_EQ(count_code_points("Zoë € 😀"), 7U);
  EXPECT_EQ(count_code_points(""), 0U);
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(decode_utf8("").empty());
}

TEST(Utf8, NextCodePointStepsOverOneCharacterOrOneInvalidByte) {
  const std::string text = "a\xE2\x82\xAC\xFF\xF0\x9F\x98\x80";
  std::size_t at = 0;
  EXPECT_EQ(next_code_point(text, at), U'a');
  EXPECT_EQ(at, 1U);
  EXPECT_EQ(next_code_point(text, at), U'\u20AC');
  EXPECT_EQ(at, 4U);
  EXPECT_FALSE(next_code_point(text, at).has_value());
  EXPECT_EQ(at, 5U);
  EXPECT_EQ(next_code_point(text, at), U'\U0001F600');
  EXPECT_EQ(at, 9U);
}

TEST(Utf8, EncodesTheBoundariesOfEveryLength) {
  const std::vector<std::pair<char32_t, std::string>> boundaries = {
      {U'\0', std::string(1, '\0')},
      {U'\x7F', "\x7F"},
      {U'\u0080', "\xC2\x80"},
      {U'\u07FF', "\xDF\xBF"},
      {U'\u0800', "\xE0\xA0\x80"},
      {U'\uD7FF', "\xED\x9F\xBF"},
      {U'\uE000', "\xEE\x80\x80"},
      {U'\uFFFD', "\xEF\xBF\xBD"},
      {U'\uFFFF', "\xEF\xBF\xBF"},
      {U'\U00010000', "\xF0\x90\x80\x80"},
      {U'\U0010FFFF', "\xF4\x8F\xBF\xBF"},
  };
  for (const auto& [code_point, bytes] : boundaries) {
    SCOPED_TRACE(static_cast<unsigned>(code_point));
    EXPECT_EQ(encode_utf8(code_point), bytes);
    EXPECT_EQ(decode_utf8(bytes), std::u32string(1, code_point));
  }
}

TEST(Utf8, EncodeThenDecodeGivesBackEveryCodePoint) {
  std::size_t mismatches = 0;
  char32_t first_mismatch = 0;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const std::string bytes = encode_utf8(cp);
    std::size_t at = 0;
    const bool same =
        utf8_sequence_length(bytes, 0) == bytes.size() && next_code_point(bytes, at) == cp && at == bytes.size();
    if (!same && mismatches++ == 0) first_mismatch = cp;
  }
  EXPECT_EQ(mismatches, 0U) << "first at U+" << std::hex << static_cast<unsigned>(first_mismatch);
}

TEST(Utf8, EncodesWhatHasNoUtf8FormAsTheReplacementCharacter) {
  EXPECT_EQ(encode_utf8(0xD800), "\xEF\xBF\xBD");
  EXPECT_EQ(encode_utf8(0xDFFF), "\xEF\xBF\xBD");
  EXPECT_EQ(encode_utf8(0x110000), "\xEF\xBF\xBD");
  EXPECT_EQ(encode_utf8(0xFFFFFFFF), "\xEF\xBF\xBD");
}

TEST(Utf8, PrefixNeverCutsACharacter) {
  EXPECT_EQ(utf8_prefix("abc", 10), 3U);
  EXPECT_EQ(utf8_prefix("abc", 3), 3U);
  EXPECT_EQ(utf8_prefix("abc", 2), 2U);
  EXPECT_EQ(utf8_prefix("Zo\xC3\xAB", 3), 2U);  // not half of ë
  EXPECT_EQ(utf8_prefix("\xE2\x82\xAC", 2), 0U);
  EXPECT_EQ(utf8_prefix("a\xFF"
                        "b",
                        2),
            2U);  // an invalid byte is a character of its own
  const std::string text = "Zoë € 😀 Sørensen \xFF\xE2\x82 ok";
  for (std::size_t max = 0; max <= text.size() + 1; ++max) {
    SCOPED_TRACE(max);
    const std::size_t n = utf8_prefix(text, max);
    ASSERT_LE(n, std::min(max, text.size()));
    // It ends where a character ends, and the next character would not fit.
    std::size_t end = 0;
    while (end < n) next_code_point(text, end);
    EXPECT_EQ(end, n);
    if (n < text.size()) {
      std::size_t next = n;
      next_code_point(text, next);
      EXPECT_GT(next, max);
    }
  }
}

}  // namespace
}  // namespace sto
