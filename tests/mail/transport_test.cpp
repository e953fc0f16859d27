// The two transports, against the real thing: a pickup directory on disk, and aiosmtpd
// (smtp_sink.py) on a loopback port with STARTTLS, AUTH and injected failures.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "sto/mail.h"
#include "support.h"

namespace sto {
namespace {

using namespace std::chrono_literals;
using mail_test::read_message;
using mail_test::SmtpSink;
using mail_test::TempDir;

const std::filesystem::path kTemplates = std::filesystem::path(STO_SOURCE_DIR) / "templates";
const std::string kLink = "https://sto.example.nl/t/q3J5x0V9Zr7mFh2LkPq_wTnYb8cXeA4sD6gUoIi1-0M";
const std::string kSubject = "Uitnodiging: café ’t Hoekje, Łódź";

Mail sample() {
  Mail m;
  m.from = {"STO-regio Gelderse IJssel", "noreply@sto.test"};
  m.to = {"Łukasz Ébène", "lukasz@example.nl"};
  m.subject = kSubject;
  m.text = "Uw link:\n\n" + kLink + "\n\n.\n..\nEinde\n";
  m.html = "<p><a href=\"" + kLink + "\">Open</a></p>\n";
  return m;
}

MailContext context() {
  MailContext c;
  c.regio = "Gelderse IJssel";
  c.kenmerk = "STO-2026-0042";
  c.versie = 3;
  c.document_sha256 = std::string(64, 'a');
  c.penvoerder = "Stichting Techniek Oost";
  c.partner = "Graafschap College";
  c.naam = "Anneke Ünal";
  c.functie = "bestuurder";
  c.link = kLink;
  c.verloopt = 1795701780;
  return c;
}

unsigned mode(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Runs `f`, which must throw MailError, and returns it.
template <typename F>
MailError error_of(F&& f) {
  try {
    f();
  } catch (const MailError& e) {
    return e;
  }
  ADD_FAILURE() << "no MailError";
  return MailError(MailError::Kind::permanent, -1, "none");
}

// --- pickup directory ---

TEST(MailPickup, WritesTheWholeMessageIntoNew) {
  TempDir dir;
  const auto pickup = dir.path() / "uit" / "mail";  // does not exist yet
  const Mail mail = invitation(kTemplates, {"STO", "noreply@sto.test"}, {"Anneke Ünal", "a@example.nl"}, context());
  const Delivery delivery = pickup_transport(pickup)->send(mail);

  EXPECT_EQ(mode(pickup), 0700u);
  EXPECT_EQ(mode(pickup / "tmp"), 0700u);
  EXPECT_EQ(mode(pickup / "new"), 0700u);
  EXPECT_TRUE(std::filesystem::is_empty(pickup / "tmp"));
  std::vector<std::filesystem::path> files(std::filesystem::directory_iterator(pickup / "new"), {});
  ASSERT_EQ(files.size(), 1u);
  const std::string name = files[0].filename().string();
  ASSERT_EQ(name.size(), 13u + 1 + 32 + 9 + 4) << name;  // <unix ms>.<id>.eml
  EXPECT_TRUE(std::all_of(name.begin(), name.begin() + 13, [](char c) { return c >= '0' && c <= '9'; })) << name;
  EXPECT_EQ(name.substr(13, 1), ".");
  EXPECT_TRUE(mail_test::is_lower_hex(name.substr(14, 32))) << name;
  EXPECT_EQ(name.substr(46), "@sto.test.eml");
  EXPECT_EQ(delivery.server_reply, "pickup " + name);
  EXPECT_NE(name.find(delivery.message_id), std::string::npos);
  EXPECT_EQ(mode(files[0]), 0600u);

  const auto read = read_message(files[0]);
  EXPECT_TRUE(read.defects.empty());
  EXPECT_EQ(read.subject, mail.subject);
  EXPECT_EQ(read.message_id, "<" + delivery.message_id + ">");
  EXPECT_EQ(read.plain, mail.text);
  EXPECT_NE(read.html->find("href=\"" + kLink + "\""), std::string::npos);
}

TEST(MailPickup, UnusableDirectoryIsAConfigurationError) {
  TempDir dir;
  std::ofstream(dir.path() / "bestand") << "x";
  const auto e = error_of([&] { pickup_transport(dir.path() / "bestand" / "mail"); });
  EXPECT_EQ(e.kind(), MailError::Kind::configuration);
  EXPECT_NE(std::string(e.what()).find("bestand"), std::string::npos) << e.what();
}

TEST(MailPickup, MalformedAddressIsPermanentAndWritesNothing) {
  TempDir dir;
  Mail mail = sample();
  mail.to.adres = "lukasz@example.nl\r\nBcc: spy@example.org";
  const auto e = error_of([&] { pickup_transport(dir.path())->send(mail); });
  EXPECT_EQ(e.kind(), MailError::Kind::permanent);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() / "new"));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() / "tmp"));
}

