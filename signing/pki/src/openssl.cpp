// Small shared pieces over OpenSSL: errors, digests, encodings.
#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>

#include "handles.h"
#include "sto/diagnostics.h"
#include "sto/pki.h"

namespace sto {

void throw_openssl_error(const std::string& what) {
  std::string message = what;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    message += "; ";
    message += text.data();
  }
  throw Error(message);
}

std::time_t system_time() { return std::time(nullptr); }

std::string sha256(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw_openssl_error("SHA-256 berekenen mislukt");
  }
  return {reinterpret_cast<const char*>(digest.data()), length};
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

std::string from_hex(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0 || hex.find(':') != std::string_view::npos) return {};
  long length = 0;
  unsigned char* bytes = OPENSSL_hexstr2buf(std::string(hex).c_str(), &length);
  if (bytes == nullptr) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(length));
  OPENSSL_free(bytes);
  return out;
}

std::string certificate_der(X509* certificate) { return der(i2d_X509, certificate, "certificaat"); }

std::string certificate_pem(X509* certificate) {
  detail::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1)
    throw_openssl_error("certificaat als PEM schrijven mislukt");
  return detail::bio_text(bio.get());
}

namespace detail {

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

ossl::Certificate read_certificate(std::string_view pem, const std::string& what) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::Certificate cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) throw_openssl_error(what + " is geen PEM-certificaat");
  return cert;
}

Integer random_serial() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) throw_openssl_error("toevalsgetal mislukt");
  // 128 random bits (a DER INTEGER of up to 17 bytes; RFC 5280 allows 20): a collision, which NSS
  // punishes by verifying against the wrong certificate, is negligible.
  Bignum bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  Integer serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!serial) throw_openssl_error("serienummer maken mislukt");
  return serial;
}

}  // namespace detail

}  // namespace sto
