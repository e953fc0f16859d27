// Private to pipeline/render: the qpdf pass over libharu's output, and which characters the
// fonts lack.
#pragma once

#include <string>
#include <vector>

#include "sto/layout.h"
#include "sto/render.h"

namespace sto::detail {

// Replaces every font's ToUnicode CMap with a correct identity map (libharu's CIDs are Unicode
// code points), writes the metadata of the layout's info, adds one empty signature field per
// SignatureField, and returns the file as PDF 1.7 with a deterministic /ID.
std::string finish_pdf(const std::string& libharu_pdf, const Layout& layout);

// The characters of `document` that `renderer`'s fonts cannot draw: sorted, unique.
std::vector<char32_t> unprintable(const Document& document, const PdfRenderer& renderer);

}  // namespace sto::detail
