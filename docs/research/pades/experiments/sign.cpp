// Experiment (not project code): PAdES B-T incremental signatures into pre-existing empty
// signature fields. OpenSSL 3.0 CMS + TS, qpdf 11.3 for reading only.
// usage: sign IN.pdf OUT.pdf FIRST LAST PKI_DIR [--same-cert] [--pad zeros|spaces]
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QUtil.hh>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

template <class T, void (*F)(T*)>
struct Del { void operator()(T* p) const { F(p); } };
using Pkey = std::unique_ptr<EVP_PKEY, Del<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Del<X509, X509_free>>;
using Cms = std::unique_ptr<CMS_ContentInfo, Del<CMS_ContentInfo, CMS_ContentInfo_free>>;
using Bio = std::unique_ptr<BIO, Del<BIO, BIO_free_all>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Del<EVP_MD_CTX, EVP_MD_CTX_free>>;
using TsReq = std::unique_ptr<TS_REQ, Del<TS_REQ, TS_REQ_free>>;
using TsResp = std::unique_ptr<TS_RESP, Del<TS_RESP, TS_RESP_free>>;
using TsCtx = std::unique_ptr<TS_RESP_CTX, Del<TS_RESP_CTX, TS_RESP_CTX_free>>;

[[noreturn]] void fail(const std::string& what) {
  unsigned long e; std::string s = what;
  while ((e = ERR_get_error()) != 0) { char b[256]; ERR_error_string_n(e, b, sizeof b); s += "\n  "; s += b; }
  throw std::runtime_error(s);
}
void ok(int r, const char* what) { if (r <= 0) fail(what); }

std::string read_file(const std::string& p) { std::ifstream f(p, std::ios::binary); std::stringstream s; s << f.rdbuf(); return s.str(); }
Pkey load_key(const std::string& p) { FILE* f = fopen(p.c_str(), "r"); Pkey k(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr)); fclose(f); if (!k) fail("key"); return k; }
Cert load_cert(const std::string& p) { FILE* f = fopen(p.c_str(), "r"); Cert c(PEM_read_X509(f, nullptr, nullptr, nullptr)); fclose(f); if (!c) fail("cert"); return c; }

std::string sha256(std::string_view a, std::string_view b = {}) {
  unsigned char md[32]; unsigned len = 0; MdCtx c(EVP_MD_CTX_new());
  ok(EVP_DigestInit_ex(c.get(), EVP_sha256(), nullptr), "digest");
  EVP_DigestUpdate(c.get(), a.data(), a.size()); EVP_DigestUpdate(c.get(), b.data(), b.size());
  ok(EVP_DigestFinal_ex(c.get(), md, &len), "digest");
  return {reinterpret_cast<char*>(md), len};
}
std::string hex(std::string_view s) { static const char* d = "0123456789ABCDEF"; std::string o; for (unsigned char c : s) { o += d[c >> 4]; o += d[c & 15]; } return o; }

// ---------- PKI: a fresh certificate per signing act ----------
void add_ext(X509* c, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx; X509V3_set_ctx(&ctx, issuer, c, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) fail(std::string("ext ") + value);
  X509_add_ext(c, ext, -1); X509_EXTENSION_free(ext);
}
Cert issue_signer_cert(EVP_PKEY* key, X509* ca, EVP_PKEY* ca_key, const std::string& cn, const std::string& title,
                       const std::string& org, const std::string& email) {
  Cert c(X509_new());
  X509_set_version(c.get(), X509_VERSION_3);
  unsigned char serial[16]; RAND_bytes(serial, sizeof serial); serial[0] &= 0x7F;  // positive, 127 bits random
  if (getenv("FIXED_SERIAL")) { memset(serial, 0, sizeof serial); serial[15] = 1; }
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr); BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c.get())); BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), 60L * 60 * 24 * 365 * 30);  // pdfsig validates at *now*
  X509_NAME* n = X509_get_subject_name(c.get());
  auto add = [&](const char* f, const std::string& v) { ok(X509_NAME_add_entry_by_txt(n, f, MBSTRING_UTF8, (const unsigned char*)v.data(), v.size(), -1, 0), f); };
  add("C", "NL"); add("O", org); add("title", title); add("CN", cn);
  X509_set_issuer_name(c.get(), X509_get_subject_name(ca));
  X509_set_pubkey(c.get(), key);
  add_ext(c.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(c.get(), ca, NID_key_usage, "critical,digitalSignature,nonRepudiation");
  add_ext(c.get(), ca, NID_subject_key_identifier, "hash");
  add_ext(c.get(), ca, NID_authority_key_identifier, "keyid:always");
  add_ext(c.get(), ca, NID_subject_alt_name, ("email:" + email).c_str());
  if (getenv("EKU")) add_ext(c.get(), ca, NID_ext_key_usage, getenv("EKU"));
  ok(X509_sign(c.get(), ca_key, EVP_sha256()), "X509_sign");
  return c;
}

