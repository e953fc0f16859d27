// The installation PKI: what `sto init` creates, the certificate of a signing act, and the two
// timestamp authorities, judged by OpenSSL's API and by the `openssl` command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <array>
#include <set>
#include <thread>

#include "loopback_tsa.h"
#include "run.h"
#include "scratch.h"
#include "sto/diagnostics.h"
#include "sto/pki.h"

namespace sto::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::time_t kNow = 1764000000;  // 2025-11-24 16:00:00 UTC

using Pki = ScratchTest;

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

std::string name_entry(X509* cert, int nid) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int i = X509_NAME_get_index_by_NID(name, nid, -1);
  if (i < 0) return "";
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

bool verifies(X509* cert, X509* ca, int purpose) {
  std::unique_ptr<X509_STORE, ossl::Deleter<X509_STORE, X509_STORE_free>> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, ossl::Deleter<X509_STORE_CTX, X509_STORE_CTX_free>> ctx(X509_STORE_CTX_new());
  X509_STORE_add_cert(store.get(), ca);
  X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  return X509_verify_cert(ctx.get()) == 1;
}

const SignerIdentity kWho{"Łukasz Šimić-Doğan", "Directeur-bestuurder", "Stichting Ðorđe College", "12345678",
                          "l.simic@example.nl"};

TEST_F(Pki, CreatesCaAndTsaWithOwnerOnlyKeys) {
  const auto pki = sto::Pki::create(dir_ / "pki", "");
  for (const char* f : {"ca.pem", "tsa.pem"}) EXPECT_EQ(mode_of(dir_ / "pki" / f), 0644u) << f;
  for (const char* f : {"ca.key", "tsa.key"}) EXPECT_EQ(mode_of(dir_ / "pki" / f), 0600u) << f;
  // The fingerprint auditors compare is exactly what openssl prints.
  const auto x = run_program(
      {"/usr/bin/openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", (dir_ / "pki" / "ca.pem").string()});
  EXPECT_EQ(x.out, "sha256 Fingerprint=" + pki.ca_fingerprint() + "\n");
  EXPECT_EQ(pki.ca_fingerprint().size(), 95u);
  // The CA is P-256 and self-signed; the TSA certificate chains to it for time stamping.
  const auto ca_text =
      run_program({"/usr/bin/openssl", "x509", "-noout", "-text", "-in", (dir_ / "pki/ca.pem").string()});
  EXPECT_THAT(ca_text.out, HasSubstr("NIST CURVE: P-256"));
  EXPECT_THAT(ca_text.out, HasSubstr("CA:TRUE, pathlen:0"));
  const auto tsa = run_program({"/usr/bin/openssl", "verify", "-CAfile", (dir_ / "pki/ca.pem").string(), "-purpose",
                                "timestampsign", (dir_ / "pki/tsa.pem").string()});
  EXPECT_EQ(tsa.exit_code, 0) << tsa.out << tsa.err;
  const auto tsa_text = run_program(
      {"/usr/bin/openssl", "x509", "-noout", "-ext", "extendedKeyUsage", "-in", (dir_ / "pki/tsa.pem").string()});
  EXPECT_THAT(tsa_text.out, HasSubstr("X509v3 Extended Key Usage: critical\n    Time Stamping"));
}

TEST_F(Pki, NeverReplacesAnExistingCa) {
  const auto first = sto::Pki::create(dir_, "");
  const std::string before = slurp(dir_ / "ca.key");
  expect_error([&] { sto::Pki::create(dir_, ""); }, "wordt nooit vervangen");
  EXPECT_EQ(slurp(dir_ / "ca.key"), before);
  EXPECT_EQ(sto::Pki::load(dir_, "").ca_fingerprint(), first.ca_fingerprint());
}

// A workspace whose pki/ is a symbolic link to an empty directory, or a path with a trailing
// slash: the CA lands in the directory meant.
TEST_F(Pki, CreatesThroughASymlinkAndATrailingSlash) {
  fs::create_directories(dir_ / "elders");
  fs::create_directory_symlink(dir_ / "elders", dir_ / "link");
  const auto linked = sto::Pki::create(dir_ / "link", "");
  EXPECT_TRUE(fs::is_symlink(dir_ / "link"));
  EXPECT_EQ(sto::Pki::load(dir_ / "elders", "").ca_fingerprint(), linked.ca_fingerprint());
  const auto slash = sto::Pki::create((dir_ / "x").string() + "/", "");
  EXPECT_EQ(sto::Pki::load(dir_ / "x", "").ca_fingerprint(), slash.ca_fingerprint());
}