TEST(MailPickup, DirectoryRemovedAfterStartIsMadeAgain) {
  TempDir dir;
  auto pickup = pickup_transport(dir.path() / "mail");
  std::filesystem::remove_all(dir.path() / "mail");
  pickup->send(sample());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path() / "mail" / "new"), {}), 1);
}

// --- SMTP ---

class MailSmtp : public ::testing::Test {
 protected:
  void TearDown() override { sink_.reset(); }  // never leave a sink running

  SmtpSink& start(const std::vector<std::string>& options = {}) {
    sink_ = std::make_unique<SmtpSink>(options);
    return *sink_;
  }
  SmtpSettings settings() const {
    SmtpSettings s;
    s.port = sink_ ? sink_->port() : 25;
    s.timeout = 10s;
    s.attempts = 1;
    s.backoff = 10ms;
    return s;
  }
  // A certificate for the TLS sink; options for it.
  std::vector<std::string> tls_options() {
    cert_ = mail_test::make_certificate(certs_.path(), "sink");
    return {"--tls-cert", cert_.cert.string(), "--tls-key", cert_.key.string()};
  }
  // A sink offering STARTTLS and LOGIN for alice:geheim; settings that log in as alice with
  // `password` over STARTTLS, trusting the sink's certificate.
  SmtpSink& start_with_login() {
    auto options = tls_options();
    options.insert(options.end(), {"--auth", "alice:geheim"});
    return start(options);
  }
  SmtpSettings login_settings(const std::string& password) const {
    SmtpSettings s = settings();
    s.starttls = true;
    s.ca_file = cert_.cert.string();
    s.user = "alice";
    s.password = password;
    return s;
  }

  TempDir certs_;
  mail_test::Certificate cert_;
  std::unique_ptr<SmtpSink> sink_;
};

TEST_F(MailSmtp, DeliversAndReturnsTheQueuedReply) {
  auto& sink = start();
  const Delivery delivery = smtp_transport(settings())->send(sample());
  EXPECT_EQ(delivery.server_reply, "250 2.0.0 OK queued as Q000001");
  ASSERT_EQ(sink.messages().size(), 1u);
  EXPECT_EQ(sink.envelope(1),
            R"({"mail_from": "noreply@sto.test", "rcpt_tos": ["lukasz@example.nl"], "queue_id": "Q000001", )"
            R"("auth_login": null})");
  const auto read = read_message(sink.messages()[0]);
  EXPECT_TRUE(read.defects.empty());
  EXPECT_EQ(read.subject, kSubject);
  EXPECT_EQ(read.to_name, "Łukasz Ébène");
  EXPECT_EQ(read.message_id, "<" + delivery.message_id + ">");
  EXPECT_EQ(read.plain, sample().text);  // the "." and ".." lines too: dot-stuffing undone
  EXPECT_NE(read.html->find("href=\"" + kLink + "\""), std::string::npos);
}

