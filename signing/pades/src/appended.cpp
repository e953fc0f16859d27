// The check of one appended signing revision: it must be exactly what draft_revision writes.
// Being exact is the point: every other form an appended revision could take (an xref stream, a
// second xref section, a freed or overridden object, a new catalog) is an attack on the
// signatures before it, or a bug, and is refused rather than understood.
#include <algorithm>
#include <charconv>
#include <regex>
#include <vector>

#include "sto/diagnostics.h"
#include "structure.h"

namespace sto::detail {

namespace {

// Patterns are tried at the start of the text only: libstdc++'s regex_search would otherwise try
// every position of a 12 KB signature object before failing.
constexpr auto kAtStart = std::regex_constants::match_continuous;

struct Entry {
  int object = 0;
  int generation = 0;
  std::size_t offset = 0;  // relative to the revision
};

template <typename T>
T to_number(const std::string& digits, const char* what) {
  T value{};
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) throw Error(std::string("ongeldig getal: ") + what);
  return value;
}

// The in-use entries after "xref\n0 1\n0000000000 65535 f \n", up to `end`.
std::vector<Entry> xref_entries(std::string_view bytes, std::size_t at, std::size_t end, std::size_t offset) {
  static const std::regex header("^(\\d{1,7}) (\\d{1,3})\n");
  static const std::regex line("^(\\d{10}) (\\d{5}) n \n");
  std::vector<Entry> entries;
  while (at < end) {
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                           bytes.begin() + static_cast<std::ptrdiff_t>(end), m, header, kAtStart)) {
      throw Error("ongeldige xref-subsectie");
    }
    const int first = to_number<int>(m[1].str(), "xref");
    const int count = to_number<int>(m[2].str(), "xref");
    at += static_cast<std::size_t>(m.length(0));
    for (int k = 0; k < count; ++k, at += 20) {
      if (at + 20 > end ||
          !std::regex_search(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                             bytes.begin() + static_cast<std::ptrdiff_t>(at + 20), m, line, kAtStart)) {
        throw Error("ongeldige xref-regel (alleen objecten in gebruik, 20 bytes per regel)");
      }
      const auto where = to_number<std::size_t>(m[1].str(), "xref");
      if (where < offset || where - offset >= bytes.size()) throw Error("xref wijst buiten de revisie");
      entries.push_back({first + k, to_number<int>(m[2].str(), "xref"), where - offset});
    }
  }
  return entries;
}

// The signature dictionary: /ByteRange excluding exactly its own /Contents, which is hex only.
void check_signature(std::string_view text, std::size_t at, std::size_t offset, std::size_t total) {
  static const std::regex head(
      "^\\d+ 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M \\(D:\\d{14}Z\\)\n"
      "/ByteRange \\[0 (\\d+) (\\d+) (\\d+)\\] *\n/Contents <");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(text.begin(), text.end(), m, head, kAtStart)) throw Error("ongeldig handtekeningwoordenboek");
  const std::size_t open = at + static_cast<std::size_t>(m.length(0)) - 1;  // the '<', relative
  const std::size_t close = text.find('>', static_cast<std::size_t>(m.length(0)));
  if (close == std::string_view::npos || text.substr(close) != "> >>\nendobj\n") {
    throw Error("ongeldig handtekeningwoordenboek");
  }
  const std::string_view hex =
      text.substr(static_cast<std::size_t>(m.length(0)), close - static_cast<std::size_t>(m.length(0)));
  if (hex.find_first_not_of("0123456789ABCDEFabcdef") != std::string_view::npos) throw Error("/Contents is geen hex");
  const std::size_t a = offset + open;
  const std::size_t b = offset + at + close + 1;
  if (to_number<std::size_t>(m[1].str(), "ByteRange") != a || to_number<std::size_t>(m[2].str(), "ByteRange") != b ||
      to_number<std::size_t>(m[3].str(), "ByteRange") != total - b) {
    throw Error("/ByteRange sluit niet precies /Contents uit");
  }
}

// The appearance: a Form XObject in the contract's font, its stream exactly /Length long.
void check_appearance(std::string_view text, const Reference& font) {
  static const std::regex head(
      "^\\d+ 0 obj\n<< /Type /XObject /Subtype /Form /BBox \\[0 0 [0-9.]+ [0-9.]+\\] /Resources << /Font << /F1 "
      "(\\d+) (\\d+) R >> >> /Length (\\d+) >>\nstream\n");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(text.begin(), text.end(), m, head, kAtStart) ||
      to_number<int>(m[1].str(), "font") != font.object || to_number<int>(m[2].str(), "font") != font.generation) {
    throw Error("ongeldige weergave van de handtekening");
  }
  const auto length = to_number<std::size_t>(m[3].str(), "Length");
  if (static_cast<std::size_t>(m.length(0)) + length + 17 != text.size() ||
      text.substr(text.size() - 17) != "endstream\nendobj\n") {
    throw Error("de weergave van de handtekening heeft een verkeerde /Length");
  }
}

}  // namespace

