// Private: the bytes one signing act appends, before its CMS is known.
#pragma once

#include <cstddef>
#include <ctime>
#include <string>

#include "structure.h"

namespace sto::detail {

struct Draft {
  std::string bytes;             // the revision, with a zero-filled /Contents and a final /ByteRange
  std::size_t contents_at = 0;   // offset in `bytes` of the '<' of /Contents
  std::size_t contents_end = 0;  // just past its '>'
  std::size_t xref_at = 0;       // offset in `bytes` of its xref section
};

// The revision that fills `field` of `pdf` (whose file is `offset` bytes long so far and hashes
// to `file_sha256`): the signature dictionary with /M = `time` and room for `reserve` bytes of
// CMS, the appearance, the field with /V and /AP, an xref section and a trailer with /Prev. The
// /ByteRange is final: it excludes exactly the /Contents hex string.
Draft draft_revision(const Structure& pdf, std::size_t offset, const std::string& file_sha256, const Field& field,
                     std::time_t time, std::size_t reserve);

}  // namespace sto::detail
