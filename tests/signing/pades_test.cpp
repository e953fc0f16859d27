// PAdES signing of the 108-partner contract, one revision per tekenbevoegde, judged by pdfsig
// (poppler + NSS trusting our CA), qpdf --check, openssl cms/ts, pdftoppm, and by reading the
// CMS and the embedded font with OpenSSL and qpdf ourselves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/ts.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <utility>

#include <unistd.h>

#include "loopback_tsa.h"
#include "run.h"
#include "sample.h"
#include "scratch.h"
#include "sto/diagnostics.h"
#include "sto/pades.h"
#include "sto/render.h"
#include "sto/utf8.h"

namespace sto::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = STO_SOURCE_DIR;
constexpr std::time_t kNow = 1764000000;     // 2025-11-24 16:00:00 UTC
constexpr std::size_t kLocalReserve = 6144;  // signature_reserve() with the local TSA

using Cms = std::unique_ptr<CMS_ContentInfo, ossl::Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;

Agreement agreement_of(const std::string& xml) {
  auto result = read_agreement(xml, "test.xml");
  if (!result.parsed) throw std::runtime_error("agreement not parsed");
  return std::move(result.agreement);
}

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// Runs a judge; throws when it fails (usable where gtest assertions are not: suite set-up).
RunResult must_run(const std::vector<std::string>& argv) {
  RunResult r = run_program(argv);
  if (r.exit_code != 0) throw std::runtime_error(argv.front() + " failed: " + r.out + r.err);
  return r;
}

// An NSS database trusting `ca_pem` for e-mail signing: what pdfsig checks certificates with.
fs::path nss_trusting(const fs::path& dir, const fs::path& ca_pem) {
  fs::create_directories(dir);
  must_run({"/usr/bin/certutil", "-N", "-d", "sql:" + dir.string(), "--empty-password"});
  must_run(
      {"/usr/bin/certutil", "-A", "-d", "sql:" + dir.string(), "-n", "sto-ca", "-t", ",C,", "-i", ca_pem.string()});
  return dir;
}

// pdfsig exits 0 even when a signature is invalid: tests read its lines. Not -no-ocsp: with it,
// poppler 22.12 reports "Unknown issue with Certificate" for every signature; our certificates
// name no OCSP responder, so nothing is fetched without it either.
std::string pdfsig(const fs::path& nss, const fs::path& pdf) {
  return must_run({"/usr/bin/pdfsig", "-nssdir", "sql:" + nss.string(), pdf.string()}).out;
}

// One signature as the file holds it, read with qpdf.
struct Signature {
  std::string field;
  std::vector<long long> byte_range;
  std::string contents;  // the raw /Contents bytes, zero padding included
  std::string m;
};

std::vector<Signature> signatures_in(const std::string& pdf) {
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("signed.pdf", pdf.data(), pdf.size());
  std::vector<Signature> out;
  for (auto field : q.getRoot().getKey("/AcroForm").getKey("/Fields").aitems()) {
    auto v = field.getKey("/V");
    if (!v.isDictionary()) continue;
    Signature s;
    s.field = field.getKey("/T").getUTF8Value();
    for (auto n : v.getKey("/ByteRange").aitems()) s.byte_range.push_back(n.getIntValue());
    s.contents = v.getKey("/Contents").getStringValue();
    s.m = v.getKey("/M").getStringValue();
    out.push_back(std::move(s));
  }
  return out;
}

Cms cms_of(const Signature& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.contents.data());
  Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(s.contents.size())));
  EXPECT_TRUE(cms) << s.field;
  return cms;
}

std::string signed_bytes(const std::string& pdf, const Signature& s) {
  const auto& r = s.byte_range;
  return pdf.substr(static_cast<std::size_t>(r[0]), static_cast<std::size_t>(r[1])) +
         pdf.substr(static_cast<std::size_t>(r[2]), static_cast<std::size_t>(r[3]));
}

// The whole run, once: render the 108-partner sample, create a PKI, sign every tekenbevoegde.
struct SignedRun {
  fs::path dir;
  std::string revision0;
  Layout layout;
  std::vector<Revision> revisions;
  std::string signed_pdf;
  fs::path signed_path;
  fs::path nss;
  std::string pdfsig_out;
  std::string error;  // why the set-up failed: every test then fails (gtest would skip them)
};

SignedRun* g_run = nullptr;

class Pades : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g_run = new SignedRun;
    try {
      sign_everyone(*g_run);
    } catch (const std::exception& e) {
      g_run->error = e.what();
    }
  }
  // ctest runs every test in its own process, in parallel: each gets its own directory.
  static void sign_everyone(SignedRun& r) {
    r.dir = fs::temp_directory_path() / ("sto-pades-suite-" + std::to_string(::getpid()));
    fs::remove_all(r.dir);
    fs::create_directories(r.dir);
    const Agreement agreement = agreement_of(read_file(kSource + "/samples/regio-groot-108.xml"));
    Contract contract = render_contract(agreement, kSource + "/templates");
    r.revision0 = contract.pdf;
    r.layout = std::move(contract.layout);
    const auto pki = sto::Pki::create(r.dir / "pki", "", kNow);
    std::time_t clock = kNow;
    auto tsa = pki.local_tsa([&clock] { return clock; });
    auto chain = SignedContract::create(r.dir / "contract", r.revision0);
    for (const SignatureField& f : r.layout.fields) {
      clock += 60;
      r.revisions.push_back(chain.sign(signing_act(agreement, f.tekenbevoegde_id, clock), pki, *tsa));
    }
    r.signed_path = r.dir / "signed.pdf";
    chain.write_pdf(r.signed_path);
    r.signed_pdf = read_file(r.signed_path.string());
    r.nss = nss_trusting(r.dir / "nss", r.dir / "pki/ca.pem");
    r.pdfsig_out = pdfsig(r.nss, r.signed_path);
  }
  void SetUp() override {
    if (!g_run->error.empty()) FAIL() << "signing the 108-partner sample failed: " << g_run->error;
  }
  static void TearDownTestSuite() {
    fs::remove_all(g_run->dir);
    delete g_run;
  }
  const SignedRun& run() const { return *g_run; }
};

