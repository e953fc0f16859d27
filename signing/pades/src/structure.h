// Private: what signing needs to know of the contract's PDF structure, and of the revisions it
// appended itself.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "appearance.h"

namespace sto::detail {

struct Reference {
  int object = 0;
  int generation = 0;
  std::string text() const;  // "12 0 R"
};

struct Field {
  std::string name;       // /T: the tekenbevoegde id
  std::string signed_by;  // /TU: the appearance text before the time
  Reference ref;
  std::string dict;  // as revision 0 wrote it (nested references kept); empty once signed
  double width = 0;
  double height = 0;
  bool is_signed = false;
};

struct Structure {
  Reference root;
  Reference info;
  std::string id0;  // first /ID element, raw
  Reference font;   // /AcroForm /DR /Font /StoRegular
  GlyphWidths widths;
  std::vector<Field> fields;  // /AcroForm /Fields, in order
  int size = 0;               // the trailer's /Size
  std::size_t startxref = 0;  // of the last xref section
};

// Reads `pdf` with qpdf, strictly (no recovery: a damaged file is an error, never repaired in
// silence). Requires a classic xref table, /Info and /ID, and signature fields from sto render.
// Throws sto::Error.
Structure read_structure(const std::string& pdf);

// One revision appended by a signing act, as SignedContract writes it: objects, a classic xref
// section and a trailer. Parsed by us (we wrote it) so that following another writer's revisions
// costs only their bytes.
struct Appended {
  std::size_t startxref = 0;  // absolute
  std::size_t prev = 0;       // /Prev
  int size = 0;               // /Size
  std::vector<int> objects;   // the object numbers its xref section lists, free entry 0 excluded
};

// Parses the revision `bytes` that starts at absolute `offset`; checks that it ends in %%EOF,
// that its startxref and every xref entry point inside it, and that the xref is well formed.
// Throws sto::Error naming what is wrong.
Appended read_appended(std::string_view bytes, std::size_t offset);

}  // namespace sto::detail