// An existing empty directory keeps its owner and mode (it may be a mount point or a volume).
TEST_F(Pki, FillsAnExistingEmptyDirectory) {
  fs::create_directories(dir_ / "pki");
  fs::permissions(dir_ / "pki", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  const auto pki = sto::Pki::create(dir_ / "pki", "");
  EXPECT_EQ(mode_of(dir_ / "pki"), 0750u);
  EXPECT_EQ(mode_of(dir_ / "pki/ca.key"), 0600u);
  EXPECT_EQ(sto::Pki::load(dir_ / "pki", "").ca_fingerprint(), pki.ca_fingerprint());
  expect_error([&] { sto::Pki::create(dir_ / "pki", ""); }, "wordt nooit vervangen");
}

// Two `sto init` at once: exactly one CA results, and it is the one the winner reports.
TEST_F(Pki, ConcurrentCreatesMakeOneCa) {
  for (int round = 0; round < 10; ++round) {
    const fs::path dir = dir_ / std::to_string(round) / "pki";
    std::array<std::string, 2> fingerprints;
    std::array<std::thread, 2> threads;
    for (std::size_t i = 0; i < 2; ++i) {
      threads[i] = std::thread([&, i] {
        try {
          fingerprints[i] = sto::Pki::create(dir, "").ca_fingerprint();
        } catch (const Error&) {
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_NE(fingerprints[0].empty(), fingerprints[1].empty()) << "exactly one wins";
    EXPECT_EQ(sto::Pki::load(dir, "").ca_fingerprint(), fingerprints[0] + fingerprints[1]);
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.parent_path())) ++entries;
    EXPECT_EQ(entries, 1u) << "no temporary directory left behind";
  }
}

TEST_F(Pki, EncryptedKeysNeedTheirPassphrase) {
  const auto created = sto::Pki::create(dir_, "geheim wachtwoord");
  EXPECT_THAT(slurp(dir_ / "ca.key"), HasSubstr("BEGIN ENCRYPTED PRIVATE KEY"));
  EXPECT_THAT(slurp(dir_ / "tsa.key"), HasSubstr("BEGIN ENCRYPTED PRIVATE KEY"));
  expect_error([&] { sto::Pki::load(dir_, ""); }, "geef het wachtwoord");
  expect_error([&] { sto::Pki::load(dir_, "verkeerd"); }, "verkeerd wachtwoord");
  EXPECT_EQ(sto::Pki::load(dir_, "geheim wachtwoord").ca_fingerprint(), created.ca_fingerprint());
}

TEST_F(Pki, RefusesAKeyThatDoesNotMatchItsCertificate) {
  sto::Pki::create(dir_ / "a", "");
  sto::Pki::create(dir_ / "b", "");
  fs::copy_file(dir_ / "b/ca.key", dir_ / "a/ca.key", fs::copy_options::overwrite_existing);
  expect_error([&] { sto::Pki::load(dir_ / "a", ""); }, "hoort niet bij ca.pem");
}

TEST_F(Pki, IssuesACertificateNamingTheTekenbevoegde) {
  const auto pki = sto::Pki::create(dir_, "", kNow);
  const auto creds = pki.issue(kWho, kNow);
  X509* c = creds.certificate.get();
  EXPECT_EQ(name_entry(c, NID_commonName), kWho.naam);
  EXPECT_EQ(name_entry(c, NID_title), kWho.functie);
  EXPECT_EQ(name_entry(c, NID_organizationName), kWho.partner);
  EXPECT_EQ(name_entry(c, NID_organizationIdentifier), "NTRNL-12345678");
  EXPECT_EQ(name_entry(c, NID_countryName), "NL");
  // e-mail as rfc822Name
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(c, NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  ASSERT_EQ(sk_GENERAL_NAME_num(names), 1);
  const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, 0);
  ASSERT_EQ(gn->type, GEN_EMAIL);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.rfc822Name))), kWho.email);
  GENERAL_NAMES_free(names);
  // keyUsage digitalSignature + nonRepudiation only, no EKU (NSS would refuse most of them)
  EXPECT_EQ(X509_get_key_usage(c), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
  EXPECT_LT(X509_get_ext_by_NID(c, NID_ext_key_usage, -1), 0);
  // 25 years from now, not before five minutes ago; chains to the CA for S/MIME signing (the
  // usage NSS, and therefore pdfsig, checks)
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(c), X509_get0_notAfter(c)), 1);
  EXPECT_NEAR(days, 25 * 365.25, 1);
  EXPECT_TRUE(verifies(c, pki.ca(), X509_PURPOSE_SMIME_SIGN));
  EXPECT_EQ(X509_check_private_key(c, creds.key.get()), 1);
  EXPECT_EQ(EVP_PKEY_get_bits(creds.key.get()), 256);
}

