// Independent agreement: what the archive's README.txt tells an auditor to run without sto
// (pdfsig with the CA trusted in an NSS database; controle.sh, which has openssl check every
// /Contents over its /ByteRange) agrees with `sto verify`, on the untouched archive and on a
// broken one. The commands are taken from README.txt itself, so the README is tested too.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

#include "run.h"
#include "tamper.h"

namespace sto::tamper {
namespace {

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// The text of `readme` between the line `begin` and the line `end` (both excluded).
std::string between_lines(const std::string& readme, const std::string& begin, const std::string& end) {
  const std::size_t from = readme.find(begin + "\n");
  const std::size_t to = from == std::string::npos ? from : readme.find(end, from);
  if (to == std::string::npos) return {};
  return readme.substr(from + begin.size() + 1, to - from - begin.size() - 1);
}

// README section 2's commands: the indented lines between its heading and "Verwacht:".
std::vector<std::string> pdfsig_commands(const std::string& readme) {
  const std::size_t from = readme.find("2. Controleren zonder sto");
  const std::size_t to = readme.find("Verwacht:", from);
  std::vector<std::string> commands;
  if (from == std::string::npos || to == std::string::npos) return commands;
  std::istringstream lines(readme.substr(from, to - from));
  std::string line;
  std::getline(lines, line);  // the heading
  while (std::getline(lines, line)) {
    const std::size_t text = line.find_first_not_of(' ');
    if (text != std::string::npos && text >= 4) commands.push_back(line.substr(text));
  }
  return commands;
}

// Runs `script` with bash in `dir`, stdout and stderr together.
test::RunResult shell(const fs::path& dir, const std::string& script) {
  return test::run_program({which("bash"), "-c", "cd '" + dir.string() + "' && { " + script + "\n} 2>&1"});
}

class IndependentAgreement : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"bash", "pdfsig", "certutil", "openssl"}) {
      if (which(tool).empty()) GTEST_SKIP() << tool << " is not installed";
    }
    dir_ = fs::temp_directory_path() /
           ("sto-agreement-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(::getpid()));
    copy_archive(demo().archive, dir_);
    readme_ = read_file(dir_ / "README.txt");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // README section 3's script, written to controle.sh in the copy and run as it says: bash controle.sh.
  test::RunResult controle(const std::string& pdf = "") const {
    const std::string script = between_lines(readme_, "----- controle.sh -----", "----- einde -----");
    EXPECT_NE(script.find("openssl cms -verify"), std::string::npos) << "README.txt has no controle.sh";
    write_file(dir_ / "controle.sh", script);
    return shell(dir_, pdf.empty() ? "bash controle.sh" : "bash controle.sh " + pdf);
  }

  fs::path dir_;
  std::string readme_;
};

TEST_F(IndependentAgreement, PdfsigTrustsEverySignatureAsTheReadmeSays) {
  const std::vector<std::string> commands = pdfsig_commands(readme_);
  ASSERT_EQ(commands.size(), 3u) << readme_;
  EXPECT_EQ(commands[0], "mkdir nss && certutil -N -d sql:nss --empty-password");
  EXPECT_EQ(commands[2], "pdfsig -nssdir sql:nss contract.pdf");
  std::string script = "set -e";
  for (const std::string& c : commands) script += "\n" + c;
  const test::RunResult r = shell(dir_, script);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(occurrences(r.out, "Signature is Valid."), 140u) << r.out;
  EXPECT_EQ(occurrences(r.out, "Certificate is Trusted."), 140u) << r.out;
  EXPECT_EQ(occurrences(r.out, "Total document signed"), 1u) << r.out;

  const VerifyRun v = run_verify(dir_, demo().fingerprint);
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_EQ(v.valid, 140u);
}

