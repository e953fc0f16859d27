// The signing workflow end to end in one process: a workspace on SQLite and on PostgreSQL, the
// page server on loopback, mail through the pickup directory, every act over real HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <fstream>
#include <set>

#include "harness.h"
#include "run.h"
#include "sample.h"
#include "scratch.h"
#include "sto/audit.h"
#include "sto/pades.h"
#include "support.h"

namespace sto::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Flow : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sto-flow-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    site_.reset();
    std::filesystem::remove_all(dir_);
  }
  Site& site(const std::map<std::string, std::string>& overrides = {}) {
    if (!site_) site_ = std::make_unique<Site>(dir_ / "ws", GetParam(), overrides);
    return *site_;
  }
  int revisions_on_disk(const std::string& kenmerk, int versie = 1) {
    return SignedContract::open(dir_ / "ws" / "contracten" / (kenmerk + "-v" + std::to_string(versie))).revisions();
  }
  std::vector<std::string> audit_lines(const std::string& kenmerk) {
    std::vector<std::string> lines;
    for (const auto& r : site().w().store().audit(kenmerk)) lines.push_back(jsonl_line(r));
    return lines;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Site> site_;
};

// One request written as is on a fresh connection; everything the server answers until it closes.
std::string exchange(const std::string& base_url, const std::string& request) {
  const Poco::URI base(base_url);
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress(base.getHost(), base.getPort()));
  socket.setReceiveTimeout(Poco::Timespan(5, 0));
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  std::string received;
  char buffer[4096];
  try {
    for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;)
      received.append(buffer, static_cast<std::size_t>(n));
  } catch (const Poco::TimeoutException&) {  // a kept-alive connection: what came is the answer
  }
  return received;
}

std::string form_post(const std::string& path, const std::string& body) {
  return "POST " + path +
         " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::vector<std::string> all_links(const std::map<std::string, std::vector<std::string>>& by_address) {
  std::vector<std::string> out;
  for (const auto& [address, links] : by_address) out.insert(out.end(), links.begin(), links.end());
  return out;
}

TEST_P(Flow, EverySignatoryGetsOneMailWithOneWorkingLink) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto mails_before = pickup_mails(s.pickup()).size();
  EXPECT_EQ(mails_before, 0u);
  const auto links = s.invite(kenmerk);
  const auto mails = pickup_mails(s.pickup());
  const Status st = s.w().status(kenmerk);
  ASSERT_EQ(mails.size(), st.signatories.size());
  for (const ReceivedMail& m : mails) {
    const auto found = links_in(m, s.base_url());
    ASSERT_EQ(found.size(), 1u) << m.text;
    EXPECT_THAT(m.subject, HasSubstr(kenmerk));
    EXPECT_THAT(m.html, HasSubstr(token_of(found[0])));
  }
  for (const SignatoryRecord& r : st.signatories) {
    EXPECT_EQ(r.state, SignatoryState::invited) << r.tekenbevoegde;
    EXPECT_TRUE(links.contains(r.email)) << r.email;
  }
  // Invite again: nobody is pending, so no mail goes out.
  EXPECT_TRUE(s.w().invite(kenmerk).empty());
  EXPECT_EQ(pickup_mails(s.pickup()).size(), mails.size());
}

TEST_P(Flow, SignAndDeclineShowInStatusAndTheAuditChain) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  auto links = all_links(s.invite(kenmerk));
  ASSERT_EQ(links.size(), 9u);
  const std::string decliner = links.back();
  links.pop_back();
  for (const auto& link : links) {
    const Http r = s.sign(link);
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_EQ(r.headers.at("location"), link.substr(s.base_url().size()));
  }
  const std::string path = decliner.substr(s.base_url().size());
  const Http page = http(s.base_url(), "GET", path);
  const Http declined = http(s.base_url(), "POST", path + "/weiger",
                             {{"csrf", csrf_of(page.body)}, {"reden", "Ons bestuur beslist pas in januari."}});
  EXPECT_EQ(declined.status, 303);
  const Http receipt = http(s.base_url(), "GET", path);
  EXPECT_THAT(receipt.body, HasSubstr("Niet ondertekend"));
  EXPECT_THAT(receipt.body, HasSubstr("Ons bestuur beslist pas in januari."));

  const Status st = s.w().status(kenmerk);
  EXPECT_EQ(st.signed_count, 8u);
  EXPECT_EQ(st.version.state, VersionState::open);
  EXPECT_EQ(st.effective_ms, 0);
  std::size_t declined_count = 0;
  for (const auto& r : st.signatories) {
    if (r.state == SignatoryState::declined) {
      ++declined_count;
      EXPECT_EQ(r.reason, "Ons bestuur beslist pas in januari.");
    }
  }
  EXPECT_EQ(declined_count, 1u);
  std::size_t unbound = 0;
  for (const auto& p : st.partners) unbound += p.bound ? 0 : 1;
  EXPECT_EQ(unbound, 1u);
  EXPECT_EQ(revisions_on_disk(kenmerk), 8);

  // The chain is whole, and every signed event names a revision that is in the PDF.
  const auto lines = audit_lines(kenmerk);
  std::string head;
  EXPECT_THAT(verify_chain(lines, head), ::testing::IsEmpty());
  EXPECT_EQ(head, st.audit_head);
  const std::string pdf = s.w().signed_pdf(kenmerk);
  int signed_events = 0;
  for (const auto& line : lines) {
    const AuditEntry e = parse_flat_json(line);
    if (std::get<std::string>(e.at("event")) != "signed") continue;
    ++signed_events;
    const auto revision = std::get<std::int64_t>(e.at("revision"));
    EXPECT_GE(revision, 1);
    EXPECT_LE(revision, 8);
    EXPECT_EQ(std::get<std::string>(e.at("ip")), "127.0.0.1");
  }
  EXPECT_EQ(signed_events, 8);
  const std::string verdict = s.pdfsig(pdf);
  EXPECT_EQ(count(verdict, "Signature is Valid."), 8u) << verdict;
  EXPECT_EQ(count(verdict, "Certificate is Trusted."), 8u);
  // Nobody is mailed a completion: not everyone signed.
  for (const auto& m : pickup_mails(s.pickup())) EXPECT_TRUE(m.attachments.empty());
}