// The agreement allows names of 200 characters; the certificate names them in full (X.520's
// upper bound of 64 for CN and O does not cut a partner's name short).
TEST_F(Pki, IssuesCertificatesForLongNames) {
  const auto pki = sto::Pki::create(dir_, "", kNow);
  SignerIdentity who = kWho;
  who.naam = "Maria Dolores " + std::string(120, 'x') + " ĲSSELSTEIJN-Ðorđević";
  who.partner = "Stichting Samenwerkingsverband Voortgezet Onderwijs Regio Zuid-Oost Brabant " + std::string(100, 'y');
  const auto creds = pki.issue(who, kNow);
  EXPECT_EQ(name_entry(creds.certificate.get(), NID_commonName), who.naam);
  EXPECT_EQ(name_entry(creds.certificate.get(), NID_organizationName), who.partner);
  EXPECT_TRUE(verifies(creds.certificate.get(), pki.ca(), X509_PURPOSE_SMIME_SIGN));
}

TEST_F(Pki, SerialsAreRandomAndKeysFresh) {
  const auto pki = sto::Pki::create(dir_, "", kNow);
  std::set<std::string> serials, keys;
  for (int i = 0; i < 20; ++i) {
    const auto creds = pki.issue(kWho, kNow);
    const ASN1_INTEGER* serial = X509_get0_serialNumber(creds.certificate.get());
    // The magnitude of 128 random bits (OpenSSL keeps the sign apart): 16 bytes, rarely 15.
    EXPECT_GE(ASN1_STRING_length(serial), 14);
    EXPECT_LE(ASN1_STRING_length(serial), 16);
    EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER) << "positive";
    serials.insert(to_hex({reinterpret_cast<const char*>(ASN1_STRING_get0_data(serial)),
                           static_cast<std::size_t>(ASN1_STRING_length(serial))}));
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(creds.key.get(), &der);
    keys.insert(std::string(reinterpret_cast<char*>(der), static_cast<std::size_t>(n)));
    OPENSSL_free(der);
  }
  EXPECT_EQ(serials.size(), 20u);
  EXPECT_EQ(keys.size(), 20u);
}

// The token of a local TSA: our imprint, the clock's time, a serial of its own, and it verifies
// with the `openssl ts` command line against the CA.
TEST_F(Pki, LocalTsaStampsTheDigestAtTheClocksTime) {
  const auto pki = sto::Pki::create(dir_, "", kNow);
  auto tsa = pki.local_tsa([] { return kNow + 42; });
  const std::string data = "de handtekeningwaarde";
  const std::string token = tsa->timestamp(sha256(data));
  spill(dir_ / "token.der", token);
  spill(dir_ / "data.bin", data);
  const auto text = run_program(
      {"/usr/bin/openssl", "ts", "-reply", "-token_in", "-in", (dir_ / "token.der").string(), "-token_out", "-text"});
  EXPECT_THAT(text.out, HasSubstr("Time stamp: Nov 24 16:00:42 2025 GMT"));
  EXPECT_THAT(text.out, HasSubstr("Hash Algorithm: sha256"));
  const auto verify =
      run_program({"/usr/bin/openssl", "ts", "-verify", "-token_in", "-in", (dir_ / "token.der").string(), "-data",
                   (dir_ / "data.bin").string(), "-CAfile", (dir_ / "ca.pem").string()});
  EXPECT_THAT(verify.out, HasSubstr("Verification: OK")) << verify.err;
  EXPECT_NE(tsa->timestamp(sha256(data)), token);  // fresh serial and nonce every time
  EXPECT_THROW(tsa->timestamp("too short"), Error);
}