TEST_F(MailSmtp, DeliversTheAttachmentByteForByte) {
  auto& sink = start();
  std::string pdf(300'000, '\0');
  std::mt19937 random(7);
  for (auto& c : pdf) c = static_cast<char>(random());
  const Mail mail = completion(kTemplates, {"STO", "noreply@sto.test"}, {"", "a@example.nl"}, context(),
                               {"STO-2026-0042-v3-getekend.pdf", "application/pdf", pdf});
  smtp_transport(settings())->send(mail);
  ASSERT_EQ(sink.messages().size(), 1u);
  const auto read = read_message(sink.messages()[0]);
  ASSERT_EQ(read.attachments.size(), 1u);
  EXPECT_EQ(read.attachments[0].filename, "STO-2026-0042-v3-getekend.pdf");
  EXPECT_EQ(read.attachments[0].bytes, pdf);
}

TEST_F(MailSmtp, DeliversOverStartTlsWithLogin) {
  auto& sink = start_with_login();
  const SmtpSettings s = login_settings("geheim");
  EXPECT_EQ(smtp_transport(s)->send(sample()).server_reply, "250 2.0.0 OK queued as Q000001");
  ASSERT_EQ(sink.messages().size(), 1u);
  EXPECT_NE(sink.envelope(1).find(R"("auth_login": "alice")"), std::string::npos);
  EXPECT_EQ(read_message(sink.messages()[0]).subject, kSubject);
}

TEST_F(MailSmtp, StartTlsRequiredButNotOfferedIsAConfigurationError) {
  auto& sink = start();  // plain text only
  SmtpSettings s = settings();
  s.starttls = true;
  s.attempts = 3;
  const auto e = error_of([&] { smtp_transport(s)->send(sample()); });
  EXPECT_EQ(e.kind(), MailError::Kind::configuration);
  EXPECT_NE(std::string(e.what()).find("STARTTLS"), std::string::npos) << e.what();
  EXPECT_TRUE(sink.messages().empty());  // never in plain text instead
}

TEST_F(MailSmtp, UntrustedCertificateIsAConfigurationError) {
  auto& sink = start(tls_options());
  SmtpSettings s = settings();
  s.starttls = true;
  s.ca_file = mail_test::make_certificate(certs_.path(), "other").cert.string();
  const auto e = error_of([&] { smtp_transport(s)->send(sample()); });
  EXPECT_EQ(e.kind(), MailError::Kind::configuration);
  EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos) << e.what();
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailSmtp, WrongPasswordIsAConfigurationError) {
  auto& sink = start_with_login();
  SmtpSettings s = login_settings("fout");
  s.attempts = 3;
  const auto e = error_of([&] { smtp_transport(s)->send(sample()); });
  EXPECT_EQ(e.kind(), MailError::Kind::configuration);
  EXPECT_EQ(e.code(), 535);
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailSmtp, LoginWithoutStartTlsIsRefusedBeforeConnecting) {
  auto& sink = start({"--auth", "alice:geheim"});  // would accept AUTH in plain text
  SmtpSettings s = settings();
  s.user = "alice";
  s.password = "geheim";
  const auto e = error_of([&] { smtp_transport(s)->send(sample()); });
  EXPECT_EQ(e.kind(), MailError::Kind::configuration);
  EXPECT_NE(std::string(e.what()).find("STARTTLS"), std::string::npos) << e.what();
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailSmtp, RetriesTemporaryFailuresThenDelivers) {
  auto& sink = start({"--tempfail-rcpt", "1", "--tempfail-data", "1"});  // 451, then 452, then OK
  SmtpSettings s = settings();
  s.attempts = 3;
  s.backoff = 50ms;
  const auto started = std::chrono::steady_clock::now();
  const Delivery delivery = smtp_transport(s)->send(sample());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);  // waited 50 ms, then 100 ms
  EXPECT_EQ(delivery.server_reply, "250 2.0.0 OK queued as Q000001");
  ASSERT_EQ(sink.messages().size(), 1u);
  EXPECT_EQ(read_message(sink.messages()[0]).message_id, "<" + delivery.message_id + ">");
}

TEST_F(MailSmtp, TemporaryFailureBeyondTheAttemptsIsTemporary) {
  auto& sink = start({"--tempfail-data", "5"});
  SmtpSettings s = settings();
  s.attempts = 2;
  const auto e = error_of([&] { smtp_transport(s)->send(sample()); });
  EXPECT_EQ(e.kind(), MailError::Kind::temporary);
  EXPECT_EQ(e.code(), 452);
  EXPECT_NE(std::string(e.what()).find("na 2 pogingen"), std::string::npos) << e.what();
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailSmtp, RejectedRecipientIsPermanentAndNotRetried) {
  auto& sink = start({"--reject", "lukasz@example.nl"});
  SmtpSettings s = settings();
  s.attempts = 3;
  s.backoff = 5s;
  const auto started = std::chrono::steady_clock::now();
  const auto e = error_of([&] { smtp_transport(s)->send(sample()); });
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);  // no backoff: no second attempt
  EXPECT_EQ(e.kind(), MailError::Kind::permanent);
  EXPECT_EQ(e.code(), 550);
  EXPECT_NE(std::string(e.what()).find("User unknown"), std::string::npos) << e.what();
  EXPECT_TRUE(sink.messages().empty());
}

TEST_F(MailSmtp, RefusedConnectionIsTemporary) {
  SmtpSettings s = settings();
  s.port = mail_test::closed_port();
  s.attempts = 2;
  const auto e = error_of([&] { smtp_transport(s)->send(sample()); });
  EXPECT_EQ(e.kind(), MailError::Kind::temporary);
  EXPECT_EQ(e.code(), 0);
  EXPECT_NE(std::string(e.what()).find("na 2 pogingen"), std::string::npos) << e.what();
}

TEST_F(MailSmtp, SendsFromSeveralThreadsAtOnce) {
  auto& sink = start();
  const auto transport = smtp_transport(settings());
  std::vector<std::string> replies(6);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    threads.emplace_back([&, i] { replies[i] = transport->send(sample()).server_reply; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(replies.begin(), replies.end()).size(), replies.size());
  EXPECT_EQ(sink.messages().size(), replies.size());
}

}  // namespace
}  // namespace sto