TEST_P(Flow, TheLastSignatureCompletesAndMailsEveryoneTheSignedPdf) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  for (const auto& link : links) ASSERT_EQ(s.sign(link).status, 303);
  s.w().flush_mail();
  const Status st = s.w().status(kenmerk);
  EXPECT_EQ(st.version.state, VersionState::completed);
  EXPECT_GT(st.effective_ms, 0);
  for (const auto& p : st.partners) EXPECT_TRUE(p.bound) << p.partner;
  const std::string pdf = s.w().signed_pdf(kenmerk);
  std::size_t completion = 0;
  for (const auto& m : pickup_mails(s.pickup())) {
    if (m.attachments.empty()) continue;
    ++completion;
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].second, pdf) << "the attachment is the signed contract, byte for byte";
    EXPECT_THAT(m.text, HasSubstr(s.w().ca_fingerprint()));
  }
  // One per address: Françoise IJzerman signs for two partners and gets one.
  std::set<std::string> addresses;
  for (const auto& r : st.signatories) addresses.insert(r.email);
  EXPECT_EQ(addresses.size(), st.signatories.size() - 1);
  EXPECT_EQ(completion, addresses.size());
  const std::string verdict = s.pdfsig(pdf);
  EXPECT_EQ(count(verdict, "Signature is Valid."), 9u) << verdict;
  EXPECT_EQ(count(verdict, "Total document signed"), 1u);
  const auto lines = audit_lines(kenmerk);
  EXPECT_THAT(lines.back(), HasSubstr("\"event\":\"completed\""));
}

TEST_P(Flow, ACompletionMailThatCannotBeMadeLeavesTheServerRunning) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  for (std::size_t i = 0; i + 1 < links.size(); ++i) ASSERT_EQ(s.sign(links[i]).status, 303);
  // The contract's first revision goes missing before the last signature: the signing act works
  // from what it already read, the completion mail cannot be made.
  const auto first = dir_ / "ws" / "contracten" / (kenmerk + "-v1") / "0000.pdf";
  const std::string kept = read_file(first.string());
  std::filesystem::remove(first);
  const auto mails = pickup_mails(s.pickup()).size();
  ASSERT_EQ(s.sign(links.back()).status, 303);
  s.w().flush_mail();
  EXPECT_EQ(pickup_mails(s.pickup()).size(), mails);
  EXPECT_EQ(http(s.base_url(), "GET", "/").status, 200) << "the server still runs";
  EXPECT_EQ(s.w().status(kenmerk).version.state, VersionState::completed);
  // The mails wait in the outbox (issue 20), shown in status, and go out once they can be made.
  const Status waiting = s.w().status(kenmerk);
  ASSERT_EQ(waiting.unsent.size(), 8u);  // one per address
  for (const UnsentMail& m : waiting.unsent) {
    EXPECT_EQ(m.what, "afrondingsmail");
    EXPECT_EQ(m.attempts, 1);
    EXPECT_GT(m.next_ms, 0);
    EXPECT_THAT(m.error, HasSubstr("0000.pdf"));
  }
  EXPECT_THAT(status_json(waiting), HasSubstr("\"unsent_mail\": ["));
  EXPECT_TRUE(waiting.contract_sha256.empty()) << "no hash of a contract that cannot be read";
  std::ofstream(first, std::ios::binary) << kept;
  EXPECT_EQ(s.w().status(kenmerk).contract_sha256.size(), 64u) << "read again once it is back";
  EXPECT_EQ(s.w().deliver_outbox(), 0u) << "not before its next try";
  const std::time_t later = std::time(nullptr) + 120;
  s.w().set_clock([later] { return later; });
  EXPECT_EQ(s.w().deliver_outbox(), 8u);
  EXPECT_TRUE(s.w().status(kenmerk).unsent.empty());
  std::size_t completion = 0;
  for (const auto& m : pickup_mails(s.pickup())) completion += m.attachments.empty() ? 0 : 1;
  EXPECT_EQ(completion, 8u);
  EXPECT_EQ(s.w().deliver_outbox(), 0u) << "each once";
}