// ---------- RFC 3161: local TSA ----------
struct Tsa { Cert cert; Pkey key; X509* ca; long fixed_time = 0; long serial = 0; };
ASN1_INTEGER* serial_cb(TS_RESP_CTX*, void* d) { auto* t = static_cast<Tsa*>(d); ASN1_INTEGER* i = ASN1_INTEGER_new(); ASN1_INTEGER_set(i, ++t->serial); return i; }
int time_cb(TS_RESP_CTX*, void* d, long* sec, long* usec) { *sec = static_cast<Tsa*>(d)->fixed_time; *usec = 0; return 1; }

// Returns the DER TimeStampToken (a ContentInfo) over SHA-256(signature_value).
std::string timestamp(Tsa& tsa, std::string_view signature_value) {
  const std::string digest = sha256(signature_value);
  TsReq req(TS_REQ_new());
  TS_REQ_set_version(req.get(), 1);
  TS_MSG_IMPRINT* imprint = TS_MSG_IMPRINT_new();
  X509_ALGOR* alg = X509_ALGOR_new(); X509_ALGOR_set_md(alg, EVP_sha256());
  TS_MSG_IMPRINT_set_algo(imprint, alg); X509_ALGOR_free(alg);  // set_algo copies
  TS_MSG_IMPRINT_set_msg(imprint, (unsigned char*)digest.data(), digest.size());
  TS_REQ_set_msg_imprint(req.get(), imprint); TS_MSG_IMPRINT_free(imprint);  // copies
  unsigned char nonce_bytes[8]; RAND_bytes(nonce_bytes, 8); nonce_bytes[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(nonce_bytes, 8, nullptr); ASN1_INTEGER* nonce = BN_to_ASN1_INTEGER(bn, nullptr); BN_free(bn);
  TS_REQ_set_nonce(req.get(), nonce); ASN1_INTEGER_free(nonce);
  TS_REQ_set_cert_req(req.get(), 1);

  TsCtx ctx(TS_RESP_CTX_new());
  ok(TS_RESP_CTX_set_signer_cert(ctx.get(), tsa.cert.get()), "TS signer cert (needs critical EKU timeStamping)");
  ok(TS_RESP_CTX_set_signer_key(ctx.get(), tsa.key.get()), "TS key");
  ok(TS_RESP_CTX_set_signer_digest(ctx.get(), EVP_sha256()), "TS digest");
  ok(TS_RESP_CTX_set_ess_cert_id_digest(ctx.get(), EVP_sha256()), "ess v2");
  ASN1_OBJECT* policy = OBJ_txt2obj("2.25.329800735698586629295641978511506172918", 1);  // UUID OID, no registration
  ok(TS_RESP_CTX_set_def_policy(ctx.get(), policy), "policy"); ASN1_OBJECT_free(policy);
  ok(TS_RESP_CTX_add_md(ctx.get(), EVP_sha256()), "add_md");
  ok(TS_RESP_CTX_set_accuracy(ctx.get(), 1, 0, 0), "accuracy");
  TS_RESP_CTX_add_flags(ctx.get(), TS_ORDERING * 0);
  TS_RESP_CTX_set_serial_cb(ctx.get(), serial_cb, &tsa);
  if (tsa.fixed_time) TS_RESP_CTX_set_time_cb(ctx.get(), time_cb, &tsa);
  STACK_OF(X509)* chain = sk_X509_new_null(); sk_X509_push(chain, tsa.ca);
  ok(TS_RESP_CTX_set_certs(ctx.get(), chain), "certs"); sk_X509_free(chain);  // set_certs dups

  Bio reqbio(BIO_new(BIO_s_mem()));
  ok(i2d_TS_REQ_bio(reqbio.get(), req.get()), "i2d req");
  TsResp resp(TS_RESP_create_response(ctx.get(), reqbio.get()));
  if (!resp) fail("TS_RESP_create_response");
  long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp.get())));
  if (status != TS_STATUS_GRANTED) fail("TSA status " + std::to_string(status));

  // Check it like a relying party would.
  TS_VERIFY_CTX* v = TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr);  // imprint + nonce from the request
  X509_STORE* store = X509_STORE_new(); X509_STORE_add_cert(store, tsa.ca);
  TS_VERIFY_CTX_set_store(v, store);  // takes ownership in 3.0
  TS_VERIFY_CTX_add_flags(v, TS_VFY_SIGNATURE);
  ok(TS_RESP_verify_response(v, resp.get()), "TS_RESP_verify_response");
  TS_VERIFY_CTX_free(v);

  unsigned char* der = nullptr; int len = i2d_PKCS7(TS_RESP_get_token(resp.get()), &der);
  std::string out(reinterpret_cast<char*>(der), len); OPENSSL_free(der);
  return out;
}

