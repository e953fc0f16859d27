// UTF-8, read and written in one place.
//
// Every check, decode, count or cut of UTF-8 in sto goes through the one strict decoder below
// (RFC 3629 §3-4; Unicode's table of well-formed byte sequences, Table 3-7): a character is valid
// only in its shortest form, never a surrogate (U+D800..U+DFFF), never above U+10FFFF, never cut
// off by the end of the text. Invalid input is never an error here: a function that reads
// possibly invalid bytes treats each byte that starts no valid sequence as one unit of its own
// (decoded as U+FFFD), and goes on with the next byte. So valid text keeps every byte, and no
// byte of invalid text hides the character that follows it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sto {

// The length (1 to 4) of the valid UTF-8 sequence that starts at bytes[at]; 0 when none starts
// there: a continuation byte, a byte no sequence begins with (C0, C1, F5..FF), an overlong form,
// a surrogate, a code point above U+10FFFF, a sequence the end of `bytes` cuts off, or `at` not
// before the end.
std::size_t utf8_sequence_length(std::string_view bytes, std::size_t at);

// The character at bytes[at], and `at` moved past it: its code point, or std::nullopt when no
// valid sequence starts there, `at` then moved by one byte. Requires at < bytes.size(). The
// loop every reader here is built on: `for (i = 0; i < s.size();) next_code_point(s, i);`
// visits each character (or invalid byte) once, and `i - before` is its length in bytes.
std::optional<char32_t> next_code_point(std::string_view bytes, std::size_t& at);

// Whether `bytes` is valid UTF-8 throughout (the empty string is).
bool is_utf8(std::string_view bytes);

// The code points of `bytes`, one U+FFFD for each byte that starts no valid sequence (so
// "a\xE2\x82" gives U+0061 U+FFFD U+FFFD).
std::u32string decode_utf8(std::string_view bytes);

// How many code points decode_utf8(bytes) has, without building them.
std::size_t count_code_points(std::string_view bytes);

// The length of the longest prefix of `bytes` that is at most `max_bytes` long and cuts no
// character in two (an invalid byte is a character of its own): bytes.size() when that is at
// most `max_bytes`, else at most `max_bytes`, and 0 when even the first character is longer.
std::size_t utf8_prefix(std::string_view bytes, std::size_t max_bytes);

// Characters that are not seen but change what is seen: the bidirectional formatting characters
// (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), zero-width and other invisible
// characters (U+00AD, U+034F, U+115F-U+1160, U+17B4-U+17B5, U+180B-U+180F, U+200B-U+200D,
// U+2060-U+2064, U+206A-U+206F, U+3164, U+FE00-U+FE0F, U+FEFF, U+FFA0, U+FFF9-U+FFFB,
// U+1D173-U+1D17A, U+E0000-U+E0FFF), and the line and paragraph separators U+2028-U+2029. In a
// name they make a page, a mail and a PDF show different text, or text its holder cannot type.
bool is_invisible(char32_t code_point);

// `text` as it may be written to a terminal or a log line: every control character (C0, DEL,
// C1) and every is_invisible character escaped ("\x1B", "\u{202E}"), a byte that is not UTF-8
// as "\xFF"; all else as it was. Text from outside (a reason, a name, a request) printed raw
// could move the cursor, recolour or forge lines.
std::string printable(std::string_view text);

// "U+202E": how a finding names a character.
std::string code_point_name(char32_t code_point);

// The UTF-8 bytes of `code_point` (1 to 4 of them). A surrogate or a value above U+10FFFF has
// no UTF-8 form; it is written as U+FFFD, so the result is always valid UTF-8.
std::string encode_utf8(char32_t code_point);

}  // namespace sto
