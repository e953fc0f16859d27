// Private: the qpdf pass over libharu's output.
#pragma once

#include <string>

#include "sto/layout.h"

namespace sto::detail {

// Replaces every font's ToUnicode CMap with a correct identity map (libharu's CIDs are Unicode
// code points), writes the metadata of the layout's info, adds one empty signature field per
// SignatureField, and returns the file as PDF 1.7 with a deterministic /ID.
std::string finish_pdf(const std::string& libharu_pdf, const Layout& layout);

}  // namespace sto::detail