TEST_F(Pades, EveryTekenbevoegdeSignsInItsOwnRevision) {
  const SignedRun& r = run();
  ASSERT_EQ(r.layout.fields.size(), 140u);
  ASSERT_EQ(r.revisions.size(), 140u);
  std::size_t offset = r.revision0.size();
  for (std::size_t i = 0; i < r.revisions.size(); ++i) {
    EXPECT_EQ(r.revisions[i].number, static_cast<int>(i + 1));
    EXPECT_EQ(r.revisions[i].field, r.layout.fields[i].tekenbevoegde_id);
    EXPECT_EQ(r.revisions[i].offset, offset);
    offset += r.revisions[i].size;
    // Bounded growth per signature (the issue's target: under 24 KiB).
    EXPECT_LT(r.revisions[i].size, 24u * 1024);
  }
  EXPECT_EQ(r.signed_pdf.size(), offset);
  EXPECT_EQ(r.signed_pdf.substr(0, r.revision0.size()), r.revision0);  // revision 0 untouched
  EXPECT_EQ(r.revisions.back().sha256, to_hex(sha256(r.signed_pdf)));
  EXPECT_EQ(count(r.signed_pdf, "%%EOF"), 141);
  EXPECT_EQ(count(r.signed_pdf, "/Prev "), 140);
}

TEST_F(Pades, PdfsigFindsEverySignatureValidAndTrusted) {
  const std::string& out = run().pdfsig_out;
  EXPECT_EQ(count(out, "Signature is Valid."), 140) << out.substr(0, 2000);
  EXPECT_EQ(count(out, "Certificate is Trusted."), 140);
  EXPECT_EQ(count(out, "Signature Type: ETSI.CAdES.detached"), 140);
  EXPECT_EQ(count(out, "Signing Hash Algorithm: SHA-256"), 140);
  EXPECT_EQ(count(out, "not signed"), 0);
  // Only the last revision's signature covers the whole file.
  EXPECT_EQ(count(out, "Total document signed"), 1);
  EXPECT_EQ(count(out, "Not total document signed"), 139);
  const auto last = out.rfind("Signature #");
  EXPECT_THAT(out.substr(last), HasSubstr("Total document signed"));
  EXPECT_THAT(out.substr(last), Not(HasSubstr("Not total document signed")));
  // The certificate names the tekenbevoegde, characters outside Latin-1 included.
  EXPECT_THAT(out, HasSubstr("Signer Certificate Common Name: Mirjam Brinkërs"));
}

TEST_F(Pades, QpdfFindsNoErrors) {
  const auto r = run_program({"/usr/bin/qpdf", "--check", run().signed_path.string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("No syntax or stream encoding errors found"));
}

TEST_F(Pades, ByteRangesCoverEverythingButTheirContents) {
  const SignedRun& r = run();
  const auto sigs = signatures_in(r.signed_pdf);
  ASSERT_EQ(sigs.size(), 140u);
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    const auto& s = sigs[i];
    const auto& rev = r.revisions[i];
    ASSERT_EQ(s.byte_range.size(), 4u);
    EXPECT_EQ(s.byte_range[0], 0);
    // The gap is exactly "<hex…>" and the second range ends where the revision ends.
    EXPECT_EQ(r.signed_pdf[static_cast<std::size_t>(s.byte_range[1])], '<');
    EXPECT_EQ(r.signed_pdf[static_cast<std::size_t>(s.byte_range[2]) - 1], '>');
    EXPECT_EQ(s.byte_range[2] - s.byte_range[1], static_cast<long long>(2 * kLocalReserve + 2));
    EXPECT_EQ(static_cast<std::size_t>(s.byte_range[2] + s.byte_range[3]), rev.offset + rev.size);
    EXPECT_EQ(s.contents.size(), kLocalReserve);
    // /M is the act's claimed time, UTC.
    const std::time_t t = kNow + 60 * static_cast<long>(i + 1);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char m[32];
    std::strftime(m, sizeof m, "D:%Y%m%d%H%M%SZ", &tm);
    EXPECT_EQ(s.m, m);
  }
}

// ETSI EN 319 142-1: content-type, message-digest, signing-certificate-v2; no signing-time.
TEST_F(Pades, CmsHasExactlyTheCadesSignedAttributes) {
  const SignedRun& r = run();
  for (const auto& s : signatures_in(r.signed_pdf)) {
    const Cms cms = cms_of(s);
    ASSERT_TRUE(cms);
    EXPECT_EQ(OBJ_obj2nid(CMS_get0_type(cms.get())), NID_pkcs7_signed);
    ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
    ASSERT_NE(content, nullptr);
    EXPECT_EQ(*content, nullptr) << "detached";
    auto* infos = CMS_get0_SignerInfos(cms.get());
    ASSERT_EQ(sk_CMS_SignerInfo_num(infos), 1);
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
    std::multiset<int> nids;
    for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
      nids.insert(OBJ_obj2nid(X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i))));
    }
    EXPECT_EQ(nids, (std::multiset<int>{NID_pkcs9_contentType, NID_pkcs9_messageDigest,
                                        NID_id_smime_aa_signingCertificateV2}))
        << s.field;
    EXPECT_LT(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1), 0);
    // The message digest is the SHA-256 of the byte ranges.
    const ASN1_OCTET_STRING* md = static_cast<const ASN1_OCTET_STRING*>(
        CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
    ASSERT_NE(md, nullptr);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(md)),
                          static_cast<std::size_t>(ASN1_STRING_length(md))),
              sha256(signed_bytes(r.signed_pdf, s)));
    // The padding after the DER is zeros only.
    unsigned char* der = nullptr;
    const int n = i2d_CMS_ContentInfo(cms.get(), &der);
    OPENSSL_free(der);
    EXPECT_EQ(s.contents.find_first_not_of('\0', static_cast<std::size_t>(n)), std::string::npos);
  }
}