TEST_P(Flow, ServesHttpsWhenGivenACertificate) {
  const auto certificate = mail_test::make_certificate(dir_, "server");
  Site& s = site({{"tls.certificate", certificate.cert.string()}, {"tls.key", certificate.key.string()}});
  ASSERT_TRUE(s.base_url().starts_with("https://127.0.0.1:")) << s.base_url();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  ASSERT_FALSE(links.empty());
  EXPECT_TRUE(links[0].starts_with("https://")) << links[0];
  EXPECT_EQ(s.sign(links[0]).status, 303);
  EXPECT_EQ(revisions_on_disk(kenmerk), 1);
  // Browsers are told to come back over https only (issue 20), on pages and redirects alike.
  EXPECT_EQ(http(s.base_url(), "GET", "/").headers["strict-transport-security"], "max-age=31536000");
  EXPECT_EQ(http(s.base_url(), "GET", "/beheer/").headers["strict-transport-security"], "max-age=31536000");
  // Plain HTTP on the TLS port gets no page.
  std::string plain = s.base_url();
  plain.replace(0, 5, "http");
  int status = 0;
  try {
    status = http(plain, "GET", "/").status;
  } catch (const Poco::Exception&) {
    status = -1;
  }
  EXPECT_NE(status, 200);
}

TEST_P(Flow, DeadLinksSignNothing) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  // Guessed: well-formed but unknown, and malformed.
  for (const std::string guess : {"/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/t/abc", "/t/..%2f..%2fetc"}) {
    EXPECT_EQ(http(s.base_url(), "GET", guess).status, 404) << guess;
    EXPECT_NE(
        http(s.base_url(), "POST", guess + "/onderteken", {{"csrf", "x"}, {"bevestig", "ja"}, {"naam", "x"}}).status,
        303);
  }
  // Used: signing twice signs once; declining afterwards changes nothing.
  ASSERT_EQ(s.sign(links[0]).status, 303);
  const std::string used = links[0].substr(s.base_url().size());
  const Http receipt = http(s.base_url(), "GET", used);
  const std::string csrf = csrf_of(http(s.base_url(), "GET", links[1].substr(s.base_url().size())).body);
  EXPECT_THAT(receipt.body, HasSubstr("id=ontvangst"));
  EXPECT_EQ(http(s.base_url(), "POST", used + "/weiger",
                 {{"csrf", s.w().mac("csrf", token_hash(token_of(links[0])))}, {"reden", "toch niet"}})
                .status,
            303);
  EXPECT_EQ(http(s.base_url(), "POST", used + "/onderteken",
                 {{"csrf", s.w().mac("csrf", token_hash(token_of(links[0])))}, {"bevestig", "ja"}, {"naam", "x"}})
                .status,
            303);
  EXPECT_EQ(revisions_on_disk(kenmerk), 1);
  EXPECT_THAT(http(s.base_url(), "GET", used).body, HasSubstr("Ondertekend"));

  // Expired: the clock 31 days on.
  const std::time_t later = std::time(nullptr) + 31 * 86400;
  s.w().set_clock([later] { return later; });
  const std::string expired = links[1].substr(s.base_url().size());
  const Http gone = http(s.base_url(), "GET", expired);
  EXPECT_EQ(gone.status, 410);
  EXPECT_THAT(gone.body, HasSubstr("verlopen"));
  EXPECT_EQ(
      http(s.base_url(), "POST", expired + "/onderteken", {{"csrf", csrf}, {"bevestig", "ja"}, {"naam", "x"}}).status,
      303);
  EXPECT_EQ(revisions_on_disk(kenmerk), 1);
  s.w().set_clock([] { return std::time(nullptr); });

  // Revoked: sto revoke, then every open link says so and signs nothing.
  s.w().revoke(kenmerk, "partner treedt toe");
  const std::string revoked = links[3].substr(s.base_url().size());
  const Http r = http(s.base_url(), "GET", revoked);
  EXPECT_EQ(r.status, 410);
  EXPECT_THAT(r.body, HasSubstr("ingetrokken"));
  EXPECT_EQ(http(s.base_url(), "POST", revoked + "/onderteken",
                 {{"csrf", s.w().mac("csrf", token_hash(token_of(links[3])))}, {"bevestig", "ja"}, {"naam", "x"}})
                .status,
            303);
  EXPECT_EQ(revisions_on_disk(kenmerk), 1);
  // The signature made before the revocation stands.
  EXPECT_THAT(http(s.base_url(), "GET", used).body, HasSubstr("Ondertekend"));
}