// ---------- CMS: detached SignedData, CAdES attributes, no signingTime ----------
// DER of the signed attributes as a SET OF (tag 0x31), which is what the signature covers
// (RFC 5652 §5.4). SET OF elements in DER are sorted by their encodings.
std::string signed_attrs_der(CMS_SignerInfo* si) {
  std::vector<std::string> encs;
  for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
    unsigned char* p = nullptr; int n = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &p);
    if (n <= 0) fail("i2d attr");
    encs.emplace_back(reinterpret_cast<char*>(p), n); OPENSSL_free(p);
  }
  std::sort(encs.begin(), encs.end());
  std::string body; for (auto& e : encs) body += e;
  std::string out = "\x31";
  size_t n = body.size();
  if (n < 128) out += char(n);
  else { std::string l; while (n) { l.insert(l.begin(), char(n & 0xFF)); n >>= 8; } out += char(0x80 | l.size()); out += l; }
  return out + body;
}

std::string cms_sign(std::string_view doc_digest, X509* cert, EVP_PKEY* key, X509* ca, Tsa& tsa, size_t* tst_size) {
  const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  Cms cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  if (!cms) fail("CMS_sign");
  // CMS_CADES: OpenSSL adds id-aa-signingCertificateV2 (ESSCertIDv2 with SHA-256, issuerSerial).
  CMS_SignerInfo* si = CMS_add1_signer(cms.get(), cert, key, EVP_sha256(), flags | CMS_CADES);
  if (!si) fail("CMS_add1_signer");
  ok(CMS_add1_cert(cms.get(), ca), "add ca");
  ok(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1), "ct");
  ok(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, doc_digest.data(), doc_digest.size()), "md");
  // Sign by hand: CMS_SignerInfo_sign would add signingTime (ETSI EN 319 142-1: must be absent).
  const std::string tbs = signed_attrs_der(si);
  MdCtx mctx(EVP_MD_CTX_new());
  ok(EVP_DigestSignInit(mctx.get(), nullptr, EVP_sha256(), nullptr, key), "DigestSignInit");
  size_t siglen = 0;
  ok(EVP_DigestSign(mctx.get(), nullptr, &siglen, (const unsigned char*)tbs.data(), tbs.size()), "sign len");
  std::string sig(siglen, '\0');
  ok(EVP_DigestSign(mctx.get(), (unsigned char*)sig.data(), &siglen, (const unsigned char*)tbs.data(), tbs.size()), "sign");
  sig.resize(siglen);
  ok(ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig.data(), sig.size()), "set sig");
  // B-T: RFC 3161 token over the signature value as unsigned attribute id-aa-signatureTimeStampToken.
  const std::string tst = timestamp(tsa, sig);
  *tst_size = tst.size();
  ok(CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, tst.data(), tst.size()), "tst attr");
  unsigned char* der = nullptr; int n = i2d_CMS_ContentInfo(cms.get(), &der);
  if (n <= 0) fail("i2d cms");
  std::string out(reinterpret_cast<char*>(der), n); OPENSSL_free(der);
  return out;
}

// ---------- PDF incremental update ----------
std::vector<char32_t> code_points(const std::string& s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i]; char32_t cp; int n;
    if (c < 0x80) { cp = c; n = 1; } else if ((c >> 5) == 6) { cp = c & 0x1F; n = 2; } else if ((c >> 4) == 14) { cp = c & 0x0F; n = 3; } else { cp = c & 0x07; n = 4; }
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp); i += n;
  }
  return out;
}
// Identity-H with libharu's CIDs == Unicode code points (BMP only).
std::string cid_hex(const std::string& utf8) { std::string o = "<"; char b[8]; for (char32_t cp : code_points(utf8)) { snprintf(b, sizeof b, "%04X", (unsigned)cp); o += b; } return o + ">"; }

long find_startxref(const std::string& f) {
  size_t p = f.rfind("startxref");
  if (p == std::string::npos || f.size() - p > 1024) throw std::runtime_error("no startxref");
  return std::stol(f.substr(p + 9, 30));
}