// OpenSSL verifies a CMS and checks its signing-certificate-v2 against the signer certificate.
TEST_F(Pades, OpensslVerifiesTheCmsOverTheByteRanges) {
  const SignedRun& r = run();
  const auto sigs = signatures_in(r.signed_pdf);
  const fs::path dir = r.dir / "cms";
  fs::create_directories(dir);
  for (const std::size_t i : {std::size_t{0}, std::size_t{69}, sigs.size() - 1}) {
    spill(dir / "sig.der", sigs[i].contents);
    spill(dir / "content.bin", signed_bytes(r.signed_pdf, sigs[i]));
    const auto v = run_program({"/usr/bin/openssl", "cms", "-verify", "-cades", "-binary", "-inform", "DER", "-in",
                                (dir / "sig.der").string(), "-content", (dir / "content.bin").string(), "-CAfile",
                                (r.dir / "pki/ca.pem").string(), "-purpose", "smimesign", "-out", "/dev/null"});
    EXPECT_THAT(v.err, HasSubstr("CAdES Verification successful")) << sigs[i].field;
    spill(dir / "content.bin", "x" + signed_bytes(r.signed_pdf, sigs[i]));
    const auto bad = run_program({"/usr/bin/openssl", "cms", "-verify", "-cades", "-binary", "-inform", "DER", "-in",
                                  (dir / "sig.der").string(), "-content", (dir / "content.bin").string(), "-CAfile",
                                  (r.dir / "pki/ca.pem").string(), "-purpose", "smimesign", "-out", "/dev/null"});
    EXPECT_THAT(bad.err, HasSubstr("Verification failure"));
  }
}

// PAdES B-T: the token's imprint is the SHA-256 of this signature's value, and its time follows
// the TSA's clock.
TEST_F(Pades, TimestampImprintsTheSignatureValue) {
  const SignedRun& r = run();
  const auto sigs = signatures_in(r.signed_pdf);
  std::set<std::string> imprints;
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    const Cms cms = cms_of(sigs[i]);
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
    ASSERT_EQ(CMS_unsigned_get_attr_count(si), 1);
    const ASN1_TYPE* token_type = X509_ATTRIBUTE_get0_type(
        CMS_unsigned_get_attr(si, CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1)), 0);
    ASSERT_NE(token_type, nullptr);
    ASSERT_EQ(token_type->type, V_ASN1_SEQUENCE);
    const unsigned char* p = token_type->value.sequence->data;
    PKCS7* token = d2i_PKCS7(nullptr, &p, token_type->value.sequence->length);
    ASSERT_NE(token, nullptr);
    TS_TST_INFO* info = PKCS7_to_TS_TST_INFO(token);
    ASSERT_NE(info, nullptr);
    const ASN1_OCTET_STRING* imprint = TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(info));
    const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(si);
    const std::string expected = sha256({reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                                         static_cast<std::size_t>(ASN1_STRING_length(value))});
    const std::string got(reinterpret_cast<const char*>(ASN1_STRING_get0_data(imprint)),
                          static_cast<std::size_t>(ASN1_STRING_length(imprint)));
    EXPECT_EQ(got, expected) << sigs[i].field;
    imprints.insert(got);
    struct tm t {};
    ASN1_TIME_to_tm(TS_TST_INFO_get_time(info), &t);
    EXPECT_EQ(timegm(&t), kNow + 60 * static_cast<long>(i + 1)) << sigs[i].field;
    TS_TST_INFO_free(info);
    PKCS7_free(token);
  }
  EXPECT_EQ(imprints.size(), sigs.size());
}

TEST_F(Pades, CertificatesNameTheirTekenbevoegde) {
  const SignedRun& r = run();
  const Agreement agreement = agreement_of(read_file(kSource + "/samples/regio-groot-108.xml"));
  const auto sigs = signatures_in(r.signed_pdf);
  std::set<std::string> fingerprints;
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    const Cms cms = cms_of(sigs[i]);
    // The certificate the SignerInfo identifies (issuer and serial), among the two carried.
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
    STACK_OF(X509)* certs = CMS_get1_certs(cms.get());
    ASSERT_EQ(sk_X509_num(certs), 2);
    X509* cert = nullptr;
    for (int k = 0; k < sk_X509_num(certs); ++k) {
      if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, k)) == 0) cert = sk_X509_value(certs, k);
    }
    ASSERT_NE(cert, nullptr);
    EXPECT_EQ(to_hex(sha256(certificate_der(cert))), r.revisions[i].certificate_sha256);
    fingerprints.insert(r.revisions[i].certificate_sha256);
    const SigningAct act = signing_act(agreement, sigs[i].field, 0);
    char cn[512];
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    EXPECT_EQ(std::string(cn), act.signer.naam);
    sk_X509_pop_free(certs, X509_free);
  }
  EXPECT_EQ(fingerprints.size(), sigs.size()) << "a fresh certificate per act";
}

