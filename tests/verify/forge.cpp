// The forgeries that need keys or CMS surgery: done with the installation's own code (cms.h, the
// signing act's CMS writer) and OpenSSL, so that what is forged is exactly what a signing act would
// write except the one thing under test.
#include <openssl/cms.h>
#include <openssl/err.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

#include "cms.h"
#include "sto/rules.h"
#include "tamper.h"

namespace sto::tamper {

namespace {

using Cms = std::unique_ptr<CMS_ContentInfo, ossl::Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;

Cms parse(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));  // stops at the padding
  if (!cms) {
    ERR_clear_error();
    throw std::runtime_error("not a CMS");
  }
  return cms;
}

CMS_SignerInfo* only_signer(CMS_ContentInfo* cms) {
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  if (infos == nullptr || sk_CMS_SignerInfo_num(infos) != 1) throw std::runtime_error("not one signer");
  return sk_CMS_SignerInfo_value(infos, 0);
}

}  // namespace

std::size_t der_size(std::string_view cms) {
  const auto* begin = reinterpret_cast<const unsigned char*>(cms.data());
  const auto* p = begin;
  Cms parsed(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms.size())));
  if (!parsed) {
    ERR_clear_error();
    throw std::runtime_error("not a CMS");
  }
  return static_cast<std::size_t>(p - begin);
}

std::string with_contents(std::string pdf, const SignedRevision& r, std::string_view der) {
  const std::size_t room = r.gap_end - r.gap_begin - 2;  // hex digits between '<' and '>'
  std::string hex = to_hex(der);
  std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
  if (hex.size() > room) {
    throw std::runtime_error("the CMS (" + std::to_string(hex.size()) + " hex digits) does not fit in " +
                             std::to_string(room));
  }
  hex.resize(room, '0');
  return pdf.replace(r.gap_begin + 1, room, hex);
}

std::string cms_signed_by(const Pki& pki, const SignerIdentity& who, const SignedRevision& r) {
  SignerCredentials credentials = pki.issue(who, r.claimed);
  const std::time_t at = r.claimed;  // the TSA's time: /M stays within the slack
  const auto tsa = pki.local_tsa([at] { return at; });
  return detail::cades_detached(r.covered, std::move(credentials.key), credentials.certificate.get(), pki.ca(), *tsa,
                                std::nullopt);
}

std::string with_timestamp_of(std::string_view cms, std::string_view donor) {
  Cms target = parse(cms);
  Cms source = parse(donor);
  CMS_SignerInfo* t = only_signer(target.get());
  CMS_SignerInfo* s = only_signer(source.get());
  const int old = CMS_unsigned_get_attr_by_NID(t, NID_id_smime_aa_timeStampToken, -1);
  const int token = CMS_unsigned_get_attr_by_NID(s, NID_id_smime_aa_timeStampToken, -1);
  if (old < 0 || token < 0) throw std::runtime_error("no timeStampToken");
  X509_ATTRIBUTE_free(CMS_unsigned_delete_attr(t, old));
  if (CMS_unsigned_add1_attr(t, CMS_unsigned_get_attr(s, token)) != 1) {
    throw std::runtime_error("cannot add the timeStampToken");
  }
  return der(i2d_CMS_ContentInfo, target.get(), "CMS");
}

SignerIdentity identity_of(const fs::path& archive, const std::string& id) {
  const auto sets = load_rule_sets(fs::path(STO_SOURCE_DIR) / "templates" / "regelingen");
  const Validation v = validate(read_file(archive / "agreement.xml"), "agreement.xml", sets);
  if (!v.valid()) throw std::runtime_error("the archive's agreement.xml is not valid");
  return signing_act(v.agreement, id, 0).signer;
}

}  // namespace sto::tamper
