// One signature, checked with OpenSSL's own CMS, X.509 and TS verifiers: nothing here parses
// ASN.1 by hand. The CMS is verified without its content (CMS_NO_CONTENT_VERIFY with an empty
// content BIO): the document digest was taken once for all revisions (sto/pades.h), so OpenSSL
// is not made to re-read megabytes per signature; the messageDigest is compared here instead.
#include "signature.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstdlib>
#include <memory>

#include "sto/diagnostics.h"

namespace sto::detail {

namespace {

template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, ossl::Deleter<T, Free>>;
using Cms = Owned<CMS_ContentInfo, CMS_ContentInfo_free>;
using Bio = Owned<BIO, BIO_free_all>;
using Store = Owned<X509_STORE, X509_STORE_free>;
using StoreContext = Owned<X509_STORE_CTX, X509_STORE_CTX_free>;
using Pkcs7 = Owned<PKCS7, PKCS7_free>;
using TstInfo = Owned<TS_TST_INFO, TS_TST_INFO_free>;
using TsVerify = Owned<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;
using Names = Owned<GENERAL_NAMES, GENERAL_NAMES_free>;

void free_certs(STACK_OF(X509) * certs) { sk_X509_pop_free(certs, X509_free); }
using Certs = Owned<STACK_OF(X509), free_certs>;
void free_stack(STACK_OF(X509) * certs) { sk_X509_free(certs); }
using Signers = Owned<STACK_OF(X509), free_stack>;  // a stack whose certificates belong to others

// The reason OpenSSL gave last, emptying its queue; `from_ess` tells whether any came from ESS
// (signing-certificate-v2), whatever CMS added after it.
std::string openssl_reason(bool* from_ess = nullptr) {
  std::string reason;
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    const char* text = ERR_reason_error_string(e);
    reason = text != nullptr ? text : "onbekende fout";
    if (from_ess != nullptr && ERR_GET_LIB(e) == ERR_LIB_ESS) *from_ess = true;
  }
  return reason;
}

Store store_with(X509* ca, std::time_t at) {
  Store store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), ca) != 1) throw_openssl_error("X.509-opslag maken mislukt");
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), at);
  return store;
}

std::string entry_text(const X509_NAME* name, int nid) {
  const int at = X509_NAME_get_index_by_NID(name, nid, -1);
  if (at < 0) return {};
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at)));
  if (n < 0) {
    ERR_clear_error();
    return "?";
  }
  std::string text(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return text;
}

std::string email_of(X509* certificate) {
  Names names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    if (n->type != GEN_EMAIL) continue;
    const ASN1_IA5STRING* s = n->d.rfc822Name;
    return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s))};
  }
  return {};
}

SignerIdentity identity_of(X509* certificate) {
  const X509_NAME* name = X509_get_subject_name(certificate);
  SignerIdentity who;
  who.naam = entry_text(name, NID_commonName);
  who.functie = entry_text(name, NID_title);
  who.partner = entry_text(name, NID_organizationName);
  who.kvk = entry_text(name, NID_organizationIdentifier);
  if (who.kvk.starts_with("NTRNL-")) who.kvk.erase(0, 6);
  who.email = email_of(certificate);
  return who;
}

std::string one_line(const SignerIdentity& who) {
  std::string line = "CN=" + who.naam + ", title=" + who.functie + ", O=" + who.partner;
  if (!who.kvk.empty()) line += ", KvK=" + who.kvk;
  return line + ", e-mail=" + who.email;
}

std::time_t to_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

// The timestamp token in the signer info's unsigned attributes; null when there is none.
Pkcs7 token_of(CMS_SignerInfo* si) {
  const int at = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
  if (at < 0 || CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, at) >= 0) return nullptr;
  const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, at), 0);
  if (value == nullptr || value->type != V_ASN1_SEQUENCE || X509_ATTRIBUTE_count(CMS_unsigned_get_attr(si, at)) != 1)
    return nullptr;
  const unsigned char* p = ASN1_STRING_get0_data(value->value.sequence);
  return Pkcs7(d2i_PKCS7(nullptr, &p, ASN1_STRING_length(value->value.sequence)));
}