struct Result { std::string pdf; size_t cms_size, tst_size; };

Result sign_field(const std::string& in, const std::string& field_name, const std::string& who_utf8, X509* ca, EVP_PKEY* ca_key,
                  Tsa& tsa, size_t reserve, bool pad_spaces, Pkey* reuse_key, Cert* reuse_cert) {
  QPDF q; q.setSuppressWarnings(true);
  q.processMemoryFile("in.pdf", in.data(), in.size());
  auto trailer = q.getTrailer();
  const int size = trailer.getKey("/Size").getIntValueAsInt();
  auto acro = q.getRoot().getKey("/AcroForm");
  QPDFObjectHandle field;
  for (auto& f : acro.getKey("/Fields").aitems()) if (f.getKey("/T").getUTF8Value() == field_name) field = f;
  if (!field.isInitialized()) throw std::runtime_error("field not found");
  if (field.hasKey("/V")) throw std::runtime_error("already signed");
  auto rect = field.getKey("/Rect").getArrayAsVector();
  const double w = rect[2].getNumericValue() - rect[0].getNumericValue(), h = rect[3].getNumericValue() - rect[1].getNumericValue();
  auto font = acro.getKey("/DR").getKey("/Font").getKey("/StoRegular");

  const int sig_num = size, ap_num = size + 1, new_size = size + 2;
  const long prev = find_startxref(in);

  // Appearance: reuse revision 0's embedded font (no font bytes per signature).
  std::vector<std::string> lines = {"Digitaal ondertekend door", who_utf8, "2025-03-14 10:42:17 UTC"};
  std::string content = "q 0.93 0.95 1 rg 0 0 " + std::to_string((int)w) + " " + std::to_string((int)h) + " re f Q\nBT /F1 9 Tf 11 TL 4 " +
                        std::to_string((int)h - 13) + " Td\n";
  for (auto& l : lines) content += cid_hex(l) + " Tj T*\n";
  content += "ET\n";

  const std::string m = "D:20250314104217Z";
  std::string contents_placeholder = "<" + std::string(reserve * 2, '0') + ">";
  std::string br_placeholder = pad_spaces ? "[0 0 0 0]" + std::string(32, ' ') : "[0000000000 0000000000 0000000000 0000000000]";
  const size_t br_width = br_placeholder.size();

  std::string upd = "\n";  // previous file ends with %%EOF\n already; a newline before objects is harmless
  std::vector<std::pair<int, size_t>> offsets;
  const size_t base = in.size();
  offsets.push_back({sig_num, base + upd.size()});
  upd += std::to_string(sig_num) + " 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (" + m + ") /ByteRange ";
  const size_t br_at = base + upd.size();
  upd += br_placeholder + " /Contents ";
  const size_t contents_at = base + upd.size();
  upd += contents_placeholder + " >>\nendobj\n";
  offsets.push_back({ap_num, base + upd.size()});
  upd += std::to_string(ap_num) + " 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 " + std::to_string(w) + " " + std::to_string(h) +
         "] /Resources << /Font << /F1 " + std::to_string(font.getObjectID()) + " 0 R >> >> /Length " + std::to_string(content.size()) +
         " >>\nstream\n" + content + "endstream\nendobj\n";
  std::string fdict = field.unparseResolved();  // top level resolved, nested refs stay "n 0 R"
  fdict.insert(fdict.rfind(">>"), "/V " + std::to_string(sig_num) + " 0 R /AP << /N " + std::to_string(ap_num) + " 0 R >> ");
  offsets.push_back({field.getObjectID(), base + upd.size()});
  upd += std::to_string(field.getObjectID()) + " 0 obj\n" + fdict + "\nendobj\n";

  // xref: one subsection per run of consecutive object numbers, 20-byte entries.
  std::sort(offsets.begin(), offsets.end());
  const size_t xref_at = base + upd.size();
  upd += "xref\n0 1\n0000000000 65535 f \n";
  for (size_t i = 0; i < offsets.size();) {
    size_t j = i; while (j + 1 < offsets.size() && offsets[j + 1].first == offsets[j].first + 1) ++j;
    upd += std::to_string(offsets[i].first) + " " + std::to_string(j - i + 1) + "\n";
    for (size_t k = i; k <= j; ++k) { char e[32]; snprintf(e, sizeof e, "%010zu 00000 n \n", offsets[k].second); upd += e; }
    i = j + 1;
  }
  auto id = trailer.getKey("/ID");
  const std::string id0 = id.getArrayItem(0).getStringValue();
  const std::string id1 = sha256(in, field_name).substr(0, 16);  // deterministic, differs per revision
  upd += "trailer\n<< /Size " + std::to_string(new_size) + " /Root " + std::to_string(q.getRoot().getObjectID()) + " 0 R /Info " +
         std::to_string(trailer.getKey("/Info").getObjectID()) + " 0 R /ID [<" + hex(id0) + "><" + hex(id1) + ">] /Prev " +
         std::to_string(prev) + " >>\nstartxref\n" + std::to_string(xref_at) + "\n%%EOF\n";

  std::string out = in + upd;
  // ByteRange excludes exactly the hex string including its < >.
  const size_t a = contents_at, b = contents_at + contents_placeholder.size(), c = out.size() - b;
  std::string br = "[0 " + std::to_string(a) + " " + std::to_string(b) + " " + std::to_string(c) + "]";
  if (!pad_spaces) { char t[64]; snprintf(t, sizeof t, "[0000000000 %010zu %010zu %010zu]", a, b, c); br = t; }
  if (br.size() > br_width) throw std::runtime_error("ByteRange too wide");
  br.resize(br_width, ' ');
  out.replace(br_at, br_width, br);
  const std::string digest = sha256(std::string_view(out).substr(0, a), std::string_view(out).substr(b));

  Pkey key; Cert cert;
  if (reuse_key && *reuse_key) { key.reset(reuse_key->get()); EVP_PKEY_up_ref(key.get()); cert.reset(reuse_cert->get()); X509_up_ref(cert.get()); }
  else {
    key.reset(EVP_EC_gen("P-256"));
    cert = issue_signer_cert(key.get(), ca, ca_key, who_utf8, "directeur", "Stichting Ŧest ÅØ", "a@example.nl");
    if (reuse_key) { EVP_PKEY_up_ref(key.get()); reuse_key->reset(key.get()); X509_up_ref(cert.get()); reuse_cert->reset(cert.get()); }
  }
  size_t tst_size = 0;
  const std::string cms = cms_sign(digest, cert.get(), key.get(), ca, tsa, &tst_size);
  if (cms.size() > reserve) throw std::runtime_error("CMS too large: " + std::to_string(cms.size()));
  const std::string cms_hex = hex(cms);
  out.replace(a + 1, cms_hex.size(), cms_hex);  // rest stays '0' padding (DER parsers ignore trailing zeros)
  return {out, cms.size(), tst_size};
}

