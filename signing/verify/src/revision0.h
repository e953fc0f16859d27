// Private: revision 0 against agreement.xml.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sto/agreement.h"

namespace sto::detail {

struct Rerendered {
  std::optional<Agreement> agreement;  // set when agreement.xml is valid
  std::string pdf;                     // revision 0 as this build renders it; empty when it could not
  std::vector<std::string> problems;   // why not
};

// Validates `xml` with the regulations under `templates_dir` and renders it with this build.
Rerendered rerender(std::string_view xml, const std::filesystem::path& templates_dir);

// The same for an amendment: `agreement_xml` with the amendments `earlier` applied is its basis
// (their hashes are the archive's to check); `agreement` is then its document (who signs it).
Rerendered rerender_wijziging(std::string_view agreement_xml, const std::vector<std::string>& earlier,
                              std::string_view xml, const std::filesystem::path& templates_dir);

// Compares what a reader sees of two contracts: page count, every page's decoded content stream
// (the text, its fonts' glyph ids and positions, lines and shapes) and its annotations (field
// name and rectangle). Empty when equal; else where they first differ. For a revision 0 made by
// another renderer, whose bytes (compression, metadata) cannot be equal.
std::string content_difference(const std::string& expected, const std::string& actual);

}  // namespace sto::detail