// Verifies `token` whose message imprint must be `digest` (SHA-256, 32 bytes; else it belongs to
// `imprint_of`, "een andere handtekening"); the token's time
// on success, 0 with a problem added otherwise. `tsa_sha256` receives the SHA-256 of the token's
// signer certificate, `tsa_pem` that certificate, when the token names one.
std::time_t check_token(PKCS7* token, const std::string& digest, const char* imprint_of, const Anchors& anchors,
                        std::vector<std::string>& problems, std::string* tsa_pem) {
  TstInfo info(PKCS7_to_TS_TST_INFO(token));
  if (!info) {
    ERR_clear_error();
    problems.push_back("het tijdstempel is geen RFC 3161-token");
    return 0;
  }
  const std::time_t time = to_time(TS_TST_INFO_get_time(info.get()));
  // Trusted for tokens: the CA, and the archive's TSA certificates themselves (an external TSA's
  // chain ends elsewhere; its certificate, or its issuer, is what the archive pins).
  Store store = store_with(anchors.ca, time);
  for (X509* tsa : anchors.tsas) {
    if (X509_STORE_add_cert(store.get(), tsa) != 1) throw_openssl_error("TSA-certificaat toevoegen mislukt");
  }
  if (!anchors.tsas.empty()) X509_VERIFY_PARAM_set_flags(X509_STORE_get0_param(store.get()), X509_V_FLAG_PARTIAL_CHAIN);
  TsVerify v(TS_VERIFY_CTX_new());
  if (!v) throw_openssl_error("TS-controle maken mislukt");
  auto* imprint = static_cast<unsigned char*>(OPENSSL_memdup(digest.data(), digest.size()));
  if (imprint == nullptr) throw_openssl_error("TS-controle maken mislukt");
  TS_VERIFY_CTX_set_flags(v.get(), TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_IMPRINT);
  TS_VERIFY_CTX_set_imprint(v.get(), imprint, static_cast<long>(digest.size()));  // takes both
  TS_VERIFY_CTX_set_store(v.get(), store.release());
  STACK_OF(X509)* embedded = token->d.sign != nullptr ? token->d.sign->cert : nullptr;
  const Signers signers(PKCS7_get0_signers(token, embedded, 0));  // the certificates stay the token's
  ERR_clear_error();
  X509* signer = signers && sk_X509_num(signers.get()) == 1 ? sk_X509_value(signers.get(), 0) : nullptr;
  if (signer != nullptr && tsa_pem != nullptr) *tsa_pem = certificate_pem(signer);
  if (TS_RESP_verify_token(v.get(), token) != 1) {
    const unsigned long e = ERR_peek_last_error();
    const std::string reason = openssl_reason();
    const bool ts = ERR_GET_LIB(e) == ERR_LIB_TS;
    problems.push_back(ts && ERR_GET_REASON(e) == TS_R_MESSAGE_IMPRINT_MISMATCH
                           ? std::string("het tijdstempel hoort bij ") + imprint_of + " (message imprint wijkt af)"
                       : ts && ERR_GET_REASON(e) == TS_R_CERTIFICATE_VERIFY_ERROR
                           ? "het tijdstempel is niet van een TSA van het archief (" + reason + ")"
                           : "het tijdstempel klopt niet: " + reason);
    return 0;
  }
  if (!anchors.tsas.empty()) {
    // The token's signer is one of the archive's TSA certificates, or chains to one (an external
    // TSA's issuer, at any depth, as `tsa.certificate` may name it when signing).
    bool ours = false;
    for (X509* tsa : anchors.tsas) ours = ours || (signer != nullptr && X509_cmp(signer, tsa) == 0);
    if (signer != nullptr && !ours) {
      Store only_tsa(X509_STORE_new());
      StoreContext context(X509_STORE_CTX_new());
      if (!only_tsa || !context) throw_openssl_error("TSA-keten controleren mislukt");
      for (X509* tsa : anchors.tsas) {
        if (X509_STORE_add_cert(only_tsa.get(), tsa) != 1) throw_openssl_error("TSA-keten controleren mislukt");
      }
      X509_VERIFY_PARAM* param = X509_STORE_get0_param(only_tsa.get());
      X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
      X509_VERIFY_PARAM_set_time(param, time);
      const bool ready = X509_STORE_CTX_init(context.get(), only_tsa.get(), signer, embedded) == 1;
      ours = ready && X509_verify_cert(context.get()) == 1;
    }
    ERR_clear_error();
    if (!ours) {
      problems.push_back("het tijdstempel is niet van een TSA van het archief (tsa.pem)");
      return 0;
    }
  }
  return time;
}

