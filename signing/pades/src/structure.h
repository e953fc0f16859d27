// Private: what signing needs to know of the contract's PDF structure, and of the revisions it
// appended itself.
#pragma once

#include <cstddef>
#include <ctime>
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
  std::size_t field = 0;         // index in Structure::fields of the field it fills
  std::size_t startxref = 0;     // absolute
  std::size_t contents_at = 0;   // in the revision: the '<' of /Contents
  std::size_t contents_end = 0;  // just past its '>'
  std::string cms;               // the DER /Contents holds (zero padding included)
  std::time_t time = 0;          // its /M
};

// Checks that `bytes`, appended at absolute `offset` to a file whose structure is `before` and
// whose bytes so far hash to `prefix_sha256`, is exactly the revision a signing act writes:
// byte for byte what draft_revision gives for the field it fills, at its /M and with its room,
// except the hex digits of /Contents. So nothing else can change: no other object, no other
// appearance text, no second xref, no new /Root; an overridden page, a freed object or a hidden
// one are all refused. The CMS inside is returned for the caller to check. Throws sto::Error.
Appended check_appended(std::string_view bytes, std::size_t offset, const Structure& before,
                        const std::string& prefix_sha256);

}  // namespace sto::detail