// Issue 20: write access to the database alone lets nobody sign. Rows are written with SQL
// behind sto's back, and the right CSRF field is sent, so that only the seal stands in the way.
TEST_P(Flow, RowsWrittenIntoTheDatabaseByHandLetNobodySign) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  const auto version = s.w().store().latest_version(kenmerk);
  const auto signatories = s.w().store().signatories(version->id);
  const auto sign_with = [&](const std::string& token) {
    return http(s.base_url(), "POST", "/t/" + token + "/onderteken",
                {{"csrf", s.w().mac("csrf", token_hash(token))}, {"bevestig", "ja"}, {"naam", signatories[2].naam}});
  };
  const auto signed_count = [&] {
    int n = 0;
    for (const auto& r : s.w().store().signatories(version->id)) n += r.state == SignatoryState::signed_ ? 1 : 0;
    return n;
  };

  // A token of one's own choosing for an invited tekenbevoegde, as the workflow would write it.
  const std::string chosen = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
  execute_sql(s.database(),
              "INSERT INTO token (hash, signatory_id, document_sha256, created_ms, expires_ms, used_ms) "
              "VALUES ('" +
                  token_hash(chosen) + "', " + std::to_string(signatories[2].id) + ", '" + version->document_sha256 +
                  "', 0, 4000000000000, 0)");
  EXPECT_EQ(http(s.base_url(), "GET", "/t/" + chosen).status, 404);
  EXPECT_EQ(sign_with(chosen).status, 404);
  // With the seal of a real link copied onto it.
  const std::string real = token_of(links[0]);
  execute_sql(s.database(), "UPDATE token SET seal = (SELECT seal FROM token WHERE hash = '" + token_hash(real) +
                                "') WHERE hash = '" + token_hash(chosen) + "'");
  EXPECT_EQ(sign_with(chosen).status, 404);
  // A real link moved to another tekenbevoegde: its holder cannot act as that one.
  const std::string moved = token_of(links[1]);
  execute_sql(s.database(), "UPDATE token SET signatory_id = " + std::to_string(signatories[2].id) + " WHERE hash = '" +
                                token_hash(moved) + "'");
  EXPECT_EQ(http(s.base_url(), "GET", "/t/" + moved).status, 404);
  EXPECT_EQ(sign_with(moved).status, 404);
  EXPECT_EQ(signed_count(), 0);
  EXPECT_EQ(revisions_on_disk(kenmerk), 0);

  // The version's record changed (another agreement text, another contract): nothing is signed
  // on it, by any link, until it is put back.
  execute_sql(s.database(), "UPDATE version SET xml_sha256 = '" + std::string(64, '0') +
                                "' WHERE id = " + std::to_string(version->id));
  const std::string genuine = token_of(links[3]);
  const auto genuine_signatory = s.w().store().link(token_hash(genuine))->signatory;
  EXPECT_EQ(
      http(s.base_url(), "POST", "/t/" + genuine + "/onderteken",
           {{"csrf", s.w().mac("csrf", token_hash(genuine))}, {"bevestig", "ja"}, {"naam", genuine_signatory.naam}})
          .status,
      404);
  EXPECT_EQ(signed_count(), 0);
  EXPECT_EQ(revisions_on_disk(kenmerk), 0);
  execute_sql(s.database(), "UPDATE version SET xml_sha256 = '" + version->xml_sha256 +
                                "' WHERE id = " + std::to_string(version->id));
  // The genuine links still work, and the audit chain shows no act by the forged ones.
  EXPECT_EQ(s.sign(links[3]).status, 303);
  EXPECT_EQ(signed_count(), 1);
  for (const std::string& line : audit_lines(kenmerk)) {
    if (line.find("\"signed\"") != std::string::npos) {
      EXPECT_THAT(line, HasSubstr(genuine_signatory.tekenbevoegde));
    }
  }

  // A request's address changed to one's own: a reminder mails no link there, and the request's
  // own link no longer opens.
  const std::string redirected_link = token_of(links[4]);
  const auto redirected = s.w().store().link(token_hash(redirected_link))->signatory;
  execute_sql(s.database(),
              "UPDATE signatory SET email = 'dief@example.org', reminded_ms = 0, invited_ms = 1 "
              "WHERE id = " +
                  std::to_string(redirected.id));
  RemindOptions force;
  force.tekenbevoegde = redirected.tekenbevoegde;
  force.force = true;
  const auto outcomes = s.w().remind(kenmerk, force);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_FALSE(outcomes[0].sent);
  EXPECT_THAT(outcomes[0].detail, HasSubstr("zegel"));
  for (const auto& m : pickup_mails(s.pickup())) EXPECT_EQ(m.to.find("dief@"), std::string::npos) << m.to;
  EXPECT_EQ(http(s.base_url(), "GET", "/t/" + redirected_link).status, 404);

  // A version's count of signatures lowered: the next act sets the last revision aside, never
  // deletes it; lowered by more, nothing is moved and nothing signs.
  execute_sql(s.database(), "UPDATE version SET revisions = 0 WHERE id = " + std::to_string(version->id));
  EXPECT_EQ(s.sign(links[5]).status, 303);
  const auto aside = dir_ / "ws" / "contracten" / (kenmerk + "-v1") / "verworpen";
  EXPECT_TRUE(std::filesystem::exists(aside / "0001.rev")) << "set aside, not deleted";
  EXPECT_EQ(revisions_on_disk(kenmerk), 1);
  EXPECT_EQ(s.sign(links[6]).status, 303);
  EXPECT_EQ(revisions_on_disk(kenmerk), 2);
  execute_sql(s.database(), "UPDATE version SET revisions = 0 WHERE id = " + std::to_string(version->id));
  EXPECT_NE(s.sign(links[7]).status, 303);
  EXPECT_EQ(revisions_on_disk(kenmerk), 2) << "nothing thrown away on the record's word";
}