const ASN1_OBJECT* audit_anchor_oid() {
  static const std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT, ASN1_OBJECT_free>> oid(
      OBJ_txt2obj(kAuditAnchorOid, 1));
  return oid.get();
}

// The audit anchor among the signed attributes (sto/pades.h AuditAnchor): sets report.anchor_*
// when there is exactly one, well formed; a problem when it is there but unreadable.
void read_audit_anchor(CMS_SignerInfo* si, SignatureReport& report, std::vector<std::string>& problems) {
  const ASN1_OBJECT* oid = audit_anchor_oid();
  if (oid == nullptr) throw_openssl_error("OID van het auditanker");
  const int at = CMS_signed_get_attr_by_OBJ(si, oid, -1);
  if (at < 0) return;
  X509_ATTRIBUTE* attribute = CMS_signed_get_attr(si, at);
  const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attribute, 0);
  long length = -1;
  std::array<unsigned char, 32> head{};
  const int n = value != nullptr && X509_ATTRIBUTE_count(attribute) == 1 && CMS_signed_get_attr_by_OBJ(si, oid, at) < 0
                    ? ASN1_TYPE_get_int_octetstring(value, &length, head.data(), static_cast<int>(head.size()))
                    : -1;
  if (n != static_cast<int>(head.size()) || length < 0) {
    ERR_clear_error();
    problems.push_back("het anker van de auditketen in de handtekening is onleesbaar");
    return;
  }
  report.anchor_length = length;
  report.anchor_head = to_hex(std::string_view(reinterpret_cast<const char*>(head.data()), head.size()));
}

}  // namespace

