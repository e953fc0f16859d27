// Private: the checks of one signature's CMS, certificate, timestamp and signer.
#pragma once

#include <openssl/x509.h>

#include <string>
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

// The trust anchors: the CA every certificate must chain to, and the TSA whose tokens count
// (null: any TSA certificate the CA issued with the timeStamping purpose).
struct Anchors {
  X509* ca = nullptr;
  X509* tsa = nullptr;
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
SignatureCheck check_signature(const SignedRevision& r, const Anchors& anchors, const ExpectedSigner& expected);

}  // namespace sto::detail
