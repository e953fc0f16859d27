// Private: what has to hold of the raw bytes before an XML parser may look at them.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

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

// Checks that `bytes` is UTF-8 (a BOM is allowed) without the control characters XML 1.0
// forbids. Appends a finding for the first offence of each kind; returns true when clean.
bool check_text_bytes(std::string_view bytes, const LineTable& lines, Findings& findings);

}  // namespace sto::detail