int main(int argc, char** argv) try {
  std::string in = read_file(argv[1]);
  const int first = std::stoi(argv[3]), last = std::stoi(argv[4]);
  const std::string pki = argv[5];
  bool same_cert = false, pad_spaces = true; size_t reserve = 8192;
  for (int i = 6; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--same-cert") same_cert = true;
    if (a == "--zeros") pad_spaces = false;
    if (a == "--reserve") reserve = std::stoul(argv[++i]);
  }
  Cert ca = load_cert(pki + "/ca.pem"); Pkey ca_key = load_key(pki + "/ca.key");
  Tsa tsa{load_cert(pki + "/tsa.pem"), load_key(pki + "/tsa.key"), ca.get()};
  if (getenv("FIXED_TIME")) tsa.fixed_time = std::stol(getenv("FIXED_TIME"));
  Pkey rk; Cert rc;
  const char* names[] = {"Łukasz Šimić-Doğan", "Ðorđe IJsselmeer", "Anna de Vries", "Zoë Müller"};
  auto t0 = std::chrono::steady_clock::now();
  size_t before = in.size();
  for (int i = first; i <= last; ++i) {
    const bool reuse = same_cert || (getenv("REPEAT_AT") && (i == first || i == std::stoi(getenv("REPEAT_AT"))));
    Pkey tk; Cert tc;  // throwaway holders for fresh certs
    auto r = sign_field(in, "handtekening-" + std::to_string(i), std::string(names[i % 4]) + " " + std::to_string(i), ca.get(), ca_key.get(), tsa, reserve,
                        pad_spaces, reuse ? &rk : nullptr, reuse ? &rc : nullptr);
    if (i == first) std::cerr << "cms " << r.cms_size << " B, tst " << r.tst_size << " B, growth " << r.pdf.size() - in.size() << " B\n";
    in = std::move(r.pdf);
    if (getenv("EACH")) { std::ofstream(std::string(argv[2]) + "." + std::to_string(i), std::ios::binary) << in; }
  }
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::cerr << (last - first + 1) << " signatures in " << ms << " ms; growth " << (in.size() - before) / double(last - first + 1) << " B/sig\n";
  std::ofstream(argv[2], std::ios::binary) << in;
} catch (const std::exception& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
