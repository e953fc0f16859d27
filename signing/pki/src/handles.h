// Private: owned handles and helpers shared by the PKI's source files.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include <string>
#include <string_view>

#include "sto/pki.h"

namespace sto {

struct Pki::State {
  ossl::Certificate ca;
  ossl::Key ca_key;
  ossl::Certificate tsa;
  ossl::Key tsa_key;
};

namespace detail {

using Bio = std::unique_ptr<BIO, ossl::Deleter<BIO, BIO_free_all>>;
using Bignum = std::unique_ptr<BIGNUM, ossl::Deleter<BIGNUM, BN_free>>;
using Integer = std::unique_ptr<ASN1_INTEGER, ossl::Deleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
using Object = std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT, ASN1_OBJECT_free>>;
using Store = std::unique_ptr<X509_STORE, ossl::Deleter<X509_STORE, X509_STORE_free>>;
using TsRequest = std::unique_ptr<TS_REQ, ossl::Deleter<TS_REQ, TS_REQ_free>>;
using TsResponse = std::unique_ptr<TS_RESP, ossl::Deleter<TS_RESP, TS_RESP_free>>;
using TsVerify = std::unique_ptr<TS_VERIFY_CTX, ossl::Deleter<TS_VERIFY_CTX, TS_VERIFY_CTX_free>>;

// The bytes written into a memory BIO.
std::string bio_text(BIO* bio);

ossl::Certificate read_certificate(std::string_view pem, const std::string& what);

// A positive serial number of 128 random bits.
Integer random_serial();

// RFC 3161 from the requester's side (tsa.cpp): a request over `sha256` with a fresh nonce, and
// the check of a response to it. check_response returns the token's DER; throws sto::Error.
TsRequest timestamp_request(std::string_view sha256);
std::string request_der(TS_REQ* request);
std::string check_response(TS_REQ* request, TS_RESP* response, X509* trusted);

}  // namespace detail

}  // namespace sto
