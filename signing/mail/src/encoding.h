// The byte-level encodings of an Internet message (RFC 2045, 2047, 2231, 5322), written here
// because Poco 1.11's MailMessage writes raw UTF-8 headers and splits characters across
// encoded-words (docs/design/mail.md §3).
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace sto::mail_encoding {

// Header lines are folded to at most this many characters (RFC 5322 §2.1.1 "SHOULD").
inline constexpr std::size_t kMaxHeaderLine = 78;

// Base64 without line breaks (OpenSSL's EVP_EncodeBlock).
std::string base64(std::string_view bytes);
// Base64 in lines of 76 characters, each ended by CRLF (RFC 2045 §6.8).
std::string base64_lines(std::string_view bytes);
// Lower-case hex of `bytes`.
std::string hex(std::string_view bytes);
// Lower-case hex SHA-256.
std::string sha256_hex(std::string_view bytes);

// `text` with every line end ("\n", "\r\n" or a lone "\r") made "\n".
std::string normalize_newlines(std::string_view text);

// Quoted-printable (RFC 2045 §6.7) of `text` ('\n' line ends): CRLF line ends, encoded lines of
// at most 76 characters, soft breaks never inside a UTF-8 character, trailing blanks encoded,
// a leading "." or "From " encoded so no transport or mbox reader can take the line for theirs.
std::string quoted_printable(std::string_view text);

// True when every byte is printable ASCII (0x20-0x7e).
bool printable_ascii(std::string_view text);

// RFC 2047 "B" encoded-words of UTF-8 `text`, each holding whole characters and at most 64
// characters long, so that a header line with one of them stays within kMaxHeaderLine.
std::vector<std::string> encoded_words(std::string_view text);

// "Name: token token ..." + CRLF, folded (CRLF SP) between tokens so that lines stay within
// kMaxHeaderLine where the tokens allow it. Unfolding gives the tokens joined by single spaces.
std::string header(std::string_view name, const std::vector<std::string>& tokens);

// The tokens of an unstructured header value (Subject): the words when `text` is plain ASCII
// that folds as it is, otherwise encoded-words.
std::vector<std::string> unstructured(std::string_view text);

// The tokens of a mailbox "display name <addr-spec>" (RFC 5322 §3.4): the name bare, as a
// quoted-string or as encoded-words, whichever is needed. Throws sto::Error when `address` is
// not a plain ASCII addr-spec (no blanks, controls, angle brackets or the like).
std::vector<std::string> mailbox(std::string_view name, std::string_view address);

// The tokens of a MIME parameter (RFC 2045 §5.1), e.g. `filename`: `name="value"` for short
// plain ASCII, otherwise RFC 2231 `name*=UTF-8''%..`, in `name*0*=…;` continuations when long. Each token but the last
// ends with ';' so they can follow one another.
std::vector<std::string> parameter(std::string_view name, std::string_view value);

// "Thu, 26 Nov 2026 14:03:00 +0000" (RFC 5322 §3.3, in UTC, with English names whatever the
// locale).
std::string rfc5322_date(std::time_t time);

}  // namespace sto::mail_encoding
