// Private: what signing needs to know of the contract's PDF structure, and of the revisions it
// appended itself.
#pragma once

#include <cstddef>
#include <memory>
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
  std::string id0;                            // first /ID element, raw
  Reference font;                             // /AcroForm /DR /Font /StoRegular
  std::shared_ptr<const GlyphWidths> widths;  // shared: a signing act copies the rest
  std::vector<Field> fields;                  // /AcroForm /Fields, in order
  int size = 0;                               // the trailer's /Size
  std::size_t startxref = 0;                  // of the last xref section
};

// Reads `pdf` with qpdf, strictly (no recovery: a damaged file is an error, never repaired in
// silence). Requires a classic xref table, /Info and /ID, and signature fields from sto render.
// Throws sto::Error.
Structure read_structure(const std::string& pdf);

// Upper-case hex, as the PDF's hex strings are written.
std::string upper_hex(std::string_view bytes);

// The dictionary of `field` once signed: revision 0's, plus /V and /AP. What a signing revision
// writes for the field, and all it may write.
std::string filled_field(const Field& field, const Reference& signature, const Reference& appearance);

// What a signing revision changed, once checked.
struct Appended {
  std::size_t field = 0;      // index in Structure::fields of the field it fills
  std::size_t startxref = 0;  // absolute
  int size = 0;               // /Size
};

// Checks that `bytes`, appended at absolute `offset` to a file whose structure is `before`, is
// exactly a signing revision as SignedContract writes it, and nothing else: three objects (the
// signature dictionary and the appearance, new, and one empty field of `before` filled as
// filled_field() says), each listed in the xref at its offset and together filling the body; no
// free entries but object 0's; a /ByteRange that excludes exactly /Contents; a trailer with
// revision 0's /Root, /Info and first /ID, /Prev = before.startxref, /Size two higher, and no
// other keys. Anything else (an overridden page, a freed object, a second xref, a new /Root) is
// refused. Throws sto::Error saying what is wrong.
Appended check_appended(std::string_view bytes, std::size_t offset, const Structure& before);

}  // namespace sto::detail
