// The peer's input: the same contract (the Document our template makes from the agreement)
// as one HTML file, for LibreOffice to lay out and print to PDF.
#pragma once

#include <string>

#include "sto/template.h"

namespace sto::bench {

// Title, headings, paragraphs, lists, label/value rows, the contribution table with its header
// row in <thead> and totals in <tfoot>, and per partner a signature block with a framed box per
// tekenbevoegde. A4 with our margins and Liberation Sans, so both sides set the same text in the
// same font on the same page. Not in it: the running header and footer (the peer's job is the
// lighter for it).
std::string html_contract(const Document& document);

}  // namespace sto::bench