// A workspace from before the seals (its rows without one, no `verzegeld` file) is sealed once,
// at its first opening by this version; after that a row without a seal stays dead.
TEST_P(Flow, AWorkspaceFromBeforeTheSealsIsSealedOnceAtItsFirstOpening) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  for (const char* table : {"token", "signatory", "version"}) {
    execute_sql(s.database(), std::string("UPDATE ") + table + " SET seal = ''");
  }
  EXPECT_EQ(http(s.base_url(), "GET", links[0].substr(s.base_url().size())).status, 404);
  const auto ws = dir_ / "ws";
  ASSERT_TRUE(std::filesystem::exists(ws / "verzegeld"));
  const auto status = [&] {
    return run_program({STO_BINARY, "status", kenmerk, "--home", ws.string(), "--database", s.database()});
  };
  // With the file there, opening seals nothing.
  EXPECT_EQ(status().exit_code, 0);
  EXPECT_EQ(http(s.base_url(), "GET", links[0].substr(s.base_url().size())).status, 404);
  // Without it (a workspace of an older sto), the first opening seals what is there.
  std::filesystem::remove(ws / "verzegeld");
  EXPECT_EQ(status().exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(ws / "verzegeld"));
  EXPECT_EQ(http(s.base_url(), "GET", links[0].substr(s.base_url().size())).status, 200);
  EXPECT_EQ(s.sign(links[0]).status, 303);
  // A row written afterwards without a seal is not sealed by the next opening.
  execute_sql(s.database(), "UPDATE token SET seal = '' WHERE hash = '" + token_hash(token_of(links[1])) + "'");
  EXPECT_EQ(status().exit_code, 0);
  EXPECT_EQ(http(s.base_url(), "GET", links[1].substr(s.base_url().size())).status, 404);
}

TEST_P(Flow, APostWithoutTheRightCsrfFieldIsRefused) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  const std::string path = links[0].substr(s.base_url().size());
  const Http page = http(s.base_url(), "GET", path);
  const std::string naam = typed_name_of(page.body);
  const std::string other_csrf = s.w().mac("csrf", token_hash(token_of(links[1])));
  EXPECT_EQ(http(s.base_url(), "POST", path + "/onderteken", {{"bevestig", "ja"}, {"naam", naam}}).status, 403);
  // One hex digit changed (to another digit: a field already starting with '0' would stay valid).
  std::string altered = csrf_of(page.body);
  altered[0] = altered[0] == '0' ? '1' : '0';
  EXPECT_EQ(
      http(s.base_url(), "POST", path + "/onderteken", {{"csrf", altered}, {"bevestig", "ja"}, {"naam", naam}}).status,
      403);
  EXPECT_EQ(http(s.base_url(), "POST", path + "/onderteken", {{"csrf", other_csrf}, {"bevestig", "ja"}, {"naam", naam}})
                .status,
            403);
  EXPECT_EQ(http(s.base_url(), "POST", path + "/onderteken",
                 {{"csrf", csrf_of(page.body)}, {"bevestig", "ja"}, {"naam", naam}}, {{"Sec-Fetch-Site", "cross-site"}})
                .status,
            403);
  EXPECT_EQ(http(s.base_url(), "POST", path + "/weiger", {{"reden", "nee"}}).status, 403);
  // A form posted as multipart, or too large, is refused unread.
  // The server answers 413 and closes without reading the body; the client may see the answer
  // or, still sending, a reset connection. Either way nothing is signed.
  int too_large = 0;
  try {
    too_large = http(s.base_url(), "POST", path + "/onderteken",
                     {{"csrf", csrf_of(page.body)}, {"bevestig", "ja"}, {"naam", std::string(9000, 'x')}})
                    .status;
  } catch (const Poco::IOException&) {
    too_large = -1;
  }
  EXPECT_TRUE(too_large == 413 || too_large == -1) << too_large;
  EXPECT_EQ(revisions_on_disk(kenmerk), 0);
  // The right form signs.
  EXPECT_EQ(s.sign(links[0]).status, 303);
  EXPECT_EQ(revisions_on_disk(kenmerk), 1);
}

TEST_P(Flow, AWrongNameOrNoConfirmationIsShownAndSignsNothing) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  const std::string path = links[0].substr(s.base_url().size());
  const Http page = http(s.base_url(), "GET", path);
  const std::string csrf = csrf_of(page.body);
  const std::string naam = typed_name_of(page.body);
  const Http wrong =
      http(s.base_url(), "POST", path + "/onderteken", {{"csrf", csrf}, {"bevestig", "ja"}, {"naam", "Jan Jansen"}});
  EXPECT_EQ(wrong.status, 422);
  EXPECT_THAT(wrong.body, HasSubstr("id=fout"));
  const Http unconfirmed = http(s.base_url(), "POST", path + "/onderteken", {{"csrf", csrf}, {"naam", naam}});
  EXPECT_EQ(unconfirmed.status, 422);
  const Http no_reason = http(s.base_url(), "POST", path + "/weiger", {{"csrf", csrf}, {"reden", "   "}});
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_EQ(revisions_on_disk(kenmerk), 0);
  // Case and spacing do not matter.
  std::string loose = "  " + naam + "  ";
  for (char& c : loose) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(
      http(s.base_url(), "POST", path + "/onderteken", {{"csrf", csrf}, {"bevestig", "ja"}, {"naam", loose}}).status,
      303);
  EXPECT_EQ(revisions_on_disk(kenmerk), 1);
}