std::time_t check_timestamp(std::string_view token_der, std::string_view digest, const Anchors& anchors,
                            std::vector<std::string>& problems, std::string* tsa_pem) {
  if (digest.size() != 32) {
    problems.push_back("het tijdstempel hoort bij geen geldige SHA-256-hash");
    return 0;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(token_der.data());
  const Pkcs7 token(d2i_PKCS7(nullptr, &p, static_cast<long>(token_der.size())));
  if (!token || p != reinterpret_cast<const unsigned char*>(token_der.data()) + token_der.size()) {
    ERR_clear_error();
    problems.push_back("het tijdstempel is geen RFC 3161-token");
    return 0;
  }
  return check_token(token.get(), std::string(digest), "een andere hash", anchors, problems, tsa_pem);
}

SignatureCheck check_signature(const SignedRevision& r, const Anchors& anchors, const ExpectedSigner& expected) {
  SignatureCheck out;
  SignatureReport& report = out.report;
  std::vector<std::string>& problems = out.problems;
  report.revision = r.number;
  report.field = r.field;
  report.revision_sha256 = r.sha256;
  report.claimed = r.claimed;

  const auto* p = reinterpret_cast<const unsigned char*>(r.cms.data());
  Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(r.cms.size())));
  const auto used = static_cast<std::size_t>(p - reinterpret_cast<const unsigned char*>(r.cms.data()));
  if (!cms || r.cms.find_first_not_of('\0', used) != std::string::npos ||
      OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    ERR_clear_error();
    problems.push_back("/Contents is geen CMS SignedData (of bevat meer dan de CMS en opvulling)");
    return out;
  }
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  if (infos == nullptr || sk_CMS_SignerInfo_num(infos) != 1) {
    problems.push_back("de CMS heeft niet precies één ondertekenaar");
    return out;
  }
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
  Certs certs(CMS_get1_certs(cms.get()));
  X509* signer = nullptr;
  for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
    if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs.get(), i)) == 0) signer = sk_X509_value(certs.get(), i);
  }
  if (signer == nullptr) {
    problems.push_back("de CMS bevat het certificaat van de ondertekenaar niet");
    return out;
  }
  report.certificate_sha256 = to_hex(sha256(certificate_der(signer)));
  const SignerIdentity who = identity_of(signer);
  report.naam = who.naam;
  report.subject = one_line(who);

  // The document: the messageDigest must be the digest of exactly the covered bytes.
  const auto* digest = static_cast<const ASN1_OCTET_STRING*>(
      CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  if (digest == nullptr || std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(digest)),
                                            static_cast<std::size_t>(ASN1_STRING_length(digest))) != r.covered) {
    problems.push_back("de handtekening dekt andere bytes dan de /ByteRange (messageDigest wijkt af)");
  }
  // The timestamp over the signature value.
  const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(si);
  const std::string signature(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                              static_cast<std::size_t>(ASN1_STRING_length(value)));
  const Pkcs7 token = token_of(si);
  if (!token) {
    ERR_clear_error();
    problems.push_back("de handtekening heeft geen (leesbaar) tijdstempel");
  } else {
    std::string tsa_pem;
    report.timestamp =
        check_token(token.get(), sha256(signature), "een andere handtekening", anchors, problems, &tsa_pem);
    if (!tsa_pem.empty()) report.tsa_certificate_pem = std::move(tsa_pem);
  }
  if (report.timestamp != 0 && std::llabs(static_cast<long long>(report.timestamp - r.claimed)) > kClaimedTimeSlack) {
    problems.push_back("de tijd in /M ligt " + std::to_string(report.timestamp - r.claimed) +
                       " s van het tijdstempel af");
  }
  // The chain, at the timestamp's time (the certificate outlives the key, see sto/pki.h); then
  // the signed attributes under the signer's key with ESS signing-certificate-v2 (CMS_CADES,
  // which OpenSSL checks only together with the chain).
  {
    const std::time_t at = report.timestamp != 0 ? report.timestamp : r.claimed;
    Store store = store_with(anchors.ca, at);
    StoreContext context(X509_STORE_CTX_new());
    if (!context || X509_STORE_CTX_init(context.get(), store.get(), signer, certs.get()) != 1) {
      throw_openssl_error("certificaatketen controleren mislukt");
    }
    const bool chained = X509_verify_cert(context.get()) == 1;
    if (!chained) {
      const int error = X509_STORE_CTX_get_error(context.get());
      ERR_clear_error();
      problems.push_back("het certificaat hoort niet bij de CA van het archief (" +
                         std::string(X509_verify_cert_error_string(error)) + ")");
    }
    Bio empty(BIO_new_mem_buf("", 0));  // read-only: reads give EOF, not "retry"
    constexpr unsigned kFlags = CMS_BINARY | CMS_NO_CONTENT_VERIFY | CMS_CADES;
    if (!empty) throw_openssl_error("geheugen-BIO maken mislukt");
    if (chained && CMS_verify(cms.get(), nullptr, store.get(), empty.get(), nullptr, kFlags) != 1) {
      bool from_ess = false;
      const std::string reason = openssl_reason(&from_ess);
      problems.push_back(from_ess
                             ? "signing-certificate-v2 noemt niet het certificaat van de ondertekenaar (" + reason + ")"
                             : "de handtekeningwaarde klopt niet (" + reason + ")");
    } else if (!chained && (CMS_SignerInfo_set1_signer_cert(si, signer), CMS_SignerInfo_verify(si) != 1)) {
      problems.push_back("de handtekeningwaarde klopt niet (" + openssl_reason() + ")");
    }
  }
  read_audit_anchor(si, report, problems);
  // The signer is the field's tekenbevoegde.
  if (expected.known) {
    const SignerIdentity& e = expected.identity;
    std::string differs;
    const auto compare = [&](const char* what, const std::string& got, const std::string& want) {
      if (got != want)
        differs += std::string(differs.empty() ? "" : "; ") + what + " '" + got + "' i.p.v. '" + want + "'";
    };
    compare("naam", who.naam, e.naam);
    compare("functie", who.functie, e.functie);
    compare("partner", who.partner, e.partner);
    compare("KvK", who.kvk.empty() ? "geen" : who.kvk, e.kvk.empty() ? "geen" : e.kvk);
    compare("e-mail", who.email, e.email);
    if (!differs.empty())
      problems.push_back("het certificaat noemt een ander dan de tekenbevoegde van dit veld: " + differs);
  }
  report.valid = problems.empty();
  return out;
}

}  // namespace sto::detail
