// The check of one appended signing revision. A revision is read for just enough to know which
// field it fills, at what time and with how much room; draft_revision then writes what a signing
// act would have written, and the two must be equal byte for byte outside the /Contents digits.
// Being exact is the point: every other form a revision could take (an xref stream, a second xref
// section, a freed, duplicated or overridden object, another appearance, a new catalog) is an
// attack on the signatures before it, or a bug, and is refused rather than understood.
#include <algorithm>
#include <ctime>
#include <string>

#include "draft.h"
#include "sto/diagnostics.h"
#include "structure.h"

namespace sto::detail {

namespace {

bool digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// A number of at most `width` digits at text[at...].
std::size_t bounded_number(std::string_view text, std::size_t at, std::size_t width, const char* what) {
  std::size_t n = 0;
  std::size_t value = 0;
  for (; n < width && at + n < text.size() && text[at + n] >= '0' && text[at + n] <= '9'; ++n) {
    value = value * 10 + static_cast<std::size_t>(text[at + n] - '0');
  }
  if (n == 0) throw Error(std::string("ongeldig getal in ") + what);
  return value;
}

// /M (D:YYYYMMDDHHmmSSZ), UTC.
std::time_t signing_time(std::string_view bytes) {
  const std::size_t at = bytes.find("/M (D:");
  if (at == std::string_view::npos || at + 21 > bytes.size()) throw Error("revisie zonder /M");
  const std::string_view stamp = bytes.substr(at + 6, 14);
  if (!digits(stamp) || bytes.substr(at + 20, 2) != "Z)") throw Error("ongeldige /M");
  std::tm t{};
  const auto part = [&](std::size_t from, std::size_t n) {
    return static_cast<int>(bounded_number(stamp, from, n, "/M"));
  };
  t.tm_year = part(0, 4) - 1900;
  t.tm_mon = part(4, 2) - 1;
  t.tm_mday = part(6, 2);
  t.tm_hour = part(8, 2);
  t.tm_min = part(10, 2);
  t.tm_sec = part(12, 2);
  return timegm(&t);  // an impossible date normalises to another, which then does not match
}

// The object numbers the last xref section lists as in use, beyond the free entry of object 0.
std::vector<int> listed_objects(std::string_view bytes) {
  constexpr std::string_view kXref = "\nxref\n0 1\n0000000000 65535 f \n";
  const std::size_t start = bytes.rfind(kXref);
  const std::size_t end = bytes.rfind("trailer\n");
  if (start == std::string_view::npos || end == std::string_view::npos || end < start) {
    throw Error("revisie zonder klassieke xref-sectie");
  }
  std::vector<int> objects;
  std::size_t at = start + kXref.size();
  while (at < end) {
    const std::size_t first = bounded_number(bytes, at, 7, "xref");
    at = bytes.find(' ', at);
    if (at == std::string_view::npos || at >= end) throw Error("ongeldige xref-subsectie");
    const std::size_t count = bounded_number(bytes, at + 1, 3, "xref");
    at = bytes.find('\n', at);
    if (at == std::string_view::npos || at >= end) throw Error("ongeldige xref-subsectie");
    ++at;
    for (std::size_t k = 0; k < count; ++k, at += 20) {
      if (at + 20 > end) throw Error("ongeldige xref-sectie");
      objects.push_back(static_cast<int>(first + k));
    }
  }
  return objects;
}

}  // namespace

Appended check_appended(std::string_view bytes, std::size_t offset, const Structure& before,
                        const std::string& prefix_sha256) {
  if (!bytes.ends_with("%%EOF\n")) throw Error("revisie eindigt niet met %%EOF (afgebroken?)");
  const std::time_t time = signing_time(bytes);
  const std::size_t open = bytes.find("/Contents <");
  const std::size_t close = open == std::string_view::npos ? open : bytes.find('>', open);
  if (close == std::string_view::npos) throw Error("revisie zonder /Contents");
  const std::size_t hex_digits = close - (open + 11);
  if (hex_digits == 0 || hex_digits % 2 != 0 || hex_digits > 2 * 65536) throw Error("ongeldige /Contents");

  // The one existing object it may change: an empty signature field.
  std::size_t field = before.fields.size();
  for (const int object : listed_objects(bytes)) {
    if (object >= before.size) continue;
    const auto f = std::find_if(before.fields.begin(), before.fields.end(),
                                [&](const Field& x) { return x.ref.object == object && !x.is_signed; });
    if (f == before.fields.end() || field != before.fields.size()) {
      throw Error("wijzigt object " + std::to_string(object) + ", dat geen leeg handtekeningveld is");
    }
    field = static_cast<std::size_t>(f - before.fields.begin());
  }
  if (field == before.fields.size()) throw Error("vult geen leeg handtekeningveld");

  const Draft expected = draft_revision(before, offset, prefix_sha256, before.fields[field], time, hex_digits / 2);
  const std::string_view e = expected.bytes;
  const auto differs = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      if (i >= bytes.size() || bytes[i] != e[i]) return i;
    }
    return std::string_view::npos;
  };
  std::size_t first = bytes.size() != e.size() ? std::min(bytes.size(), e.size()) : std::string_view::npos;
  if (first == std::string_view::npos) first = differs(0, expected.contents_at + 1);
  if (first == std::string_view::npos) first = differs(expected.contents_end - 1, e.size());
  if (first != std::string_view::npos) {
    throw Error("wijkt af van wat een handtekening schrijft (vanaf byte " + std::to_string(first) + ")");
  }
  const std::string_view hex = bytes.substr(expected.contents_at + 1, hex_digits);
  if (hex.find_first_not_of("0123456789ABCDEF") != std::string_view::npos) throw Error("/Contents is geen hex");
  Appended a;
  a.field = field;
  a.startxref = offset + expected.xref_at;
  a.contents_at = expected.contents_at;
  a.contents_end = expected.contents_end;
  a.time = time;
  a.cms.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'A' + 10; };
    a.cms += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  }
  return a;
}

}  // namespace sto::detail
