// The penvoerder's commands as a user runs them: init, open, invite, status, remind, revoke, demo.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "run.h"
#include "scratch.h"
#include "support.h"

namespace sto::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kSource = STO_SOURCE_DIR;
const std::string kKlein = kSource + "/samples/regio-klein-8.xml";

using Workflow = ScratchTest;

std::size_t files_in(const fs::path& dir) {
  if (!fs::exists(dir)) return 0;
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST_F(Workflow, InitMakesTheWholeWorkspace) {
  const std::string ws = (dir_ / "ws").string();
  const auto r = run_sto({"init", "--home", ws, "--base-url", "https://teken.example.nl/", "--listen", "0.0.0.0:8443"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"sto.conf", "geheim", "sto.db", "pki/ca.pem", "pki/tsa.pem"}) {
    EXPECT_TRUE(fs::exists(dir_ / "ws" / part)) << part;
  }
  struct stat st {};
  ASSERT_EQ(stat((dir_ / "ws/geheim").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(slurp(dir_ / "ws/geheim").size(), 65u);
  const std::string conf = slurp(dir_ / "ws/sto.conf");
  EXPECT_THAT(conf, HasSubstr("base_url = https://teken.example.nl\n"));
  EXPECT_THAT(conf, HasSubstr("listen = 0.0.0.0:8443\n"));
  EXPECT_THAT(conf, HasSubstr("database = sqlite:sto.db\n"));
  // A bad setting is refused, naming the line.
  spill(dir_ / "ws/sto.conf", conf + "link.days = nooit\n");
  const auto bad = run_sto({"status", "X", "--home", ws});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_THAT(bad.err, HasSubstr("sto.conf:"));
  EXPECT_THAT(bad.err, HasSubstr("link.days"));
}

TEST_F(Workflow, OpenInviteStatusRemindRevoke) {
  const std::string ws = (dir_ / "ws").string();
  ASSERT_EQ(run_sto({"init", "--home", ws}).exit_code, 0);
  // An invalid agreement is refused with its findings; nothing is opened.
  spill(dir_ / "bad.xml", slurp(kKlein).replace(slurp(kKlein).find("versie=\"1\""), 10, "versie=\"nul\""));
  const auto invalid = run_sto({"open", (dir_ / "bad.xml").string(), "--home", ws});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_THAT(invalid.out, HasSubstr("versie"));

  const auto opened = run_sto({"open", kKlein, "--home", ws});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_THAT(opened.out, HasSubstr("STO25-071-SOK versie 1 geopend: 9 tekenbevoegden"));
  EXPECT_THAT(run_sto({"open", kKlein, "--home", ws}).out, HasSubstr("was al geopend"));

  const auto invited = run_sto({"invite", "STO25-071-SOK", "--home", ws});
  ASSERT_EQ(invited.exit_code, 0) << invited.err;
  EXPECT_THAT(invited.out, HasSubstr("9 van 9 uitnodigingen verstuurd"));
  EXPECT_EQ(files_in(dir_ / "ws/postvak/new"), 9u);

  const auto status = run_sto({"status", "STO25-071-SOK", "--json", "--home", ws});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto json = Poco::JSON::Parser().parse(status.out).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(json->getValue<std::string>("state"), "open");
  EXPECT_EQ(json->getValue<int>("signed"), 0);
  const auto list = json->getArray("tekenbevoegden");
  ASSERT_EQ(list->size(), 9u);
  for (std::size_t i = 0; i < list->size(); ++i) {
    EXPECT_EQ(list->getObject(static_cast<unsigned>(i))->getValue<std::string>("state"), "invited");
  }
  EXPECT_EQ(json->getArray("partners")->size(), 8u);
  EXPECT_EQ(json->getValue<int>("audit_length"), 10);

  const auto text = run_sto({"status", "STO25-071-SOK", "--home", ws});
  EXPECT_THAT(text.out, HasSubstr("0 van 9 tekenbevoegden ondertekend"));
  EXPECT_THAT(text.out, HasSubstr("Gebonden partners: 0 van 8"));

  // Just invited: nobody is reminded within 24 h, unless forced.
  const auto early = run_sto({"remind", "STO25-071-SOK", "--home", ws});
  EXPECT_EQ(early.exit_code, 0) << early.err;
  EXPECT_THAT(early.out, HasSubstr("0 van 9 herinneringen verstuurd; 9 overgeslagen"));
  EXPECT_EQ(files_in(dir_ / "ws/postvak/new"), 9u);
  const auto reminded = run_sto({"remind", "STO25-071-SOK", "--force", "--home", ws});
  EXPECT_EQ(reminded.exit_code, 0) << reminded.err;
  EXPECT_THAT(reminded.out, HasSubstr("9 van 9 herinneringen verstuurd"));
  EXPECT_EQ(files_in(dir_ / "ws/postvak/new"), 18u);

  const auto revoked = run_sto({"revoke", "STO25-071-SOK", "--reden", "partner treedt toe", "--home", ws});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_THAT(run_sto({"status", "STO25-071-SOK", "--home", ws}).out, HasSubstr("(ingetrokken)"));
  // What the penvoerder asks is refused (exit 1), not an environment error.
  EXPECT_EQ(run_sto({"revoke", "STO25-071-SOK", "--home", ws}).exit_code, 1);
  const auto unknown = run_sto({"status", "ONBEKEND", "--home", ws});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("onbekend kenmerk"));
  EXPECT_EQ(run_sto({"invite", "--home", ws}).exit_code, 2);
}

// Issue 20: keys, links and personal data are the owner's alone, whatever umask sto runs under.
TEST_F(Workflow, TheWorkspaceIsItsOwnersOnlyWhateverTheUmask) {
  const ::mode_t before = ::umask(022);
  const fs::path ws = dir_ / "ws";
  ASSERT_EQ(run_sto({"init", "--home", ws.string()}).exit_code, 0);
  ASSERT_EQ(run_sto({"open", kKlein, "--home", ws.string()}).exit_code, 0);
  ASSERT_EQ(run_sto({"invite", "STO25-071-SOK", "--home", ws.string()}).exit_code, 0);
  ASSERT_EQ(run_sto({"export", "STO25-071-SOK", "--home", ws.string(), "-o", (ws / "archief").string()}).exit_code, 0);
  std::size_t checked = 0;
  const auto check = [&](const fs::path& path) {
    struct ::stat st {};
    ASSERT_EQ(::lstat(path.c_str(), &st), 0) << path;
    if (S_ISLNK(st.st_mode)) return;
    EXPECT_EQ(st.st_mode & 077, 0u) << path << " has mode " << std::oct << (st.st_mode & 0777);
    ++checked;
  };
  check(ws);
  for (const auto& entry : fs::recursive_directory_iterator(ws)) check(entry.path());
  EXPECT_GT(checked, 20u);
  EXPECT_TRUE(fs::exists(ws / "sto.db"));
  // A workspace an older sto left open to others is closed at the next command.
  fs::permissions(ws, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                          fs::perms::others_exec);
  ASSERT_EQ(run_sto({"status", "STO25-071-SOK", "--home", ws.string()}).exit_code, 0);
  check(ws);
  ::umask(before);
}

TEST_F(Workflow, InviteThroughAnSmtpServerThatIsNotThereFailsPerSignatory) {
  const std::string ws = (dir_ / "ws").string();
  ASSERT_EQ(run_sto({"init", "--home", ws}).exit_code, 0);
  spill(dir_ / "ws/sto.conf", slurp(dir_ / "ws/sto.conf") + "smtp.attempts = 1\nsmtp.backoff_ms = 0\n");
  ASSERT_EQ(run_sto({"open", kKlein, "--home", ws}).exit_code, 0);
  const auto r = run_sto({"invite", "STO25-071-SOK", "--home", ws, "--smtp", "127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("MISLUKT"));
  const auto status = run_sto({"status", "STO25-071-SOK", "--home", ws});
  EXPECT_THAT(status.out, HasSubstr("MAIL MISLUKT"));
  EXPECT_THAT(status.out, HasSubstr("nog niet uitgenodigd"));
}

TEST_F(Workflow, RemindOneTekenbevoegde) {
  const std::string ws = (dir_ / "ws").string();
  ASSERT_EQ(run_sto({"init", "--home", ws, "--penvoerder-email", "penvoerder@example.nl"}).exit_code, 0);
  EXPECT_THAT(slurp(dir_ / "ws/sto.conf"), HasSubstr("penvoerder.email = penvoerder@example.nl\n"));
  ASSERT_EQ(run_sto({"open", kKlein, "--home", ws}).exit_code, 0);
  ASSERT_EQ(run_sto({"invite", "STO25-071-SOK", "--home", ws}).exit_code, 0);
  ASSERT_EQ(files_in(dir_ / "ws/postvak/new"), 9u);
  // Invited a moment ago: skipped (not a failure), nothing sent.
  const auto early = run_sto({"remind", "STO25-071-SOK", "--tekenbevoegde", "s3", "--home", ws});
  EXPECT_EQ(early.exit_code, 0) << early.err;
  EXPECT_THAT(early.out, HasSubstr("overgeslagen  s3 <j.smeulders@scok.example.nl>"));
  EXPECT_THAT(early.out, HasSubstr("0 van 1 herinneringen verstuurd; 1 overgeslagen"));
  EXPECT_EQ(files_in(dir_ / "ws/postvak/new"), 9u);
  // Forced: that one only.
  const auto forced = run_sto({"remind", "STO25-071-SOK", "--tekenbevoegde", "s3", "--force", "--home", ws});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("verstuurd     s3 <j.smeulders@scok.example.nl>"));
  EXPECT_THAT(forced.out, HasSubstr("1 van 1 herinneringen verstuurd"));
  EXPECT_EQ(files_in(dir_ / "ws/postvak/new"), 10u);
  const auto status = run_sto({"status", "STO25-071-SOK", "--json", "--home", ws});
  const auto json = Poco::JSON::Parser().parse(status.out).extract<Poco::JSON::Object::Ptr>();
  const auto list = json->getArray("tekenbevoegden");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto o = list->getObject(static_cast<unsigned>(i));
    EXPECT_TRUE(o->has("invited")) << i;
    EXPECT_EQ(o->has("reminded"), o->getValue<std::string>("tekenbevoegde") == "s3") << i;
  }
  // Unknown, or nothing to remind of: refused (exit 1); a flag without its value is misuse.
  const auto unknown = run_sto({"remind", "STO25-071-SOK", "--tekenbevoegde", "s99", "--home", ws});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("s99"));
  EXPECT_EQ(run_sto({"remind", "STO25-071-SOK", "--home", ws, "--tekenbevoegde"}).exit_code, 2);
  EXPECT_EQ(run_sto({"invite", "STO25-071-SOK", "--force", "--home", ws}).exit_code, 2);
  // The text names the states in Dutch.
  EXPECT_THAT(run_sto({"status", "STO25-071-SOK", "--home", ws}).out, HasSubstr("  uitgenodigd  "));
}

TEST_F(Workflow, DemoSignsEverythingOverHttp) {
  const auto r = run_sto({"demo", "-o", (dir_ / "demo").string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("9 tekenbevoegden lazen de mail, volgden de link, lazen de PDF en ondertekenden"));
  const auto pdfsig = run_program({"/usr/bin/pdfsig", (dir_ / "demo/getekend.pdf").string()});
  std::size_t valid = 0;
  for (auto at = pdfsig.out.find("Signature is Valid."); at != std::string::npos;
       at = pdfsig.out.find("Signature is Valid.", at + 1)) {
    ++valid;
  }
  EXPECT_EQ(valid, 9u) << pdfsig.out;
  EXPECT_EQ(run_program({"/usr/bin/qpdf", "--check", (dir_ / "demo/getekend.pdf").string()}).exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "demo/audit.jsonl"));
  // The archive is exported and verified as intact; the same check from the command line agrees.
  EXPECT_THAT(r.out, HasSubstr("-> intact, 9 handtekeningen"));
  for (const char* file : {"agreement.xml", "contract.pdf", "audit.jsonl", "ca.pem", "tsa.pem", "bewijsdossier.pdf",
                           "manifest.json", "README.txt"}) {
    EXPECT_TRUE(fs::exists(dir_ / "demo/archief" / file)) << file;
  }
  const auto fingerprint = run_program(
      {"/usr/bin/openssl", "x509", "-in", (dir_ / "demo/pki/ca.pem").string(), "-noout", "-fingerprint", "-sha256"});
  const std::string fp = fingerprint.out.substr(fingerprint.out.find('=') + 1, 95);
  EXPECT_EQ(run_sto({"verify", (dir_ / "demo/archief").string(), "--ca-fingerprint", fp}).exit_code, 0);
  EXPECT_EQ(run_sto({"verify", (dir_ / "demo/archief").string()}).exit_code, 1);  // CA not confirmed
  // Never over an existing workspace.
  const auto again = run_sto({"demo", "-o", (dir_ / "demo").string()});
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_THAT(again.err, HasSubstr("niet leeg"));
}

TEST_F(Workflow, DemoOverARealSmtpServerKeepsACopyToFollowTheLinks) {
  const mail_test::SmtpSink sink({});
  const auto r =
      run_sto({"demo", "-o", (dir_ / "demo").string(), "--smtp", "127.0.0.1:" + std::to_string(sink.port())});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("(SMTP, kopie in"));
  // 9 invitations and 8 completion mails (one address signs for two partners), then for the
  // toetreding 3 invitations and 9 mails that it is in force (the 3 who signed it and the 6 other
  // addresses of the partners in force), each delivered to the SMTP server and kept in the pickup
  // directory.
  EXPECT_EQ(sink.messages().size(), 29u);
  EXPECT_EQ(files_in(dir_ / "demo/postvak/new"), 29u);
  const auto first = mail_test::read_message(sink.messages().front());
  EXPECT_THAT(first.subject, HasSubstr("STO25-071-SOK"));
  ASSERT_TRUE(first.plain.has_value());
  EXPECT_THAT(*first.plain, HasSubstr("/t/"));
}

}  // namespace
}  // namespace sto::test
