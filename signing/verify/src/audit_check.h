// Private: the audit log against the signed PDF.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signature.h"
#include "sto/pades.h"
#include "sto/verify.h"

namespace sto::detail {

// Checks `jsonl` (audit.jsonl): the chain from the genesis to `head` (when given); every "signed"
// entry of `versie` (all versions when unknown) names a revision of `pdf` with its field, hash
// and certificate, and every revision has exactly one; a "completed" entry of that version names
// the final hash, the revision count and the verdict's effective date. Adds findings to `verdict`
// and sets its audit_head and audit_length.
// When `xml_sha256` is given, the version's "opened" entry must name it and revision 0's hash.
// `wijziging`: which document of the version the PDF is, 0 for the contract, n for amendment n
// (docs/amendment-format.md): only the entries about it are held against the PDF.
//
// Anchoring (docs/verify.md): every signature of the PDF must carry the chain's length and head as
// its act found them, the log must have that hash at that length and the act's "signed" entry
// right after it. With `timestamps` (audit-tijdstempels.jsonl), each token must verify against
// `trust` and imprint the log's hash at its seq, and every "completed" entry of the whole log must
// have one. A log rewritten and re-chained is named at the first anchor it no longer meets.
void check_audit(std::string_view jsonl, const std::optional<std::string>& head, std::optional<std::int64_t> versie,
                 std::int64_t wijziging, const std::optional<std::string>& xml_sha256, const SignedPdf& pdf,
                 const std::optional<std::string>& timestamps, const Anchors& trust, Verdict& verdict);

}  // namespace sto::detail
