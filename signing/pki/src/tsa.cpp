// RFC 3161: requests, checking responses, and the installation's own TSA.
#include <mutex>

#include "handles.h"
#include "sto/diagnostics.h"
#include "sto/pki.h"

namespace sto {

namespace detail {

TsRequest timestamp_request(std::string_view sha256) {
  if (sha256.size() != 32) throw Error("een tijdstempel vraagt een SHA-256 van 32 bytes");
  TsRequest request(TS_REQ_new());
  TS_MSG_IMPRINT* imprint = TS_MSG_IMPRINT_new();
  X509_ALGOR* algorithm = X509_ALGOR_new();
  const auto nonce = random_serial();
  const bool ok = request && imprint && algorithm && TS_REQ_set_version(request.get(), 1) == 1 &&
                  X509_ALGOR_set0(algorithm, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1 &&
                  TS_MSG_IMPRINT_set_algo(imprint, algorithm) == 1 &&  // copies
                  TS_MSG_IMPRINT_set_msg(imprint, reinterpret_cast<unsigned char*>(const_cast<char*>(sha256.data())),
                                         static_cast<int>(sha256.size())) == 1 &&
                  TS_REQ_set_msg_imprint(request.get(), imprint) == 1 &&  // copies
                  TS_REQ_set_nonce(request.get(), nonce.get()) == 1 &&    // copies
                  TS_REQ_set_cert_req(request.get(), 1) == 1;             // the token carries the TSA certificate
  X509_ALGOR_free(algorithm);
  TS_MSG_IMPRINT_free(imprint);
  if (!ok) throw_openssl_error("tijdstempelverzoek maken mislukt");
  return request;
}

std::string request_der(TS_REQ* request) { return der(i2d_TS_REQ, request, "tijdstempelverzoek"); }

std::string check_response(TS_REQ* request, TS_RESP* response, X509* trusted) {
  const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(response)));
  if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS) {
    throw_openssl_error("de tijdstempeldienst weigerde (status " + std::to_string(status) + ")");
  }
  // Imprint, nonce and version from our request; the signature against the trusted certificate.
  TsVerify verify(TS_REQ_to_TS_VERIFY_CTX(request, nullptr));
  Store store(X509_STORE_new());
  if (!verify || !store || X509_STORE_add_cert(store.get(), trusted) != 1) throw_openssl_error("tijdstempelcontrole");
  // The trusted certificate may be the TSA's own (an external TSA) or its CA (ours).
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  TS_VERIFY_CTX_set_store(verify.get(), store.release());  // takes ownership (OpenSSL 3.0)
  TS_VERIFY_CTX_add_flags(verify.get(), TS_VFY_SIGNATURE);
  if (TS_RESP_verify_response(verify.get(), response) != 1) throw_openssl_error("het tijdstempel klopt niet");
  return der(i2d_PKCS7, TS_RESP_get_token(response), "tijdstempel");
}

}  // namespace detail

namespace {

using ResponderContext = std::unique_ptr<TS_RESP_CTX, ossl::Deleter<TS_RESP_CTX, TS_RESP_CTX_free>>;

// A policy OID under 2.25 (an integer-encoded UUID, ITU-T X.667): unique without registration.
constexpr const char* kPolicy = "2.25.329800735698586629295641978511506172918";

class LocalTsa final : public TimestampAuthority {
 public:
  LocalTsa(const Pki::State& pki, Clock clock) : pki_(pki), clock_(std::move(clock)), context_(TS_RESP_CTX_new()) {
    TS_RESP_CTX* c = context_.get();
    detail::Object policy(OBJ_txt2obj(kPolicy, 1));
    STACK_OF(X509)* chain = sk_X509_new_null();
    const bool ok = c && policy && chain && sk_X509_push(chain, pki.ca.get()) > 0 &&
                    TS_RESP_CTX_set_signer_cert(c, pki.tsa.get()) == 1 &&  // checks the critical EKU
                    TS_RESP_CTX_set_signer_key(c, pki.tsa_key.get()) == 1 &&
                    TS_RESP_CTX_set_signer_digest(c, EVP_sha256()) == 1 &&
                    TS_RESP_CTX_set_ess_cert_id_digest(c, EVP_sha256()) == 1 &&  // ESSCertIDv2, not SHA-1
                    TS_RESP_CTX_set_def_policy(c, policy.get()) == 1 &&
                    TS_RESP_CTX_add_md(c, EVP_sha256()) == 1 &&  // no digest is accepted by default
                    TS_RESP_CTX_set_accuracy(c, 1, 0, 0) == 1 && TS_RESP_CTX_set_certs(c, chain) == 1;  // copies
    sk_X509_free(chain);
    if (!ok) throw_openssl_error("tijdstempeldienst instellen mislukt");
    // The default serial callback returns 1 every time; tokens must have unique serials. No
    // exception may cross OpenSSL's C frames: a failure is a null serial, which OpenSSL reports.
    TS_RESP_CTX_set_serial_cb(
        c,
        [](TS_RESP_CTX*, void*) noexcept -> ASN1_INTEGER* {
          try {
            return detail::random_serial().release();
          } catch (...) {
            return nullptr;
          }
        },
        nullptr);
    TS_RESP_CTX_set_time_cb(c, &LocalTsa::time, this);
  }

  std::string timestamp(std::string_view sha256) override {
    const auto request = detail::timestamp_request(sha256);
    const std::string der = detail::request_der(request.get());
    detail::Bio in(BIO_new_mem_buf(der.data(), static_cast<int>(der.size())));
    std::lock_guard lock(mutex_);
    detail::TsResponse response(in ? TS_RESP_create_response(context_.get(), in.get()) : nullptr);
    if (!response) throw_openssl_error("tijdstempel maken mislukt");
    return detail::check_response(request.get(), response.get(), pki_.ca.get());
  }

  std::string certificate_pem() const override { return sto::certificate_pem(pki_.tsa.get()); }
  std::size_t token_room() const override { return 2048; }

 private:
  static int time(TS_RESP_CTX*, void* self, long* seconds, long* microseconds) noexcept {
    try {
      *seconds = static_cast<long>(static_cast<LocalTsa*>(self)->clock_());
      *microseconds = 0;
      return 1;
    } catch (...) {
      return 0;  // OpenSSL then refuses the request
    }
  }

  const Pki::State& pki_;
  Clock clock_;
  ResponderContext context_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<TimestampAuthority> Pki::local_tsa(Clock clock) const {
  return std::make_unique<LocalTsa>(*state_, std::move(clock));
}

}  // namespace sto
