#include "encoding.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>

#include "sto/diagnostics.h"
#include "sto/utf8.h"

namespace sto::mail_encoding {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

// Bytes per encoded-word: 39 bytes are 52 base64 characters, 64 with "=?UTF-8?B?" and "?=", so
// "Subject: " + one word is 73 characters.
constexpr std::size_t kWordBytes = 39;

void append_hex(std::string& out, unsigned char byte) {
  out += '=';
  out += kHex[byte >> 4];
  out += kHex[byte & 0x0f];
}

// One encoded line's units: a literal character or the =XX of one whole UTF-8 character.
std::vector<std::string> qp_units(std::string_view line) {
  std::vector<std::string> units;
  for (std::size_t i = 0; i < line.size();) {
    const std::size_t start = i;
    const auto c = static_cast<unsigned char>(line[start]);
    const bool last = start + 1 == line.size();
    const bool blank = c == ' ' || c == '\t';
    const bool guarded = start == 0 && (c == '.' || line.starts_with("From "));
    next_code_point(line, i);  // a byte that is not UTF-8 is a unit of its own
    std::string unit;
    if (i - start > 1) {
      for (std::size_t k = start; k < i; ++k) append_hex(unit, static_cast<unsigned char>(line[k]));
    } else if ((c >= 33 && c <= 126 && c != '=' && !guarded) || (blank && !last)) {
      unit = static_cast<char>(c);
    } else {
      append_hex(unit, c);
    }
    units.push_back(std::move(unit));
  }
  return units;
}

}  // namespace

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64_lines(std::string_view bytes) {
  constexpr std::size_t kLineBytes = 57;  // 76 base64 characters
  std::string out;
  out.reserve(bytes.size() / kLineBytes * 78 + 80);
  for (std::size_t i = 0; i < bytes.size(); i += kLineBytes) {
    out += base64(bytes.substr(i, kLineBytes));
    out += "\r\n";
  }
  return out;
}

std::string hex(std::string_view bytes) {
  std::string out;
  out.reserve(2 * bytes.size());
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += "0123456789abcdef"[c >> 4];
    out += "0123456789abcdef"[c & 0x0f];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw Error("SHA-256 mislukt (OpenSSL)");
  }
  return hex(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

std::string normalize_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  constexpr std::size_t kMax = 76;  // RFC 2045 §6.7 (5): including a soft break's '='
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const auto units = qp_units(text.substr(start, end - start));
    std::string line;
    for (std::size_t i = 0; i < units.size(); ++i) {
      const bool last = i + 1 == units.size();
      // The last unit may fill the line to 76; any other needs room for the soft break.
      if (line.size() + units[i].size() > (last ? kMax : kMax - 1)) {
        out += line + "=\r\n";
        line.clear();
      }
      line += units[i];
    }
    out += line;
    if (end == text.size()) break;
    out += "\r\n";
    start = end + 1;
  }
  return out;
}

bool printable_ascii(std::string_view text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::vector<std::string> encoded_words(std::string_view text) {
  std::vector<std::string> words;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t j = i;
    while (j < text.size()) {
      std::size_t next = j;
      next_code_point(text, next);  // RFC 2047 §5: an encoded-word holds whole characters
      if (next - i > kWordBytes) break;
      j = next;
    }
    words.push_back("=?UTF-8?B?" + base64(text.substr(i, j - i)) + "?=");
    i = j;
  }
  return words;
}

std::string header(std::string_view name, const std::vector<std::string>& tokens) {
  std::string out(name);
  out += ':';
  std::size_t column = out.size();
  for (const auto& token : tokens) {
    // Never fold right after the colon: a line holding only the name helps no one.
    if (column + 1 + token.size() > kMaxHeaderLine && column > name.size() + 1) {
      out += "\r\n";
      column = 0;
    }
    out += ' ';
    out += token;
    column += 1 + token.size();
  }
  return out + "\r\n";
}

std::vector<std::string> unstructured(std::string_view text) {
  // Plain when it unfolds to itself: printable ASCII, single spaces between words, words that
  // fit a line, and nothing a decoder would take for an encoded-word.
  const bool plain = printable_ascii(text) && !text.starts_with(' ') && !text.ends_with(' ') &&
                     text.find("  ") == std::string_view::npos && text.find("=?") == std::string_view::npos;
  std::vector<std::string> words;
  if (plain) {
    for (std::size_t start = 0; start < text.size();) {
      const std::size_t end = std::min(text.find(' ', start), text.size());
      words.emplace_back(text.substr(start, end - start));
      start = end + 1;
    }
    bool fits = true;
    for (const auto& word : words) fits = fits && word.size() <= 60;
    if (fits) return words;
  }
  return encoded_words(text);
}

std::vector<std::string> mailbox(std::string_view name, std::string_view address) {
  const bool valid = !address.empty() && printable_ascii(address) && address.find('@') != std::string_view::npos &&
                     address.find_first_of(" <>()[]\\,;:\"") == std::string_view::npos;
  if (!valid) throw Error("ongeldig e-mailadres: \"" + std::string(address) + "\"");
  const std::string angle = "<" + std::string(address) + ">";
  if (name.empty()) return {std::string(address)};
  std::vector<std::string> tokens;
  if (printable_ascii(name) && name.size() <= 60 && name.find("=?") == std::string_view::npos) {
    if (name.find_first_of("()<>[]:;@\\,.\"") == std::string_view::npos && !name.starts_with(' ') &&
        !name.ends_with(' ')) {
      tokens.emplace_back(name);
    } else {
      std::string quoted = "\"";
      for (const char c : name) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
      }
      tokens.push_back(quoted + "\"");
    }
  } else {
    tokens = encoded_words(name);
  }
  tokens.push_back(angle);
  return tokens;
}

std::vector<std::string> parameter(std::string_view name, std::string_view value) {
  const bool simple =
      printable_ascii(value) && value.size() <= 50 && value.find_first_of("\"\\") == std::string_view::npos;
  if (simple) return {std::string(name) + "=\"" + std::string(value) + "\""};
  // RFC 2231 §3-4: percent-encoded UTF-8, cut between (never inside) the %XX of a byte.
  std::vector<std::string> pieces{"UTF-8''"};
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    const bool attribute_char = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    std::string encoded;
    if (attribute_char) {
      encoded = static_cast<char>(c);
    } else {
      encoded = {'%', kHex[c >> 4], kHex[c & 0x0f]};
    }
    if (pieces.back().size() + encoded.size() > 54) pieces.emplace_back();
    pieces.back() += encoded;
  }
  if (pieces.size() == 1) return {std::string(name) + "*=" + pieces[0]};  // widest support
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    std::string token = std::string(name) + "*" + std::to_string(i) + "*=" + pieces[i];
    if (i + 1 < pieces.size()) token += ';';
    tokens.push_back(std::move(token));
  }
  return tokens;
}

std::string rfc5322_date(std::time_t time) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm utc{};
  if (gmtime_r(&time, &utc) == nullptr) throw Error("ongeldige tijd voor Date: " + std::to_string(time));
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return buffer;
}

}  // namespace sto::mail_encoding