TEST_P(Flow, TokensStayOutOfLogsRefererAndStorage) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  for (std::size_t i = 0; i < 3; ++i) ASSERT_EQ(s.sign(links[i]).status, 303);
  const Http pdf = http(s.base_url(), "GET", links[4].substr(s.base_url().size()) + "/pdf");
  EXPECT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.headers.at("content-type"), "application/pdf");
  EXPECT_EQ(pdf.body, read_file((dir_ / "ws" / "contracten" / (kenmerk + "-v1") / "0000.pdf").string()));
  const Http page = http(s.base_url(), "GET", links[5].substr(s.base_url().size()));
  for (const Http* r : {&page, &pdf}) {
    EXPECT_EQ(r->headers.at("referrer-policy"), "no-referrer");
    EXPECT_EQ(r->headers.at("cache-control"), "no-store");
    EXPECT_THAT(r->headers.at("content-security-policy"), HasSubstr("default-src 'none'"));
    EXPECT_THAT(r->headers.at("content-security-policy"), HasSubstr("frame-ancestors 'none'"));
  }
  EXPECT_THAT(page.body, HasSubstr("<meta name=referrer content=no-referrer>"));
  const std::string log = s.access_log();
  EXPECT_THAT(log, HasSubstr("POST /t/…/onderteken 303"));
  std::string audit;
  for (const auto& line : audit_lines(kenmerk)) audit += line + "\n";
  std::string database;
  if (GetParam() == Backend::sqlite) {
    database = read_file((dir_ / "ws" / "test.db").string());
    if (std::filesystem::exists(dir_ / "ws" / "test.db-wal"))
      database += read_file((dir_ / "ws" / "test.db-wal").string());
  }
  for (const auto& link : links) {
    const std::string token = token_of(link);
    EXPECT_THAT(log, Not(HasSubstr(token)));
    EXPECT_THAT(audit, Not(HasSubstr(token)));
    EXPECT_THAT(database, Not(HasSubstr(token)));
  }
  if (GetParam() == Backend::sqlite) {
    EXPECT_THAT(database, HasSubstr(token_hash(token_of(links[0]))));
  }
}

TEST_P(Flow, RepeatedUnknownLinksFromOneAddressAreThrottled) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  for (int i = 0; i < 21; ++i) {
    std::string guess(43, 'A');
    guess[static_cast<std::size_t>(i)] = 'B';
    EXPECT_EQ(http(s.base_url(), "GET", "/t/" + guess).status, 404);
  }
  EXPECT_EQ(http(s.base_url(), "GET", "/t/" + std::string(43, 'C')).status, 429);
  // A link that exists is still answered: a scanner mangling links on a shared address (a NAT, a
  // proxy) must not lock the signatories out.
  EXPECT_EQ(http(s.base_url(), "GET", links[0].substr(s.base_url().size())).status, 200);
}

TEST_P(Flow, TheServerGivesNothingAwayToOddRequests) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  const std::string path = links[0].substr(s.base_url().size());
  const Poco::URI base(s.base_url());

  // A body nobody reads is not parsed as a second request: the connection is closed after one
  // answer (else a proxy reusing connections would hand the smuggled answer to the next user).
  {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress(base.getHost(), base.getPort()));
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string request =
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled;
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    std::string received;
    char buffer[4096];
    for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;)
      received.append(buffer, static_cast<std::size_t>(n));
    EXPECT_EQ(count(received, "HTTP/1.1 "), 1u) << received;
  }

  // HEAD is not a view and not a download.
  EXPECT_EQ(http(s.base_url(), "HEAD", path).status, 405);
  EXPECT_EQ(http(s.base_url(), "HEAD", path + "/pdf").status, 405);
  for (const auto& r : s.w().status(kenmerk).signatories) EXPECT_EQ(r.state, SignatoryState::invited);
  for (const auto& line : audit_lines(kenmerk)) {
    EXPECT_THAT(line, Not(HasSubstr("\"event\":\"viewed\""))) << line;
    EXPECT_THAT(line, Not(HasSubstr("\"event\":\"pdf-downloaded\""))) << line;
  }

  // A percent-encoded line break cannot forge an access-log line.
  http(s.base_url(), "GET", "/t/x/%0a10.9.9.9%20POST%20/t/%E2%80%A6/onderteken%20303%201.0ms");
  EXPECT_THAT(s.access_log(), Not(HasSubstr("10.9.9.9")));

  // A User-Agent that is not UTF-8 is logged as far as it is, and the page works.
  const Http odd = http(s.base_url(), "GET", path, {}, {{"User-Agent", "Mozilla \xe9t\xe9 \x01"}});
  EXPECT_EQ(odd.status, 200);
  EXPECT_THAT(audit_lines(kenmerk).back(), HasSubstr("\"user_agent\":\"Mozilla ?t? ?\""));

  // Two downloads, one pdf-downloaded entry.
  EXPECT_EQ(http(s.base_url(), "GET", path + "/pdf").status, 200);
  EXPECT_EQ(http(s.base_url(), "GET", path + "/pdf").status, 200);
  std::size_t downloads = 0;
  for (const auto& line : audit_lines(kenmerk)) downloads += count(line, "\"event\":\"pdf-downloaded\"");
  EXPECT_EQ(downloads, 1u);
}

