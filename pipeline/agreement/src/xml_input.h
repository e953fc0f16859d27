// Private: what has to hold of the raw bytes before an XML parser may look at them.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "sto/diagnostics.h"

namespace sto::detail {

// Maps byte offsets to 1-based line numbers (pugixml reports offsets, people read lines).
class LineTable {
 public:
  explicit LineTable(std::string_view text);
  int line_of(std::ptrdiff_t offset) const;  // 0 for a negative offset (unknown)

 private:
  std::vector<std::size_t> starts_;
};

// Checks that `bytes` is well-formed XML 1.0 with libxml2, which (unlike pugixml, which builds
// our tree) refuses repeated attributes, undefined entities, bad character references, a second
// root element, text after the root and more than 256 levels of nesting. Never loads a DTD or
// anything from the network. Appends an "xml.misvormd" finding and returns false when not.
bool check_well_formed(std::string_view bytes, Findings& findings);

// No element of the format has more than 8 attributes; far more is a hostile file.
inline constexpr std::size_t kMaxAttributesPerElement = 64;

// Checks that no element under (and including) `root` has more than kMaxAttributesPerElement
// attributes, before check_well_formed runs: libxml2's duplicate-attribute test is quadratic in
// an element's attribute count (200 000 attributes took minutes). Appends an
// "xml.te-veel-attributen" finding for the first such element and returns false.
bool check_attribute_counts(pugi::xml_node root, const LineTable& lines, Findings& findings);

// Checks that `bytes` is UTF-8 (a BOM is allowed) without the control characters XML 1.0
// forbids. Appends a finding for the first offence of each kind; returns true when clean.
bool check_text_bytes(std::string_view bytes, const LineTable& lines, Findings& findings);

}  // namespace sto::detail
