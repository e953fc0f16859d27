// `sto init` and `sto sign` as a user runs them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>

#include "run.h"
#include "scratch.h"

namespace sto::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

const std::string kSource = STO_SOURCE_DIR;
const std::string kKlein = kSource + "/samples/regio-klein-8.xml";

using Sign = ScratchTest;

TEST_F(Sign, InitPrintsTheFingerprintAndNeverReplacesTheCa) {
  const auto r = run_sto({"init", "--home", (dir_ / "ws").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("  ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\n")));
  const auto x = run_program(
      {"/usr/bin/openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", (dir_ / "ws/pki/ca.pem").string()});
  EXPECT_EQ(x.out, "sha256 Fingerprint=" + m[1].str() + "\n");
  const std::string key = slurp(dir_ / "ws/pki/ca.key");
  const auto again = run_sto({"init", "--home", (dir_ / "ws").string()});
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_THAT(again.err, HasSubstr("wordt nooit vervangen"));
  EXPECT_EQ(slurp(dir_ / "ws/pki/ca.key"), key);
}

TEST_F(Sign, InitTakesThePassphraseFromAFileOrTheEnvironment) {
  spill(dir_ / "pw", "correct paard batterij\n");
  ASSERT_EQ(run_sto({"init", "--home", (dir_ / "a").string(), "--passphrase-file", (dir_ / "pw").string()}).exit_code,
            0);
  EXPECT_THAT(slurp(dir_ / "a/pki/ca.key"), HasSubstr("ENCRYPTED"));
  ASSERT_EQ(run_sto({"init"}, {"STO_HOME=" + (dir_ / "b").string(), "STO_PASSPHRASE=x"}).exit_code, 0);
  EXPECT_THAT(slurp(dir_ / "b/pki/tsa.key"), HasSubstr("ENCRYPTED"));
  // Signing then needs it.
  const auto without =
      run_sto({"sign", kKlein, "--contract", (dir_ / "c").string(), "--all", "--home", (dir_ / "a").string()});
  EXPECT_EQ(without.exit_code, 3);
  EXPECT_THAT(without.err, HasSubstr("wachtwoord"));
  const auto with = run_sto({"sign", kKlein, "--contract", (dir_ / "c").string(), "--all", "--home",
                             (dir_ / "a").string(), "--passphrase-file", (dir_ / "pw").string()});
  EXPECT_EQ(with.exit_code, 0) << with.err;
}

TEST_F(Sign, SignsEveryoneOrOneAndWritesTheSignedPdf) {
  ASSERT_EQ(run_sto({"init", "--home", (dir_ / "ws").string()}).exit_code, 0);
  const std::string chain = (dir_ / "c").string();
  const auto one =
      run_sto({"sign", kKlein, "--contract", chain, "--tekenbevoegde", "s1", "--home", (dir_ / "ws").string()});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_THAT(one.out, MatchesRegex("s1: revisie 1, [0-9]+ bytes, certificaat [0-9a-f]{64}\n1 van [0-9]+ "
                                    "handtekeningen; [0-9]+ bytes, SHA-256 [0-9a-f]{64}\n"));
  const auto rest = run_sto({"sign", kKlein, "--contract", chain, "--all", "--home", (dir_ / "ws").string(), "-o",
                             (dir_ / "signed.pdf").string()});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_THAT(rest.out, Not(HasSubstr("s1:")));
  const auto q = run_program({"/usr/bin/qpdf", "--check", (dir_ / "signed.pdf").string()});
  EXPECT_EQ(q.exit_code, 0) << q.out;
  const auto twice =
      run_sto({"sign", kKlein, "--contract", chain, "--tekenbevoegde", "s1", "--home", (dir_ / "ws").string()});
  EXPECT_EQ(twice.exit_code, 3);
  EXPECT_THAT(twice.err, HasSubstr("al ondertekend"));
}

TEST_F(Sign, RefusesAContractOfAnotherAgreement) {
  ASSERT_EQ(run_sto({"init", "--home", (dir_ / "ws").string()}).exit_code, 0);
  const std::string chain = (dir_ / "c").string();
  ASSERT_EQ(run_sto({"sign", kKlein, "--contract", chain, "--tekenbevoegde", "s1", "--home", (dir_ / "ws").string()})
                .exit_code,
            0);
  const auto other = run_sto({"sign", kSource + "/samples/regio-middel-25.xml", "--contract", chain, "--all", "--home",
                              (dir_ / "ws").string()});
  EXPECT_EQ(other.exit_code, 3);
  EXPECT_THAT(other.err, HasSubstr("is niet het contract van"));
}

TEST_F(Sign, UsageErrors) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"sign", kKlein, "--all"},
        {"sign", kKlein, "--contract", "c"},
        {"sign", kKlein, "--contract", "c", "--all", "--tekenbevoegde", "s1"},
        {"sign", kKlein, "--contract", "c", "--all", "--tsa", "http://127.0.0.1:1/"},
        {"init", "--bogus"}}) {
    const auto r = run_sto(args);
    EXPECT_EQ(r.exit_code, 2) << args.back();
  }
}

}  // namespace
}  // namespace sto::test