Appended check_appended(std::string_view bytes, std::size_t offset, const Structure& before) {
  if (!bytes.ends_with("%%EOF\n")) throw Error("revisie eindigt niet met %%EOF (afgebroken?)");
  const std::size_t trailer_at = bytes.rfind("trailer\n");
  if (trailer_at == std::string_view::npos) throw Error("revisie zonder trailer");
  static const std::regex trailer(
      "^trailer\n<< /Size (\\d{1,8}) /Root (\\d+) (\\d+) R(?: /Info (\\d+) (\\d+) R)? /ID \\[<([0-9A-F]*)> "
      "<[0-9A-F]{32}>\\] /Prev (\\d{1,12}) >>\nstartxref\n(\\d{1,12})\n%%EOF\n$");
  std::match_results<std::string_view::const_iterator> t;
  const std::string_view tail = bytes.substr(trailer_at);
  if (!std::regex_match(tail.begin(), tail.end(), t, trailer)) throw Error("ongeldige trailer (andere sleutels?)");
  const bool has_info = t[4].matched;
  if (to_number<int>(t[2].str(), "Root") != before.root.object ||
      to_number<int>(t[3].str(), "Root") != before.root.generation || has_info != (before.info.object > 0) ||
      (has_info && (to_number<int>(t[4].str(), "Info") != before.info.object ||
                    to_number<int>(t[5].str(), "Info") != before.info.generation)) ||
      t[6].str() != upper_hex(before.id0)) {
    throw Error("de trailer wijzigt /Root, /Info of /ID");
  }
  Appended a;
  a.size = to_number<int>(t[1].str(), "Size");
  a.startxref = to_number<std::size_t>(t[8].str(), "startxref");
  if (to_number<std::size_t>(t[7].str(), "Prev") != before.startxref)
    throw Error("/Prev sluit niet aan op de vorige revisie");
  if (a.size != before.size + 2) throw Error("/Size is niet twee hoger dan in de vorige revisie");
  if (a.startxref < offset || a.startxref - offset >= trailer_at) throw Error("startxref wijst buiten de revisie");
  const std::size_t xref_at = a.startxref - offset;
  constexpr std::string_view kXref = "xref\n0 1\n0000000000 65535 f \n";
  if (bytes.substr(xref_at, kXref.size()) != kXref) throw Error("geen xref-sectie op startxref");
  std::vector<Entry> entries = xref_entries(bytes, xref_at + kXref.size(), trailer_at, offset);

  // Exactly: the new signature dictionary and appearance, and one empty field of `before`.
  const Reference signature{before.size, 0};
  const Reference appearance{before.size + 1, 0};
  std::size_t field = before.fields.size();
  for (const Entry& e : entries) {
    if ((e.object == signature.object || e.object == appearance.object) && e.generation == 0) continue;
    const auto f = std::find_if(before.fields.begin(), before.fields.end(), [&](const Field& x) {
      return x.ref.object == e.object && x.ref.generation == e.generation && !x.is_signed;
    });
    if (f == before.fields.end() || field != before.fields.size()) {
      throw Error("wijzigt object " + std::to_string(e.object) + ", dat geen leeg handtekeningveld is");
    }
    field = static_cast<std::size_t>(f - before.fields.begin());
  }
  if (entries.size() != 3 || field == before.fields.size()) throw Error("is geen handtekeningrevisie (drie objecten)");

  // The three objects fill the body, one after another, each once.
  std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) { return x.offset < y.offset; });
  if (bytes.front() != '\n' || entries.front().offset != 1) throw Error("onverwachte bytes voor het eerste object");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const std::size_t end = i + 1 < entries.size() ? entries[i + 1].offset : xref_at;
    if (end <= e.offset) throw Error("objecten overlappen");
    const std::string_view text = bytes.substr(e.offset, end - e.offset);
    const std::string opening = std::to_string(e.object) + " " + std::to_string(e.generation) + " obj\n";
    if (!text.starts_with(opening) || !text.ends_with("\nendobj\n") || text.find("endobj") != text.size() - 7) {
      throw Error("object " + std::to_string(e.object) + " staat niet precies op zijn xref-plaats");
    }
    if (e.object == signature.object) {
      check_signature(text, e.offset, offset, offset + bytes.size());
    } else if (e.object == appearance.object) {
      check_appearance(text, before.font);
    } else if (text != opening + filled_field(before.fields[field], signature, appearance) + "\nendobj\n") {
      throw Error("handtekeningveld " + before.fields[field].name + " wijzigt meer dan /V en /AP");
    }
  }
  a.field = field;
  return a;
}

}  // namespace sto::detail