// The CA's CRL, read back by the openssl command line: signed by the CA, the times asked for,
// a CRL number, nothing revoked; never valid beyond the CA itself.
TEST_F(Pki, IssuesAnEmptyCrlSignedByTheCa) {
  const auto pki = sto::Pki::create(dir_, "", kNow);
  spill(dir_ / "ca.crl", pki.crl(kNow, kNow + 400 * 24 * 3600));
  const auto text = run_program({"/usr/bin/openssl", "crl", "-inform", "DER", "-in", (dir_ / "ca.crl").string(),
                                 "-CAfile", (dir_ / "ca.pem").string(), "-noout", "-text"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.err + text.out, HasSubstr("verify OK"));
  EXPECT_THAT(text.out, HasSubstr("Last Update: Nov 24 16:00:00 2025 GMT"));
  EXPECT_THAT(text.out, HasSubstr("Next Update: Dec 29 16:00:00 2026 GMT"));
  EXPECT_THAT(text.out, HasSubstr("X509v3 CRL Number"));
  EXPECT_THAT(text.out, HasSubstr("No Revoked Certificates."));
  // Another CA does not verify it.
  const auto other = sto::Pki::create(dir_ / "ander", "", kNow);
  const auto foreign = run_program({"/usr/bin/openssl", "crl", "-inform", "DER", "-in", (dir_ / "ca.crl").string(),
                                    "-CAfile", (dir_ / "ander" / "ca.pem").string(), "-noout"});
  EXPECT_THAT(foreign.err + foreign.out, Not(HasSubstr("verify OK")));
  // Capped at the CA's own end (30 years), and never already past.
  spill(dir_ / "lang.crl", pki.crl(kNow, kNow + 100LL * 365 * 24 * 3600));
  const auto capped = run_program(
      {"/usr/bin/openssl", "crl", "-inform", "DER", "-in", (dir_ / "lang.crl").string(), "-noout", "-nextupdate"});
  const auto ca_end =
      run_program({"/usr/bin/openssl", "x509", "-in", (dir_ / "ca.pem").string(), "-noout", "-enddate"});
  EXPECT_EQ(capped.out.substr(capped.out.find('=')), ca_end.out.substr(ca_end.out.find('=')));
  EXPECT_THROW(pki.crl(kNow, kNow), Error);
}

TEST_F(Pki, HttpTsaFetchesAndChecksAToken) {
  const auto pki = sto::Pki::create(dir_, "", kNow);
  LoopbackTsa server(dir_, 200);
  auto tsa = http_tsa(server.url(), pki.ca_pem());
  EXPECT_EQ(tsa->token_room(), 6144u);
  const std::string token = tsa->timestamp(sha256("x"));
  spill(dir_ / "token.der", token);
  spill(dir_ / "x", "x");
  const auto verify =
      run_program({"/usr/bin/openssl", "ts", "-verify", "-token_in", "-in", (dir_ / "token.der").string(), "-data",
                   (dir_ / "x").string(), "-CAfile", (dir_ / "ca.pem").string()});
  EXPECT_THAT(verify.out, HasSubstr("Verification: OK")) << verify.err;
  // Trusting the TSA's own certificate instead of its CA works too; a URL without a path asks "/".
  auto direct = http_tsa(server.origin(), pki.tsa_pem());
  EXPECT_NO_THROW(direct->timestamp(sha256("y")));
  EXPECT_EQ(server.targets(), (std::vector<std::string>{"/tsa", "/"}));
}

TEST_F(Pki, HttpTsaRefusesAnUntrustedTokenAnErrorAndSilence) {
  const auto pki = sto::Pki::create(dir_ / "ours", "", kNow);
  const fs::path theirs = dir_ / "theirs";
  const auto other = sto::Pki::create(theirs, "", kNow);  // the server signs with another CA's TSA
  {
    LoopbackTsa server(theirs, 200);
    expect_error([&] { http_tsa(server.url(), pki.ca_pem())->timestamp(sha256("x")); }, "het tijdstempel klopt niet");
  }
  {
    LoopbackTsa server(theirs, 503);
    expect_error([&] { http_tsa(server.url(), other.ca_pem())->timestamp(sha256("x")); }, "503");
  }
  // Nothing listens on this port any more.
  std::string url;
  {
    LoopbackTsa server(theirs, 200);
    url = server.url();
  }
  expect_error([&] { http_tsa(url, other.ca_pem(), std::chrono::seconds(2))->timestamp(sha256("x")); },
               "niet bereikbaar");
  expect_error([&] { http_tsa("ftp://example.org/", other.ca_pem()); }, "alleen http");
}

}  // namespace
}  // namespace sto::test
