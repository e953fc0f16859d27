// Private: the CMS SignedData of one PAdES signature.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sto/pades.h"
#include "sto/pki.h"

namespace sto::detail {

// A detached CMS SignedData (DER) over the document digest `sha256` (32 bytes), signed with `key`
// for `certificate`, carrying that and the CA's certificate, with exactly the signed attributes
// content-type, message-digest and signing-certificate-v2 (and the audit anchor, sto/pades.h,
// when `anchor` is set), and a timestamp token from `tsa` over the signature value. The key is freed as soon as the
// signature value exists, before the TSA is asked (an external one can take seconds). Throws sto::Error.
std::string cades_detached(std::string_view sha256, ossl::Key key, X509* certificate, X509* ca, TimestampAuthority& tsa,
                           const std::optional<AuditAnchor>& anchor);

// The message-digest attribute of the one SignerInfo in the CMS `der` (trailing zero padding
// allowed). Throws sto::Error when `der` is not such a CMS.
std::string message_digest_of(std::string_view der);

}  // namespace sto::detail