// A signing act writes its revision file and nothing else: no key file anywhere.
TEST_F(Pades, NoKeyIsWritten) {
  const SignedRun& r = run();
  std::set<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(r.dir)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), r.dir).string();
    if (rel.rfind("nss/", 0) == 0 || rel.rfind("cms/", 0) == 0) continue;
    files.insert(rel);
    if (rel != "pki/ca.key" && rel != "pki/tsa.key") {
      EXPECT_THAT(slurp(e.path()), Not(HasSubstr("PRIVATE KEY"))) << rel;
    }
  }
  std::set<std::string> expected{"pki/ca.pem",  "pki/ca.key", "pki/tsa.pem",
                                 "pki/tsa.key", "signed.pdf", "contract/0000.pdf"};
  for (int i = 1; i <= 140; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "contract/%04d.rev", i);
    expected.insert(name);
  }
  EXPECT_EQ(files, expected);
}

// pdfsig over a file with one byte changed: every signature covering it fails.
TEST_F(Pades, SignatureOverAModifiedByteFails) {
  const SignedRun& r = run();
  const auto sigs = signatures_in(r.signed_pdf);
  // A byte inside revision 0 (covered by all 140), and one inside the last revision's appearance.
  std::string in_rev0 = r.signed_pdf;
  const auto page_text = in_rev0.find("stream\n") + 20;
  ASSERT_LT(page_text, r.revision0.size());
  in_rev0[page_text] = static_cast<char>(in_rev0[page_text] ^ 0x01);
  spill(r.dir / "tampered0.pdf", in_rev0);
  const std::string out0 = pdfsig(r.nss, r.dir / "tampered0.pdf");
  EXPECT_EQ(count(out0, "Signature is Valid."), 0);
  EXPECT_EQ(count(out0, "Digest Mismatch."), 140);

  std::string in_last = r.signed_pdf;
  const std::size_t at = r.revisions.back().offset + r.revisions.back().size - 30;  // in the trailer
  in_last[at] = in_last[at] == '1' ? '2' : '1';
  spill(r.dir / "tampered1.pdf", in_last);
  const std::string out1 = pdfsig(r.nss, r.dir / "tampered1.pdf");
  EXPECT_EQ(count(out1, "Signature is Valid."), 139) << out1.substr(out1.rfind("Signature #"));
  EXPECT_EQ(count(out1, "Digest Mismatch."), 1);
  fs::remove(r.dir / "tampered0.pdf");
  fs::remove(r.dir / "tampered1.pdf");
}

// A minimal TrueType reader: whether glyph `gid` has an outline (loca gives its length).
bool glyph_has_outline(const std::string& ttf, unsigned gid) {
  const auto u16 = [&](std::size_t at) {
    return static_cast<unsigned>(static_cast<unsigned char>(ttf.at(at)) << 8 |
                                 static_cast<unsigned char>(ttf.at(at + 1)));
  };
  const auto u32 = [&](std::size_t at) { return (u16(at) << 16) | u16(at + 2); };
  std::map<std::string, std::size_t> tables;
  for (unsigned i = 0; i < u16(4); ++i) tables[ttf.substr(12 + 16 * i, 4)] = u32(12 + 16 * i + 8);
  const bool long_loca = u16(tables.at("head") + 50) == 1;
  const std::size_t loca = tables.at("loca");
  const auto offset = [&](unsigned g) { return long_loca ? u32(loca + 4 * g) : 2 * u16(loca + 2 * g); };
  return offset(gid + 1) > offset(gid);
}