TEST_F(IndependentAgreement, OpensslVerifiesEverySignatureWithTheReadmeScript) {
  const test::RunResult r = controle();
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(occurrences(r.out, "Verification successful"), 140u) << r.out;
  EXPECT_NE(r.out.find("140 handtekening(en) gecontroleerd; de laatste dekt het hele bestand"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(demo().fingerprint), std::string::npos) << "the script shows the CA's fingerprint\n" << r.out;

  const VerifyRun v = run_verify(dir_, demo().fingerprint);
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_EQ(v.verdict, "intact") << describe(v.findings);
}

// The demo's toetreding (wijzigingen/1/contract.pdf), as README.txt says: the same script with the
// amendment's file, and pdfsig with the same CA; both refuse it once a byte of it is changed.
TEST_F(IndependentAgreement, TheReadmeChecksAnAmendmentWithTheSameScriptAndPdfsig) {
  const std::string amendment = "wijzigingen/1/contract.pdf";
  const std::size_t signers = read_signed_pdf(read_file(dir_ / amendment)).revisions.size();
  ASSERT_GE(signers, 2u);
  EXPECT_NE(readme_.find("bash controle.sh " + amendment), std::string::npos) << readme_;
  const test::RunResult r = controle(amendment);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(occurrences(r.out, "Verification successful"), signers) << r.out;
  EXPECT_NE(r.out.find(std::to_string(signers) + " handtekening(en) gecontroleerd; de laatste dekt het hele bestand"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(demo().fingerprint), std::string::npos) << r.out;

  std::string script = "set -e";
  for (const std::string& c : pdfsig_commands(readme_)) {
    script += "\n" + (c.starts_with("pdfsig ") ? "pdfsig -nssdir sql:nss " + amendment : c);
  }
  const test::RunResult pdfsig = shell(dir_, script);
  EXPECT_EQ(pdfsig.exit_code, 0) << pdfsig.out;
  EXPECT_EQ(occurrences(pdfsig.out, "Signature is Valid."), signers) << pdfsig.out;
  EXPECT_EQ(occurrences(pdfsig.out, "Certificate is Trusted."), signers) << pdfsig.out;

  std::string pdf = read_file(dir_ / amendment);
  const std::size_t at = pdf.find("stream\n") + 200;
  pdf[at] = static_cast<char>(pdf[at] ^ 0x01);
  write_file(dir_ / amendment, pdf);
  const test::RunResult broken = controle(amendment);
  EXPECT_NE(broken.exit_code, 0) << broken.out;
  EXPECT_NE(broken.out.find("handtekening 1: openssl cms -verify faalt"), std::string::npos) << broken.out;
}

// One byte of revision 0 changed: every /ByteRange covers it, so every tool must refuse.
TEST_F(IndependentAgreement, AllRefuseAByteOfRevisionZero) {
  const PdfFacts& f = pristine_facts();
  std::string pdf = f.pdf;
  const std::size_t at = f.page1_stream + f.page1_length / 2;
  pdf[at] = static_cast<char>(pdf[at] ^ 0x01);
  write_file(dir_ / "contract.pdf", pdf);

  const test::RunResult r = controle();
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("handtekening 1: openssl cms -verify faalt"), std::string::npos) << r.out;

  std::string script = "set -e";
  for (const std::string& c : pdfsig_commands(readme_)) script += "\n" + c;
  const test::RunResult pdfsig = shell(dir_, script);
  EXPECT_EQ(occurrences(pdfsig.out, "Signature is Valid."), 0u) << pdfsig.out;

  const VerifyRun v = run_verify(dir_, demo().fingerprint);
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_EQ(v.verdict, "broken");
}

// The last /Contents replaced by the CMS of the revision before: only that signature is wrong.
TEST_F(IndependentAgreement, AllRefuseACmsCopiedFromAnotherRevision) {
  const PdfFacts& f = pristine_facts();
  const SignedRevision& last = f.revisions.back();
  write_file(dir_ / "contract.pdf", with_contents(f.pdf, last, f.revisions[f.revisions.size() - 2].cms));

  const test::RunResult r = controle();
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_EQ(occurrences(r.out, "Verification successful"), 139u) << r.out;
  EXPECT_NE(r.out.find("handtekening 140: openssl cms -verify faalt"), std::string::npos) << r.out;

  const VerifyRun v = run_verify(dir_, demo().fingerprint);
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_EQ(v.verdict, "broken");
  EXPECT_EQ(v.valid, 139u);
}

}  // namespace
}  // namespace sto::tamper
