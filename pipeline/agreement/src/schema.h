// Private: the agreement's schema, applied to a parsed root element.
#pragma once

#include <pugixml.hpp>

#include "sto/agreement.h"
#include "xml_walk.h"

namespace sto::detail {

// Fills `agreement` from `root` (already known to be our samenwerkingsovereenkomst), reporting
// every format finding through `walker`.
void read_schema(Walker& walker, pugi::xml_node root, Agreement& agreement);

// The same for an amendment (root: our wijziging).
void read_wijziging_schema(Walker& walker, pugi::xml_node root, Wijziging& wijziging);

}  // namespace sto::detail
