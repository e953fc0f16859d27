#include "cms.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "sto/diagnostics.h"

namespace sto::detail {

namespace {

using Cms = std::unique_ptr<CMS_ContentInfo, ossl::Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;
using MdContext = std::unique_ptr<EVP_MD_CTX, ossl::Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using SigningCertificate =
    std::unique_ptr<ESS_SIGNING_CERT_V2, ossl::Deleter<ESS_SIGNING_CERT_V2, ESS_SIGNING_CERT_V2_free>>;

void check(int result, const char* what) {
  if (result <= 0) throw_openssl_error(std::string("CMS: ") + what + " mislukt");
}

std::string der_length(std::size_t n) {
  if (n < 0x80) return std::string(1, static_cast<char>(n));
  std::string bytes;
  for (; n > 0; n >>= 8) bytes.insert(bytes.begin(), static_cast<char>(n & 0xFF));
  return static_cast<char>(0x80 | bytes.size()) + bytes;
}

// The DER of the signed attributes as the signature covers them: a SET OF (tag 0x31, RFC 5652
// §5.4), its elements in DER order, which is ascending order of their encodings (X.690 §11.6).
// OpenSSL keeps this encoding private (CMS_Attributes_Sign), hence done here.
std::string signed_attributes_der(CMS_SignerInfo* si) {
  std::vector<std::string> encodings;
  for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
    encodings.push_back(der(i2d_X509_ATTRIBUTE, CMS_signed_get_attr(si, i), "CMS-attribuut"));
  }
  std::sort(encodings.begin(), encodings.end());
  std::string body;
  for (const auto& e : encodings) body += e;
  return "\x31" + der_length(body.size()) + body;
}

std::string sign(EVP_PKEY* key, const std::string& data) {
  MdContext context(EVP_MD_CTX_new());
  std::size_t length = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  check(context ? EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key) : 0, "ondertekenen");
  check(EVP_DigestSign(context.get(), nullptr, &length, bytes, data.size()), "ondertekenen");
  std::string signature(length, '\0');
  check(EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes, data.size()),
        "ondertekenen");
  signature.resize(length);
  return signature;
}

// The SignedData with its signature value, not yet timestamped.
std::string signed_without_token(std::string_view sha256, EVP_PKEY* key, X509* certificate, X509* ca,
                                 const std::optional<AuditAnchor>& anchor) {
  constexpr unsigned kFlags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  Cms cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, kFlags));
  if (!cms) throw_openssl_error("CMS: SignedData maken mislukt");
  CMS_SignerInfo* si = CMS_add1_signer(cms.get(), certificate, key, EVP_sha256(), kFlags);
  if (si == nullptr) throw_openssl_error("CMS: ondertekenaar toevoegen mislukt");
  check(CMS_add1_cert(cms.get(), ca), "CA-certificaat toevoegen");  // the chain, for offline verifiers
  check(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1),
        "content-type");
  check(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, sha256.data(),
                                    static_cast<int>(sha256.size())),
        "message-digest");
  // ESS signing-certificate-v2 (RFC 5035), SHA-256 of the signer certificate plus issuerSerial:
  // binds the signature to this certificate (EN 319 142-1 §6.3 requires it). Built with the
  // public ESS API: CMS_add1_signing_cert_v2 is not exported by OpenSSL 3.0.
  {
    SigningCertificate ess(OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), certificate, nullptr, 1));
    const std::string encoded = der(i2d_ESS_SIGNING_CERT_V2, ess.get(), "signing-certificate-v2");
    const int added = CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE,
                                                  encoded.data(), static_cast<int>(encoded.size()));
    check(added, "signing-certificate-v2");
  }
  if (anchor) {
    const std::string head = from_hex(anchor->head);
    // ASN1_TYPE_set_int_octetstring encodes the number as a 32-bit INTEGER.
    if (head.size() != 32 || anchor->length < 0 || anchor->length > std::numeric_limits<std::int32_t>::max()) {
      throw Error("CMS: het anker van de auditketen is ongeldig");
    }
    // SEQUENCE { INTEGER, OCTET STRING }, encoded by OpenSSL (sto/pades.h AuditAnchor).
    std::unique_ptr<ASN1_TYPE, ossl::Deleter<ASN1_TYPE, ASN1_TYPE_free>> value(ASN1_TYPE_new());
    std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT, ASN1_OBJECT_free>> oid(OBJ_txt2obj(kAuditAnchorOid, 1));
    check(value && oid ? 1 : 0, "auditanker");
    check(ASN1_TYPE_set_int_octetstring(value.get(), static_cast<long>(anchor->length),
                                        reinterpret_cast<unsigned char*>(const_cast<char*>(head.data())), 32),
          "auditanker");
    check(CMS_signed_add1_attr_by_OBJ(si, oid.get(), V_ASN1_SEQUENCE, value->value.sequence, -1), "auditanker");
  }
  // EN 319 142-1 §6.3: no signing-time attribute. CMS_SignerInfo_sign (and CMS_final) would add
  // one, so the attributes are signed here.
  if (CMS_signed_get_attr_count(si) != (anchor ? 4 : 3) ||
      CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0 ||
      CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) < 0) {
    throw Error("CMS: onverwachte ondertekende attributen");
  }
  const std::string signature = sign(key, signed_attributes_der(si));
  check(ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), signature.data(), static_cast<int>(signature.size())),
        "handtekening zetten");
  return der(i2d_CMS_ContentInfo, cms.get(), "CMS");
}

}  // namespace

std::string message_digest_of(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  const auto used = static_cast<std::size_t>(p - reinterpret_cast<const unsigned char*>(der.data()));
  if (!cms || der.find_first_not_of('\0', used) != std::string_view::npos) {
    ERR_clear_error();
    throw Error("/Contents is geen CMS");
  }
  auto* infos = CMS_get0_SignerInfos(cms.get());
  if (infos == nullptr || sk_CMS_SignerInfo_num(infos) != 1)
    throw Error("/Contents heeft niet precies één ondertekenaar");
  const auto* digest = static_cast<const ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
      sk_CMS_SignerInfo_value(infos, 0), OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  if (digest == nullptr) throw Error("de CMS heeft geen message-digest");
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(digest)),
          static_cast<std::size_t>(ASN1_STRING_length(digest))};
}

std::string cades_detached(std::string_view sha256, ossl::Key key, X509* certificate, X509* ca, TimestampAuthority& tsa,
                           const std::optional<AuditAnchor>& anchor) {
  if (sha256.size() != 32) throw Error("CMS: de samenvatting moet 32 bytes zijn");
  // The SignerInfo holds a reference to the key until it is freed, so the signed CMS is encoded,
  // freed with the key, and read back (now without any key) to receive the timestamp.
  const std::string unstamped = signed_without_token(sha256, key.get(), certificate, ca, anchor);
  key.reset();
  const auto* p = reinterpret_cast<const unsigned char*>(unstamped.data());
  Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(unstamped.size())));
  if (!cms) throw_openssl_error("CMS: teruglezen mislukt");
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
  const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(si);
  const std::string signature(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                              static_cast<std::size_t>(ASN1_STRING_length(value)));
  // PAdES B-T: the signature-time-stamp over the signature value (RFC 3161 Appendix A).
  const std::string token = tsa.timestamp(sto::sha256(signature));
  check(CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, token.data(),
                                      static_cast<int>(token.size())),
        "tijdstempel toevoegen");
  return der(i2d_CMS_ContentInfo, cms.get(), "CMS");
}

}  // namespace sto::detail
