// Private: the checks of one signature's CMS, certificate, timestamp and signer.
#pragma once

#include <openssl/x509.h>

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "sto/pades.h"
#include "sto/pki.h"
#include "sto/verify.h"

namespace sto::detail {

// Who the field's tekenbevoegde is, by the agreement; everything empty when unknown.
struct ExpectedSigner {
  bool known = false;
  SignerIdentity identity;
};

// The trust anchors: the CA every certificate must chain to, and the TSA certificates whose
// tokens count, each token against the one that signed it (none: any TSA certificate the CA
// issued with the timeStamping purpose).
struct Anchors {
  X509* ca = nullptr;
  std::vector<X509*> tsas;
};

struct SignatureCheck {
  SignatureReport report;
  std::vector<std::string> problems;  // empty: valid
};

// Checks revision `r`'s CMS: that it is one SignedData whose messageDigest is r.covered, whose
// signed attributes verify under the signer certificate and whose ESS signing-certificate-v2
// names it; that the certificate chains to anchors.ca at the timestamp's time; that the RFC 3161
// token verifies (against anchors.tsa, chaining to anchors.ca) and imprints the signature value;
// that /M lies within kClaimedTimeSlack of the token's time; that the subject is `expected`.
// It also reads the audit anchor (sto/pades.h) into the report, for check_audit to hold against
// the log.
SignatureCheck check_signature(const SignedRevision& r, const Anchors& anchors, const ExpectedSigner& expected);

// Verifies the RFC 3161 token `token_der` (DER ContentInfo) as a signature's is verified, with
// `digest` (SHA-256, 32 bytes) as the imprint it must carry. Returns its time, or 0 with a problem
// added; `tsa_pem` (when given) receives the token's signer certificate.
std::time_t check_timestamp(std::string_view token_der, std::string_view digest, const Anchors& anchors,
                            std::vector<std::string>& problems, std::string* tsa_pem = nullptr);

}  // namespace sto::detail