// Every character an appearance shows has a drawn glyph in the embedded font (libharu's subset
// keeps empty outlines for glyphs it did not use: a missing one would be a silent blank).
TEST_F(Pades, AppearanceGlyphsAreInTheEmbeddedFont) {
  const SignedRun& r = run();
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("signed.pdf", r.signed_pdf.data(), r.signed_pdf.size());
  auto font = q.getRoot().getKey("/AcroForm").getKey("/DR").getKey("/Font").getKey("/StoRegular");
  auto cid_font = font.getKey("/DescendantFonts").getArrayItem(0);
  const auto map_buffer = cid_font.getKey("/CIDToGIDMap").getStreamData(qpdf_dl_generalized);
  const std::string cid_to_gid(reinterpret_cast<const char*>(map_buffer->getBuffer()), map_buffer->getSize());
  const auto ttf_buffer = cid_font.getKey("/FontDescriptor").getKey("/FontFile2").getStreamData(qpdf_dl_generalized);
  const std::string ttf(reinterpret_cast<const char*>(ttf_buffer->getBuffer()), ttf_buffer->getSize());
  std::set<char32_t> shown;
  int appearances = 0;
  for (auto field : q.getRoot().getKey("/AcroForm").getKey("/Fields").aitems()) {
    auto ap = field.getKey("/AP").getKey("/N");
    ASSERT_TRUE(ap.isStream());
    ++appearances;
    const auto data = ap.getStreamData(qpdf_dl_generalized);
    const std::string content(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
    static const std::regex hex_string("<([0-9A-F]+)> Tj");
    std::string decoded;
    for (std::sregex_iterator it(content.begin(), content.end(), hex_string), end; it != end; ++it) {
      const std::string h = (*it)[1];
      for (std::size_t i = 0; i + 4 <= h.size(); i += 4) {
        const auto cp = static_cast<char32_t>(std::stoul(h.substr(i, 4), nullptr, 16));
        shown.insert(cp);
        decoded += encode_utf8(cp);
      }
      decoded += ' ';
    }
    // The name exactly as written, and the signing time.
    const std::string tu = field.getKey("/TU").getUTF8Value();
    std::string squeezed_decoded, squeezed_tu;
    for (const char c : decoded) squeezed_decoded += c == ' ' ? "" : std::string(1, c);
    for (const char c : tu) squeezed_tu += c == ' ' ? "" : std::string(1, c);
    EXPECT_EQ(squeezed_decoded.rfind(squeezed_tu + ",", 0), 0u) << decoded << " / " << tu;
    EXPECT_THAT(decoded, HasSubstr("UTC"));
  }
  EXPECT_EQ(appearances, 140);
  for (const char32_t cp : shown) {
    if (cp == U' ') continue;
    const unsigned gid =
        static_cast<unsigned char>(cid_to_gid.at(2 * cp)) << 8 | static_cast<unsigned char>(cid_to_gid.at(2 * cp + 1));
    EXPECT_NE(gid, 0u) << "U+" << std::hex << static_cast<unsigned>(cp);
    EXPECT_TRUE(glyph_has_outline(ttf, gid)) << "U+" << std::hex << static_cast<unsigned>(cp);
  }
  // The sample's names need more than ASCII; those glyphs are there too.
  EXPECT_TRUE(shown.count(U'ë'));
  EXPECT_TRUE(shown.count(U'Ø'));
}

// A P5 PGM from pdftoppm: width, height, then one byte per pixel.
struct Gray {
  int width = 0, height = 0;
  std::string pixels;
  int dark_in(double x1, double y1, double x2, double y2, double page_height, double scale) const {
    int n = 0;
    for (int y = static_cast<int>((page_height - y2) * scale); y < static_cast<int>((page_height - y1) * scale); ++y) {
      for (int x = static_cast<int>(x1 * scale); x < static_cast<int>(x2 * scale); ++x) {
        if (static_cast<unsigned char>(pixels.at(static_cast<std::size_t>(y * width + x))) < 128) ++n;
      }
    }
    return n;
  }
};

Gray page_image(const fs::path& pdf, int page, const fs::path& out_base) {
  const auto r = run_program({"/usr/bin/pdftoppm", "-gray", "-r", "72", "-f", std::to_string(page), "-l",
                              std::to_string(page), "-singlefile", pdf.string(), out_base.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string pgm = slurp(out_base.string() + ".pgm");
  Gray g;
  std::size_t at = 0;
  auto token = [&] {
    while (at < pgm.size() && std::isspace(static_cast<unsigned char>(pgm[at]))) ++at;
    const std::size_t start = at;
    while (at < pgm.size() && !std::isspace(static_cast<unsigned char>(pgm[at]))) ++at;
    return pgm.substr(start, at - start);
  };
  EXPECT_EQ(token(), "P5");
  g.width = std::stoi(token());
  g.height = std::stoi(token());
  token();  // maxval
  g.pixels = pgm.substr(at + 1);
  return g;
}

// pdftoppm draws each appearance inside its field: dark text where revision 0 has none.
TEST_F(Pades, AppearancesAreDrawnInsideTheirFields) {
  const SignedRun& r = run();
  spill(r.dir / "rev0.pdf", r.revision0);
  const int page = r.layout.fields.back().page;
  const Gray before = page_image(r.dir / "rev0.pdf", page, r.dir / "before");
  const Gray after = page_image(r.signed_path, page, r.dir / "after");
  const double h = r.layout.geometry.height;
  int fields = 0;
  for (const auto& f : r.layout.fields) {
    if (f.page != page) continue;
    ++fields;
    const auto& q = f.rect;
    // Inside the border, clear of its stroke.
    EXPECT_EQ(before.dark_in(q.x1 + 3, q.y1 + 3, q.x2 - 3, q.y2 - 3, h, 1), 0) << f.tekenbevoegde_id;
    EXPECT_GT(after.dark_in(q.x1 + 3, q.y1 + 3, q.x2 - 3, q.y2 - 3, h, 1), 150) << f.tekenbevoegde_id;
  }
  EXPECT_GE(fields, 2);
  // Nothing outside the fields changed.
  int changed_outside = 0;
  for (int y = 0; y < after.height; ++y) {
    for (int x = 0; x < after.width; ++x) {
      const auto i = static_cast<std::size_t>(y * after.width + x);
      if (before.pixels[i] == after.pixels[i]) continue;
      const bool inside = std::any_of(r.layout.fields.begin(), r.layout.fields.end(), [&](const SignatureField& f) {
        return f.page == page && x >= f.rect.x1 - 1 && x <= f.rect.x2 + 1 && h - y >= f.rect.y1 - 1 &&
               h - y <= f.rect.y2 + 1;
      });
      if (!inside) ++changed_outside;
    }
  }
  EXPECT_EQ(changed_outside, 0);
}

struct Small {
  Agreement agreement;
  std::string pdf;
  std::vector<SignatureField> fields;
};

Small small_contract(const std::string& xml) {
  Small s{agreement_of(xml), {}, {}};
  Contract c = render_contract(s.agreement, kSource + "/templates");
  s.pdf = std::move(c.pdf);
  s.fields = std::move(c.layout.fields);
  return s;
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The small sample (or `xml`) rendered, a PKI with its local TSA at kNow, a new chain in dir_/c.
class PadesAct : public ScratchTest {
 protected:
  void prepare(const std::string& xml = klein()) {
    s = small_contract(xml);
    pki.emplace(sto::Pki::create(dir_ / "pki", "", kNow));
    tsa = pki->local_tsa([] { return kNow; });
    chain.emplace(SignedContract::create(dir_ / "c", s.pdf));
  }
  Small s;
  std::optional<sto::Pki> pki;
  std::unique_ptr<TimestampAuthority> tsa;
  std::optional<SignedContract> chain;
};

TEST_F(PadesAct, RefusesAnUnknownOrAlreadySignedFieldAndWritesNothing) {
  prepare();
  const std::string id = s.fields.front().tekenbevoegde_id;
  chain->sign(signing_act(s.agreement, id, kNow), *pki, *tsa);
  const auto before = files_in(dir_ / "c");
  expect_error([&] { chain->sign(signing_act(s.agreement, id, kNow), *pki, *tsa); }, "al ondertekend");
  SigningAct unknown = signing_act(s.agreement, id, kNow);
  unknown.field = "s999";
  expect_error([&] { chain->sign(unknown, *pki, *tsa); }, "geen handtekeningveld s999");
  EXPECT_EQ(files_in(dir_ / "c"), before);
  EXPECT_EQ(chain->revisions(), 1);
  EXPECT_EQ(chain->unsigned_fields().size(), s.fields.size() - 1);
}

// A CMS larger than the reserved room is an error, never truncated; nothing is written.
TEST_F(PadesAct, RefusesASignatureThatDoesNotFit) {
  prepare();
  SigningAct act = signing_act(s.agreement, s.fields.front().tekenbevoegde_id, kNow);
  act.signer.functie = std::string(4000, 'x');  // a title of 4000 bytes in the certificate
  expect_error([&] { chain->sign(act, *pki, *tsa); }, "past niet");
  EXPECT_EQ(files_in(dir_ / "c"), std::vector<std::string>{"0000.pdf"});
  EXPECT_EQ(chain->revisions(), 0);
}

// A second object on the same chain (another process) sees the first one's revisions.
TEST_F(PadesAct, TwoWritersShareOneChain) {
  prepare();
  EXPECT_EQ(signature_reserve(*tsa), kLocalReserve);
  SignedContract& a = *chain;
  auto b = SignedContract::open(dir_ / "c");
  a.sign(signing_act(s.agreement, s.fields[0].tekenbevoegde_id, kNow), *pki, *tsa);
  b.sign(signing_act(s.agreement, s.fields[1].tekenbevoegde_id, kNow), *pki, *tsa);  // reads a's first
  EXPECT_EQ(b.revisions(), 2);
  expect_error([&] { b.sign(signing_act(s.agreement, s.fields[0].tekenbevoegde_id, kNow), *pki, *tsa); },
               "al ondertekend");
  a.refresh();
  EXPECT_EQ(a.revisions(), 2);
  EXPECT_EQ(a.sha256(), b.sha256());
  EXPECT_EQ(a.sha256(), to_hex(sha256(b.pdf())));
  // Reopened from disk: the same state.
  const auto c = SignedContract::open(dir_ / "c");
  EXPECT_EQ(c.sha256(), a.sha256());
  EXPECT_EQ(c.unsigned_fields(), a.unsigned_fields());
}

// A TSA that lets something else happen while it is asked: the slowest step of an act.
class InterruptingTsa : public TimestampAuthority {
 public:
  InterruptingTsa(TimestampAuthority& inner, std::function<void()> meanwhile)
      : inner_(inner), meanwhile_(std::move(meanwhile)) {}
  std::string timestamp(std::string_view digest) override {
    if (meanwhile_) std::exchange(meanwhile_, nullptr)();
    return inner_.timestamp(digest);
  }
  std::string certificate_pem() const override { return inner_.certificate_pem(); }
  std::size_t token_room() const override { return inner_.token_room(); }

 private:
  TimestampAuthority& inner_;
  std::function<void()> meanwhile_;
};

// Two acts racing for the same revision number: the second to finish writes nothing and says
// so; after reading the winner's revision it signs as the next one.
TEST_F(PadesAct, TwoActsRacingForOneRevisionCannotBothLand) {
  prepare();
  SignedContract& a = *chain;
  auto b = SignedContract::open(dir_ / "c");
  InterruptingTsa racing(*tsa,
                         [&] { a.sign(signing_act(s.agreement, s.fields[0].tekenbevoegde_id, kNow), *pki, *tsa); });
  const std::string b_act = s.fields[1].tekenbevoegde_id;
  expect_error([&] { b.sign(signing_act(s.agreement, b_act, kNow), *pki, racing); }, "bestaat al");
  EXPECT_EQ(files_in(dir_ / "c"), (std::vector<std::string>{"0000.pdf", "0001.rev"}));
  EXPECT_EQ(b.revisions(), 0);
  const Revision r = b.sign(signing_act(s.agreement, b_act, kNow), *pki, *tsa);
  EXPECT_EQ(r.number, 2);
  EXPECT_EQ(SignedContract::open(dir_ / "c").unsigned_fields().size(), s.fields.size() - 2);
}

// A damaged chain is refused by name, never read past or repaired: a truncated revision, a
// revision after a missing one, a revision that does not continue its predecessor. A writer that
// meets one keeps its last good state and signs nothing on top of it.
TEST_F(PadesAct, RefusesABrokenChain) {
  prepare();
  auto other = SignedContract::open(dir_ / "c");
  for (int i = 0; i < 3; ++i) chain->sign(signing_act(s.agreement, s.fields[i].tekenbevoegde_id, kNow), *pki, *tsa);
  const std::string rev2 = slurp(dir_ / "c/0002.rev");
  const std::string rev3 = slurp(dir_ / "c/0003.rev");

  spill(dir_ / "c/0002.rev", rev2.substr(0, 300));  // cut short
  expect_error([&] { SignedContract::open(dir_ / "c"); }, "0002.rev: revisie eindigt niet met %%EOF");
  const std::string before = other.sha256();
  expect_error([&] { other.refresh(); }, "0002.rev");
  EXPECT_EQ(other.revisions(), 0);  // unchanged, not half-read
  EXPECT_EQ(other.sha256(), before);
  expect_error([&] { other.sign(signing_act(s.agreement, s.fields[4].tekenbevoegde_id, kNow), *pki, *tsa); },
               "0002.rev");
  EXPECT_FALSE(fs::exists(dir_ / "c/0004.rev"));

  fs::remove(dir_ / "c/0002.rev");  // a gap: 0003 follows a missing 0002
  expect_error([&] { SignedContract::open(dir_ / "c"); }, "0003.rev volgt op een ontbrekende revisie");

  fs::remove(dir_ / "c/0003.rev");
  spill(dir_ / "c/0002.rev", rev3);  // in the wrong place: it continues another revision
  expect_error([&] { SignedContract::open(dir_ / "c"); }, "0002.rev: wijkt af van wat een handtekening schrijft");

  // Revisions that sign a field and do something else too (pdf-insecurity.org's incremental
  // saving and shadow attacks), each made from the real revision 2 by one edit.
  const auto at = [&](std::string_view needle) {
    const auto p = rev2.rfind(needle);
    EXPECT_NE(p, std::string::npos) << needle;
    return p;
  };
  const std::size_t trailer = at("trailer\n");
  ASSERT_EQ(trailer, rev2.find("trailer\n"));
  const std::string root = rev2.substr(at("/Root ") + 6, rev2.find(' ', at("/Root ") + 6) - at("/Root ") - 6);
  const std::string some_offset = rev2.substr(at(" 00000 n \n") - 10, 10);
  struct Attack {
    const char* what;
    std::string bytes;
    std::string refused_with;
  };
  const auto replaced = [&](std::size_t pos, std::size_t n, const std::string& by) {
    std::string r = rev2;
    r.replace(pos, n, by);
    return r;
  };
  // An unlisted object between the last object and the xref, with startxref and the /ByteRange's
  // last length moved to match.
  const auto hidden_object = [&] {
    const std::string extra = "99 0 obj\n(x)\nendobj\n";
    std::string r = replaced(at("xref\n0 1"), 0, extra);
    const auto add = [&](std::size_t number, char until) {
      const std::size_t end = r.find(until, number);
      r.replace(number, end - number, std::to_string(std::stoul(r.substr(number, end - number)) + extra.size()));
    };
    add(r.rfind("startxref\n") + 10, '\n');
    add(r.rfind(' ', r.find(']', r.find("/ByteRange ["))) + 1, ']');
    return r;
  };
  const std::string kDiffers = "wijkt af van wat een handtekening schrijft";
  const std::size_t hex = at("/Contents <") + 11;
  const std::size_t hex_end = rev2.find('>', hex);
  std::string lower = rev2;
  for (std::size_t i = hex; i < hex_end; ++i) lower[i] = static_cast<char>(std::tolower(lower[i]));
  const std::vector<Attack> attacks = {
      {"an xref stream beside the table", replaced(at(" /Prev "), 0, " /XRefStm 12"), kDiffers},
      {"a second /Prev", replaced(at(" >>\nstartxref"), 0, " /Prev 9"), kDiffers},
      {"a /Prev inside another key", replaced(at(" /Prev "), 0, " /X << /Prev 9 >>"), kDiffers},
      {"a new /Root", replaced(at("/Root ") + 6, root.size(), std::to_string(std::stoi(root) + 1)), kDiffers},
      {"an existing object overridden", replaced(trailer, 0, root + " 1\n" + some_offset + " 00000 n \n"),
       "dat geen leeg handtekeningveld is"},
      {"an object freed", replaced(trailer, 0, root + " 1\n0000000000 00001 f \n"),
       "dat geen leeg handtekeningveld is"},
      {"the field changed beyond /V and /AP", replaced(at("/F 4"), 4, "/F 6"), kDiffers},
      {"an object hidden after another", hidden_object(), kDiffers},
      {"other text in the appearance", replaced(at(" Tj\n"), 0, " Tj 0 0 Td <0041> Tj"), kDiffers},
      {"an impossible /M", replaced(at("/M (D:") + 10, 4, "9999"), kDiffers},
      {"a huge /ID (a regular expression would overflow its stack)",
       replaced(at("/ID [<") + 6, 0, std::string(200000, 'A')), kDiffers},
      {"no CMS in /Contents", replaced(hex, hex_end - hex, std::string(hex_end - hex, '0')), "/Contents is geen CMS"},
      {"lower-case hex", lower, "/Contents is geen hex"},
  };
  for (const Attack& attack : attacks) {
    SCOPED_TRACE(attack.what);
    ASSERT_NE(attack.bytes, rev2);
    spill(dir_ / "c/0002.rev", attack.bytes);
    expect_error([&] { SignedContract::open(dir_ / "c"); }, attack.refused_with);
  }

  spill(dir_ / "c/0002.rev", rev2);
  spill(dir_ / "c/0003.rev", rev3);
  EXPECT_EQ(SignedContract::open(dir_ / "c").revisions(), 3);
  other.refresh();
  EXPECT_EQ(other.revisions(), 3);
  EXPECT_EQ(other.sha256(), chain->sha256());
}

// Names as long as the agreement allows: the certificate and the appearance carry them whole.
TEST_F(PadesAct, SignsLongNames) {
  const std::string partner =
      "Stichting Samenwerkingsverband Voortgezet Onderwijs Regio Zuid-Oost Brabant en Omstreken";
  const std::string naam = "Maria Dolores Gonçalves-Van Den Heuvel-IJsselstein de la Croix";
  std::string xml = edit(klein(), "naam=\"Jürgen Smeulders\"", "naam=\"" + naam + "\"");
  prepare(xml);
  for (const auto& f : s.fields) {
    SigningAct act = signing_act(s.agreement, f.tekenbevoegde_id, kNow);
    act.signer.partner = partner;  // longer than X.520's 64 characters
    chain->sign(act, *pki, *tsa);
  }
  chain->write_pdf(dir_ / "signed.pdf");
  const std::string out = pdfsig(nss_trusting(dir_ / "nss", dir_ / "pki/ca.pem"), dir_ / "signed.pdf");
  EXPECT_EQ(count(out, "Signature is Valid."), static_cast<int>(s.fields.size()));
  EXPECT_EQ(count(out, "Certificate is Trusted."), static_cast<int>(s.fields.size()));
  EXPECT_THAT(out, HasSubstr("Signer Certificate Common Name: " + naam));
}

// An external TSA with RSA-4096 keys (a CMS of about 5.4 KB), asked over real HTTP by `sto sign
// --tsa`: the signature gets the larger room reserved for external TSAs, pdfsig finds it valid,
// and the revision stays under 24 KiB.
TEST_F(PadesAct, SignsWithAnExternalTsaOverHttp) {
  make_rsa_tsa(dir_ / "extern");
  LoopbackTsa server(dir_ / "extern", 200);
  ASSERT_EQ(run_program({STO_BINARY, "init", "--home", (dir_ / "ws").string()}).exit_code, 0);
  const auto r = run_program({STO_BINARY, "sign", kSource + "/samples/regio-klein-8.xml", "--contract",
                              (dir_ / "c").string(), "--all", "--home", (dir_ / "ws").string(), "--tsa", server.url(),
                              "--tsa-cert", (dir_ / "extern/ca.pem").string(), "-o", (dir_ / "signed.pdf").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(server.targets().size(), 9u);
  const std::string out = pdfsig(nss_trusting(dir_ / "nss", dir_ / "ws/pki/ca.pem"), dir_ / "signed.pdf");
  EXPECT_EQ(count(out, "Signature is Valid."), 9);
  EXPECT_EQ(count(out, "Certificate is Trusted."), 9);
  const auto sigs = signatures_in(slurp(dir_ / "signed.pdf"));
  ASSERT_EQ(sigs.size(), 9u);
  const Cms cms = cms_of(sigs[0]);
  unsigned char* der = nullptr;
  const int n = i2d_CMS_ContentInfo(cms.get(), &der);
  OPENSSL_free(der);
  EXPECT_GT(n, 5000) << "an RSA token with its chain";
  EXPECT_EQ(sigs[0].contents.size(), 4096u + 6144u);  // the room for an external TSA
  EXPECT_LT(fs::file_size(dir_ / "c/0001.rev"), 24u * 1024);
  // sto verify trusts the external TSA through the certificate given for it (here its CA, as
  // --tsa-cert was): every signature valid, the verdict only short of the audit log.
  const auto v = run_program({STO_BINARY, "verify", (dir_ / "signed.pdf").string(), "--ca",
                              (dir_ / "ws/pki/ca.pem").string(), "--tsa", (dir_ / "extern/ca.pem").string(),
                              "--agreement", kSource + "/samples/regio-klein-8.xml", "--json"});
  EXPECT_EQ(v.exit_code, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("\"verdict\": \"untrusted\""));
  EXPECT_EQ(count(v.out, "\"valid\": true"), 9) << v.out;
  EXPECT_THAT(v.out, Not(HasSubstr("tijdstempel")));
}

// The appearance shows the name exactly as written, whatever its script (within the font).
TEST_F(PadesAct, NamesOutsideLatin1AreSignedAndShown) {
  const std::string naam = "Łukasz Šimić-Doğan Ðorđe";
  prepare(edit(klein(), "naam=\"Jürgen Smeulders\"", "naam=\"" + naam + "\""));
  for (const auto& f : s.fields) chain->sign(signing_act(s.agreement, f.tekenbevoegde_id, kNow), *pki, *tsa);
  chain->write_pdf(dir_ / "signed.pdf");
  const auto nss = nss_trusting(dir_ / "nss", dir_ / "pki/ca.pem");
  const std::string out = pdfsig(nss, dir_ / "signed.pdf");
  EXPECT_EQ(count(out, "Signature is Valid."), static_cast<int>(s.fields.size()));
  EXPECT_EQ(count(out, "Certificate is Trusted."), static_cast<int>(s.fields.size()));
  EXPECT_THAT(out, HasSubstr("Signer Certificate Common Name: " + naam));
  // The appearance's CIDs spell the name.
  std::string cids;
  for (const char32_t c : decode_utf8(naam)) {
    char h[8];
    std::snprintf(h, sizeof h, "%04X", static_cast<unsigned>(c));
    cids += h;
  }
  const std::string signed_pdf = slurp(dir_ / "signed.pdf");
  EXPECT_THAT(signed_pdf, HasSubstr(cids.substr(0, 4 * 6)));  // "Łukasz" before any line break
  const auto q = run_program({"/usr/bin/qpdf", "--check", (dir_ / "signed.pdf").string()});
  EXPECT_EQ(q.exit_code, 0) << q.out;
}

TEST_F(PadesAct, RefusesAPdfWithoutSignatureFields) {
  expect_error([&] { SignedContract::create(dir_ / "c", "%PDF-1.7\nnot really\n"); }, "PDF lezen mislukt");
  ASSERT_EQ(run_program({"/usr/bin/qpdf", "--empty", (dir_ / "empty.pdf").string()}).exit_code, 0);
  expect_error([&] { SignedContract::create(dir_ / "c", slurp(dir_ / "empty.pdf")); }, "zonder handtekeningvelden");
  EXPECT_FALSE(fs::exists(dir_ / "c" / "0000.pdf"));
  expect_error([&] { SignedContract::open(dir_ / "nothing"); }, "0000.pdf ontbreekt");
}

}  // namespace
}  // namespace sto::test
