// The installation's trust: a certificate authority that issues a fresh certificate for every
// signing act, and an RFC 3161 timestamp authority.
//
// `sto init` creates both once (Pki::create); every signing act then asks the CA for a key pair
// and a certificate naming the tekenbevoegde (Pki::issue), signs, and lets the key go. The key
// exists only in memory, and only until the signature value is computed (before the TSA is
// asked, which may take seconds when it is external): nobody, not even the installation,
// can sign with it again. Auditors trust the CA by its SHA-256 fingerprint.
//
// Validity periods, chosen because verification happens years later:
// - CA and TSA: 30 years. Every certificate below them must end before they do.
// - Signer certificates: 25 years (or until the CA ends, if sooner). The key is destroyed at
//   once, so a long validity gives nobody a longer window to misuse it; but generic verifiers
//   (pdfsig, Acrobat) check the certificate at *today's* date, not at the timestamp, and a
//   short-lived certificate would turn every signature "expired" in their eyes within a day.
//   25 years outlasts the retention periods for subsidy records. `sto verify` checks at the
//   timestamp's time anyway.
#pragma once

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sto {

// Owned OpenSSL handles: freed by their deleter, never by hand.
namespace ossl {
template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509, X509_free>>;
}  // namespace ossl

// Throws sto::Error with `what` and the reasons on OpenSSL's error queue (which it empties).
[[noreturn]] void throw_openssl_error(const std::string& what);

// Seconds since the epoch, UTC. Injected so that tests can fix the time.
using Clock = std::function<std::time_t()>;
std::time_t system_time();

// The subject of a signer certificate: the tekenbevoegde and the partner it signs for.
struct SignerIdentity {
  std::string naam;     // CN, exactly as in the agreement (UTF-8)
  std::string functie;  // title
  std::string partner;  // O: the partner's name
  std::string kvk;      // organizationIdentifier "NTRNL-<kvk>" (ETSI EN 319 412-1 §5.1.4); empty: none
  std::string email;    // subjectAltName rfc822Name
};

// A signing act's key pair and certificate, in memory only. Destroying it frees the key, and
// OpenSSL clears an EC private key's memory when it frees it.
struct SignerCredentials {
  ossl::Key key;
  ossl::Certificate certificate;
};

// Issues RFC 3161 timestamp tokens.
class TimestampAuthority {
 public:
  virtual ~TimestampAuthority() = default;
  // A TimeStampToken (DER ContentInfo) whose message imprint is SHA-256 with `sha256` (32 bytes).
  // The response is checked before it is returned: status granted, our nonce, our imprint, a
  // signature that verifies against the TSA's trusted certificate. Throws sto::Error otherwise.
  virtual std::string timestamp(std::string_view sha256) = 0;
  // The TSA certificate tokens are checked against (PEM).
  virtual std::string certificate_pem() const = 0;
  // Bytes a token of this TSA may take inside a signature: sizes the signature's reserved room.
  // The local TSA's tokens are about 1.5 KB; external ones with RSA keys and chains reach 5–6 KB.
  virtual std::size_t token_room() const = 0;
};

// The CA and the TSA of one installation, as files in one directory:
//   ca.pem  ca.key (mode 0600)  tsa.pem  tsa.key (mode 0600), in a directory of mode 0700
// Keys are PKCS#8; encrypted with AES-256 (PBKDF2) when a passphrase is given.
class Pki {
 public:
  // Creates a new CA (ECDSA P-256, self-signed) and a TSA certificate issued by it (critical
  // extendedKeyUsage timeStamping) in `dir`, which must not exist or be empty. A new `dir` is
  // made as a private directory (0700) beside it that takes the name `dir` in one step, never
  // replacing one: a crash leaves no half-made PKI, and of two concurrent creates exactly one
  // succeeds. An existing empty `dir` (its owner and mode kept) gets the files one by one, never
  // replacing, removed again on failure. Throws sto::Error: a CA is never replaced by accident.
  static Pki create(const std::filesystem::path& dir, const std::string& passphrase, std::time_t now = system_time());

  // Loads the four files. Throws sto::Error when one is missing or unreadable, when the
  // passphrase is wrong (or missing for an encrypted key), or when a key does not match its
  // certificate.
  static Pki load(const std::filesystem::path& dir, const std::string& passphrase);

  Pki(Pki&&) noexcept;
  Pki& operator=(Pki&&) noexcept;
  ~Pki();

  X509* ca() const;
  std::string ca_pem() const;
  std::string tsa_pem() const;
  // "AB:CD:…": SHA-256 over the CA certificate's DER, as `openssl x509 -fingerprint -sha256` prints it.
  std::string ca_fingerprint() const;

  // A fresh P-256 key pair and a certificate for `who`: random 128-bit serial, valid from five
  // minutes before `now` (clock skew) for 25 years, keyUsage digitalSignature + nonRepudiation,
  // no extendedKeyUsage (NSS refuses document signing under most EKUs). Throws sto::Error.
  SignerCredentials issue(const SignerIdentity& who, std::time_t now) const;

  // A certificate revocation list of the CA (DER, X.509 v2, ECDSA with SHA-256): issued `now`,
  // next update `next_update` (at the latest when the CA ends), its number the issue time, and no
  // certificate listed: the installation revokes none (a signing act's key is gone at once, and a
  // certificate it should not have issued shows in the audit log, not here). PAdES B-LT puts it in
  // the document so that a validator requiring revocation data, offline, can conclude for every
  // certificate the CA issued. Throws sto::Error.
  std::string crl(std::time_t now, std::time_t next_update) const;

  // The installation's own TSA: no network; its time comes from `clock`; random token serials.
  // Safe to share between threads. This Pki must outlive it.
  std::unique_ptr<TimestampAuthority> local_tsa(Clock clock = system_time) const;

  struct State;

 private:
  explicit Pki(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// An external TSA at `url` (http:// or https://), asked over HTTP as RFC 3161 §3.4 describes
// (POST application/timestamp-query). Its tokens must verify against `trusted_pem` (the TSA
// certificate, or the CA that issued it). Network errors, timeouts and refusals throw sto::Error.
std::unique_ptr<TimestampAuthority> http_tsa(std::string url, std::string trusted_pem,
                                             std::chrono::seconds timeout = std::chrono::seconds(10));

// The DER encoding of `object` by OpenSSL's i2d function for its type (i2d_X509, i2d_TS_REQ, …).
// Throws sto::Error naming `what` when OpenSSL cannot encode it.
template <typename T, typename Encode>
std::string der(Encode encode, T* object, const char* what) {
  unsigned char* bytes = nullptr;
  const int length = object == nullptr ? 0 : encode(object, &bytes);
  if (length <= 0) throw_openssl_error(std::string(what) + " coderen mislukt");
  std::string out(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(length));
  OPENSSL_free(bytes);
  return out;
}

// Hex helpers for fingerprints and digests.
std::string sha256(std::string_view bytes);      // 32 raw bytes
std::string to_hex(std::string_view bytes);      // lower case, no separators
std::string from_hex(std::string_view hex);      // either case, no separators; empty when not hex
std::string certificate_der(X509* certificate);  // DER bytes
std::string certificate_pem(X509* certificate);  // PEM text

}  // namespace sto
