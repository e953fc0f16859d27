// Private: the table behind make_finding() and message().
#pragma once

#include <span>
#include <string_view>

#include "sto/diagnostics.h"

namespace sto::detail {

struct CatalogueEntry {
  std::string_view rule;
  Severity severity;
  std::string_view nl;  // sentence with {name} placeholders filled from Finding::args
  std::string_view en;
};

std::span<const CatalogueEntry> catalogue();

}  // namespace sto::detail
