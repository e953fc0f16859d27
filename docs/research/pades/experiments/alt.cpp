#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/pem.h>
#include <cstdio>
#include <cstring>
int main() {
  FILE* f = fopen("s.key", "r"); EVP_PKEY* k = PEM_read_PrivateKey(f, 0, 0, 0); fclose(f);
  f = fopen("s.pem", "r"); X509* c = PEM_read_X509(f, 0, 0, 0); fclose(f);
  unsigned fl = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  // A: CMS_CADES flag
  CMS_ContentInfo* a = CMS_sign(0, 0, 0, 0, fl); CMS_SignerInfo* sa = CMS_add1_signer(a, c, k, EVP_sha256(), fl | CMS_CADES);
  // B: by hand with the public ESS API
  CMS_ContentInfo* b = CMS_sign(0, 0, 0, 0, fl); CMS_SignerInfo* sb = CMS_add1_signer(b, c, k, EVP_sha256(), fl);
  ESS_SIGNING_CERT_V2* sc = OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), c, nullptr, 1);
  unsigned char* der = nullptr; int n = i2d_ESS_SIGNING_CERT_V2(sc, &der);
  CMS_signed_add1_attr_by_NID(sb, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE, der, n);
  auto enc = [](CMS_SignerInfo* si, unsigned char** out) { int i = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1); return i < 0 ? -1 : i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), out); };
  unsigned char *ea = 0, *eb = 0; int la = enc(sa, &ea), lb = enc(sb, &eb);
  printf("CADES attr %d bytes, manual %d bytes, identical=%d; attrs after add1_signer: %d (A), %d (B)\n", la, lb, la == lb && !memcmp(ea, eb, la), CMS_signed_get_attr_count(sa), CMS_signed_get_attr_count(sb));
  // C: what CMS_SignerInfo_sign does
  CMS_signed_add1_attr_by_NID(sa, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, "0123456789abcdef0123456789abcdef", 32);
  CMS_SignerInfo_sign(sa);
  printf("after CMS_SignerInfo_sign: signingTime index %d (>=0 means added)\n", CMS_signed_get_attr_by_NID(sa, NID_pkcs9_signingTime, -1));
}