// Issue 20: what no browser sends (a bad %-escape, bytes that are not UTF-8) is a 400 with the
// page's error, never a 500, and changes nothing; a method with control characters reaches the
// access log escaped.
TEST_P(Flow, MalformedFormsAnswer400AndChangeNothing) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  const std::string token = token_of(links[0]);
  const std::string csrf = s.w().mac("csrf", token_hash(token));
  for (const auto& [sub, body] : std::vector<std::pair<std::string, std::string>>{
           {"/weiger", "csrf=" + csrf + "&reden=%ZZ"},
           {"/weiger", "csrf=" + csrf + "&reden=%FF%FEniet"},
           {"/weiger", "csrf=" + csrf + "&reden=caf%C3"},
           {"/onderteken", "csrf=" + csrf + "&bevestig=ja&naam=%ZZ"},
           {"/onderteken", "csrf=" + csrf + "&bevestig=ja&naam=%C0%AF"},
       }) {
    const std::string answer = exchange(s.base_url(), form_post("/t/" + token + sub, body));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400 ")) << body << "\n" << answer.substr(0, 200);
    EXPECT_THAT(answer, HasSubstr("Ongeldig formulier")) << body;
  }
  for (const auto& r : s.w().status(kenmerk).signatories) EXPECT_EQ(r.state, SignatoryState::invited);
  EXPECT_EQ(revisions_on_disk(kenmerk), 0);
  // The same link still signs.
  EXPECT_EQ(s.sign(links[0]).status, 303);

  const std::string odd =
      exchange(s.base_url(), "G\x1b[2J\x1b[31mET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(odd.starts_with("HTTP/1.1 ")) << odd.substr(0, 100);
  const std::string log = s.access_log();
  EXPECT_EQ(log.find('\x1b'), std::string::npos) << log;
  EXPECT_THAT(log, HasSubstr("127.0.0.1 G\\x1B[2J\\x1B[31mET "));
  // No HSTS over plain http.
  EXPECT_FALSE(http(s.base_url(), "GET", "/").headers.contains("strict-transport-security"));
}

// Issue 20: a decline reason is the signatory's own text; `sto status` shows it on one line, with
// what a terminal would act on escaped.
TEST_P(Flow, StatusPrintsTextFromOutsideEscaped) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  const std::string token = token_of(links[0]);
  const std::string reason =
      "nee\n  ondertekend           2026-01-01 10:00:00  Nep BV \xe2\x80\x94 A. Nep (directeur)\x1b[2J\x1b]0;x\x07 "
      "\xe2\x80\xae"
      "esrever";
  ASSERT_EQ(http(s.base_url(), "POST", "/t/" + token + "/weiger",
                 {{"csrf", s.w().mac("csrf", token_hash(token))}, {"reden", reason}})
                .status,
            303);
  const auto r =
      run_program({STO_BINARY, "status", kenmerk, "--home", (dir_ / "ws").string(), "--database", s.database()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char control : {'\x1b', '\x07'}) EXPECT_EQ(r.out.find(control), std::string::npos);
  EXPECT_EQ(r.out.find("\xe2\x80\xae"), std::string::npos);
  EXPECT_THAT(r.out, HasSubstr("reden: nee\\x0A  ondertekend"));
  EXPECT_THAT(r.out, HasSubstr("\\x1B[2J\\x1B]0;x\\x07 \\u{202E}esrever"));
  EXPECT_EQ(count(r.out, "Nep BV"), 1u);
  EXPECT_EQ(r.out.find("\n  ondertekend           2026"), std::string::npos) << r.out;
  // The record keeps what was typed.
  std::size_t kept = 0;
  for (const auto& x : s.w().status(kenmerk).signatories) kept += x.reason == reason ? 1 : 0;
  EXPECT_EQ(kept, 1u);
}

TEST_P(Flow, BehindATrustedProxyTheAddressIsTheOneItAppended) {
  Site& s = site({{"server.trust_proxy", "true"}});
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  // The client's own header comes first; the proxy's (here a second header) last.
  Poco::Net::HTTPClientSession session(Poco::URI(s.base_url()).getHost(), Poco::URI(s.base_url()).getPort());
  Poco::Net::HTTPRequest request("GET", links[0].substr(s.base_url().size()), Poco::Net::HTTPMessage::HTTP_1_1);
  request.add("X-Forwarded-For", "6.6.6.6");
  request.add("X-Forwarded-For", "10.1.1.1, 203.0.113.7");
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  session.receiveResponse(response).ignore(1 << 20);
  EXPECT_EQ(response.getStatus(), Poco::Net::HTTPResponse::HTTP_OK);
  const std::string viewed = audit_lines(kenmerk).back();
  EXPECT_THAT(viewed, HasSubstr("\"ip\":\"203.0.113.7\""));
  // Not an address at all: the peer's address is kept.
  const Http junk =
      http(s.base_url(), "GET", links[1].substr(s.base_url().size()), {}, {{"X-Forwarded-For", "<script>"}});
  EXPECT_EQ(junk.status, 200);
  EXPECT_THAT(audit_lines(kenmerk).back(), HasSubstr("\"ip\":\"127.0.0.1\""));
}

TEST_P(Flow, AReminderRevivesAnExpiredRequest) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  const std::time_t later = std::time(nullptr) + 31 * 86400;
  s.w().set_clock([later] { return later; });
  for (const auto& r : s.w().status(kenmerk).signatories) EXPECT_EQ(r.state, SignatoryState::expired);
  const auto reminded = s.w().remind(kenmerk);
  EXPECT_EQ(reminded.size(), links.size());
  for (const auto& r : s.w().status(kenmerk).signatories) EXPECT_EQ(r.state, SignatoryState::invited);
  std::vector<std::string> fresh;
  for (const auto& m : pickup_mails(s.pickup())) {
    if (m.subject.find("Herinnering") == std::string::npos) continue;
    for (const auto& l : links_in(m, s.base_url())) fresh.push_back(l);
  }
  ASSERT_EQ(fresh.size(), links.size());
  EXPECT_EQ(http(s.base_url(), "GET", links[0].substr(s.base_url().size())).status, 410);
  EXPECT_EQ(s.sign(fresh[0]).status, 303);
  EXPECT_EQ(revisions_on_disk(kenmerk), 1);
}

TEST_P(Flow, RemindersCarryNewWorkingLinksAndARevisionWithoutARecordIsRemoved) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto first = all_links(s.invite(kenmerk));
  ASSERT_EQ(s.sign(first[0]).status, 303);
  // Just invited: a reminder now is forced past the 24 h rule.
  const auto reminded = s.w().remind(kenmerk, RemindOptions{"", true});
  EXPECT_EQ(reminded.size(), first.size() - 1);
  std::vector<std::string> fresh;
  for (const auto& m : pickup_mails(s.pickup())) {
    if (m.subject.find("Herinnering") == std::string::npos) continue;
    for (const auto& l : links_in(m, s.base_url())) fresh.push_back(l);
  }
  ASSERT_EQ(fresh.size(), first.size() - 1);
  for (const auto& l : fresh)
    EXPECT_EQ(std::count(first.begin(), first.end(), l), 0) << "a reminder carries a new link";

  // A revision on disk the database does not know (a signing act whose commit failed): the next
  // act removes it before it signs, so the chain holds only recorded signatures.
  const auto chain_dir = dir_ / "ws" / "contracten" / (kenmerk + "-v1");
  {
    auto chain = SignedContract::open(chain_dir);
    const Pki pki = Pki::load(dir_ / "ws" / "pki", "");
    auto tsa = pki.local_tsa();
    const Validation v = validate_file(sample("regio-klein-8.xml"), shipped_rule_sets());
    chain.sign(signing_act(v.agreement, chain.unsigned_fields()[0], std::time(nullptr)), pki, *tsa);
  }
  EXPECT_EQ(revisions_on_disk(kenmerk), 2);
  ASSERT_EQ(s.sign(fresh[0]).status, 303);
  EXPECT_EQ(revisions_on_disk(kenmerk), 2);
  const Status st = s.w().status(kenmerk);
  EXPECT_EQ(st.signed_count, 2u);
  const std::string verdict = s.pdfsig(s.w().signed_pdf(kenmerk));
  EXPECT_EQ(count(verdict, "Signature is Valid."), 2u);
}

TEST_P(Flow, ANewVersionRevokesTheOpenRequestsOfTheOld) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = all_links(s.invite(kenmerk));
  ASSERT_EQ(s.sign(links[0]).status, 303);
  // Opening the same file again changes nothing.
  Validation v;
  const auto again = s.w().open_agreement(sample("regio-klein-8.xml"), v);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->already_open);
  // Version 2: the old links say revoked; the new version waits for invitations.
  std::string xml = read_file(sample("regio-klein-8.xml").string());
  const auto at = xml.find("versie=\"1\"");
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, 10, "versie=\"2\"");
  const auto v2 = dir_ / "v2.xml";
  std::ofstream(v2, std::ios::binary) << xml;
  const auto opened = s.w().open_agreement(v2, v);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->revoked_versie, 1);
  EXPECT_EQ(opened->versie, 2);
  EXPECT_EQ(http(s.base_url(), "GET", links[1].substr(s.base_url().size())).status, 410);
  const Status st = s.w().status(kenmerk);
  EXPECT_EQ(st.version.versie, 2);
  for (const auto& r : st.signatories) EXPECT_EQ(r.state, SignatoryState::pending);
  // An older or equal-but-different version is refused.
  xml.replace(at, 10, "versie=\"1\"");
  std::ofstream(dir_ / "v1b.xml", std::ios::binary) << xml + "<!-- anders -->";
  expect_error([&] { s.w().open_agreement(dir_ / "v1b.xml", v); }, "versie");
}

INSTANTIATE_TEST_SUITE_P(Backends, Flow, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace sto::test
