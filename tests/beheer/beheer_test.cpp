// The penvoerder's pages over real HTTP on loopback, on a real SQLite file: who gets in (the
// password, the session cookie, its expiry, CSRF, the throttle), that nothing under /beheer
// answers without a session, and each action, download and upload doing what its command does.
// The browser's view (live updates, both widths, accessibility) is tests/beheer/run.sh.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <Poco/Zip/ZipArchive.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"
#include "scratch.h"
#include "sto/audit.h"
#include "sto/html.h"
#include "sto/pki.h"
#include "sto/rules.h"
#include "sto/sheet.h"

namespace sto::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The value after `start` up to the next quote.
std::string between_quotes(const std::string& text, const std::string& start) {
  const auto at = text.find(start);
  if (at == std::string::npos) return "";
  const auto from = at + start.size();
  return text.substr(from, text.find('"', from) - from);
}

// A reply's header (lower-case name); empty when absent.
std::string header(const HttpReply& r, const std::string& name) {
  const auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

constexpr const char* kPassword = "correct paard batterij";
constexpr std::int64_t kStart = 1'800'000'000;  // a fixed clock: 2027-01-15

// A client with a session: logs in as a browser would.
class BeheerTest : public ScratchTest {
 protected:
  void SetUp() override {
    ScratchTest::SetUp();
    site_ = std::make_unique<Site>(dir_ / "w", Backend::sqlite,
                                   std::map<std::string, std::string>{{"server.trust_proxy", "true"}});
    w().set_clock([this] { return now_; });
    set_beheer_password(w().dir(), kPassword);
    kenmerk_ = site_->open(sample("regio-klein-8.xml"));
  }
  void TearDown() override {
    site_.reset();
    ScratchTest::TearDown();
  }
  Werkruimte& w() { return site_->w(); }

  Http get(const std::string& path, const std::string& cookie = "", const std::string& ip = "") {
    std::map<std::string, std::string> headers;
    if (!cookie.empty()) headers["Cookie"] = cookie;
    if (!ip.empty()) headers["X-Forwarded-For"] = ip;
    return http(site_->base_url(), "GET", path, {}, headers);
  }
  Http post(const std::string& path, std::map<std::string, std::string> form, const std::string& cookie = "",
            std::map<std::string, std::string> headers = {}) {
    if (!cookie.empty()) headers["Cookie"] = cookie;
    return http(site_->base_url(), "POST", path, form, headers);
  }
  // "name=value" of a Set-Cookie header.
  static std::string cookie_of(const Http& r) {
    const auto it = r.headers.find("set-cookie");
    return it == r.headers.end() ? "" : it->second.substr(0, it->second.find(';'));
  }
  // Logs in from `ip`; returns the reply of the POST.
  Http login(const std::string& password, const std::string& ip = "") {
    const Http page = get("/beheer/login", "", ip);
    EXPECT_EQ(page.status, 200);
    const std::string pre = cookie_of(page);
    EXPECT_THAT(pre, HasSubstr("sto_login="));
    std::map<std::string, std::string> headers{{"Cookie", pre}};
    if (!ip.empty()) headers["X-Forwarded-For"] = ip;
    return http(site_->base_url(), "POST", "/beheer/login", {{"csrf", csrf_of(page.body)}, {"wachtwoord", password}},
                headers);
  }
  void log_in() {
    const Http r = login(kPassword);
    ASSERT_EQ(r.status, 303) << r.body;
    session_ = cookie_of(r);
    ASSERT_THAT(session_, HasSubstr("sto_beheer="));
    const Http overview = get("/beheer/", session_);
    ASSERT_EQ(overview.status, 200);
    csrf_ = csrf_of(overview.body);
    ASSERT_FALSE(csrf_.empty());
  }
  std::string page(const std::string& sub = "") { return "/beheer/overeenkomsten/" + kenmerk_ + sub; }

  // A multipart upload, as the form on /beheer/nieuw sends it.
  Http upload(const std::string& file_name, const std::string& content, const std::string& kenmerk = "") {
    const Poco::URI base(site_->base_url());
    Poco::Net::HTTPClientSession session(base.getHost(), base.getPort());
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/beheer/nieuw",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Cookie", session_);
    Poco::Net::HTMLForm form(Poco::Net::HTMLForm::ENCODING_MULTIPART);
    form.set("csrf", csrf_);
    if (!kenmerk.empty()) form.set("kenmerk", kenmerk);
    form.addPart("bestand", new Poco::Net::StringPartSource(content, "application/octet-stream", file_name));
    form.prepareSubmit(request);
    form.write(session.sendRequest(request));
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    Http r;
    r.status = static_cast<int>(response.getStatus());
    std::ostringstream body;
    Poco::StreamCopier::copyStream(in, body);
    r.body = body.str();
    return r;
  }

  std::size_t mails() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(site_->pickup() / "new")) ++n;
    return n;
  }

  std::time_t now_ = kStart;
  std::unique_ptr<Site> site_;
  std::string kenmerk_;
  std::string session_;
  std::string csrf_;
};

TEST_F(BeheerTest, NothingAnswersWithoutASession) {
  for (const std::string& path :
       std::vector<std::string>{"/beheer/", "/beheer/nieuw", page(), page("/tekenbevoegden/t1"), page("/contract.pdf"),
                                page("/getekend.pdf"), page("/bewijsdossier.pdf"), page("/archief.zip")}) {
    for (const std::string& cookie : std::vector<std::string>{"", "sto_beheer=verzonnen-waarde"}) {
      const Http r = get(path, cookie);
      EXPECT_EQ(r.status, 303) << path;
      EXPECT_EQ(header(r, "location"), "/beheer/login") << path;
      EXPECT_THAT(r.body, Not(HasSubstr(kenmerk_))) << path;
    }
  }
  for (const std::string& path : std::vector<std::string>{
           "/beheer/api/overeenkomsten", "/beheer/api/overeenkomsten/" + kenmerk_, page("/voortgang")}) {
    const Http r = get(path);
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_THAT(r.body, Not(HasSubstr("tekenbevoegde"))) << path;
  }
  const std::size_t before = mails();
  for (const char* action : {"herinner", "uitnodigen", "opnieuw", "intrekken", "herinneringen"}) {
    const Http r = post(page(std::string("/") + action), {{"bevestig", "ja"}, {"reden", "x"}});
    EXPECT_EQ(r.status, 303) << action;
    EXPECT_EQ(header(r, "location"), "/beheer/login") << action;
  }
  EXPECT_EQ(mails(), before);
  EXPECT_EQ(w().status(kenmerk_).version.state, VersionState::open);
}

TEST_F(BeheerTest, LoginGivesAStrictCookieAndWrongPasswordsKeepYouOut) {
  const Http form = get("/beheer/login");
  EXPECT_THAT(form.body, HasSubstr("name=wachtwoord"));
  EXPECT_THAT(header(form, "content-security-policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(header(form, "referrer-policy"), "no-referrer");

  const Http wrong = login("fout wachtwoord 123");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_THAT(wrong.body, HasSubstr("Onjuist wachtwoord."));
  EXPECT_EQ(cookie_of(wrong), "");

  // Without the login form's token: refused before the password is looked at.
  EXPECT_EQ(post("/beheer/login", {{"csrf", "x"}, {"wachtwoord", kPassword}}).status, 403);

  const Http right = login(kPassword);
  ASSERT_EQ(right.status, 303);
  EXPECT_EQ(header(right, "location"), "/beheer/");
  const std::string set_cookie = header(right, "set-cookie");
  EXPECT_THAT(set_cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(set_cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(set_cookie, HasSubstr("Path=/beheer"));
  EXPECT_THAT(set_cookie, Not(HasSubstr("Secure")));  // plain http on loopback
  const Http overview = get("/beheer/", cookie_of(right));
  EXPECT_EQ(overview.status, 200);
  EXPECT_THAT(overview.body, HasSubstr("data-kenmerk=\"" + kenmerk_ + "\""));
  EXPECT_THAT(overview.body, HasSubstr("0 van 8 partners gebonden"));
  EXPECT_THAT(header(overview, "content-security-policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(header(overview, "referrer-policy"), "no-referrer");
}

TEST_F(BeheerTest, TenWrongPasswordsBlockTheAddressForAQuarter) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(login("nog een gok " + std::to_string(i), "203.0.113.7").status, 401) << i;
  // The eleventh try is refused, even with the right password, for 15 minutes.
  EXPECT_EQ(login(kPassword, "203.0.113.7").status, 429);
  now_ += 14 * 60;
  EXPECT_EQ(login(kPassword, "203.0.113.7").status, 429);
  // Another address is not affected.
  EXPECT_EQ(login(kPassword, "203.0.113.8").status, 303);
  now_ += 2 * 60;
  EXPECT_EQ(login(kPassword, "203.0.113.7").status, 303);

  // Nine wrong, one right: the count starts again.
  for (int i = 0; i < 9; ++i) EXPECT_EQ(login("mis " + std::to_string(i), "203.0.113.9").status, 401);
  EXPECT_EQ(login(kPassword, "203.0.113.9").status, 303);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(login("mis " + std::to_string(i), "203.0.113.9").status, 401);
  EXPECT_EQ(login(kPassword, "203.0.113.9").status, 303);
}

TEST_F(BeheerTest, TheWindowSlidesAndParallelTriesCountBeforeTheirPasswordIsChecked) {
  // One wrong try, then nine just before the quarter ends and one just after: ten in a row
  // within fifteen minutes (the last ten), so the address is blocked.
  EXPECT_EQ(login("mis 0", "198.51.100.1").status, 401);
  now_ += 14 * 60 + 50;
  for (int i = 1; i < 9; ++i) EXPECT_EQ(login("mis " + std::to_string(i), "198.51.100.1").status, 401);
  now_ += 20;
  EXPECT_EQ(login("mis 9", "198.51.100.1").status, 401);
  EXPECT_EQ(login("mis 10", "198.51.100.1").status, 401);  // ten within the window now
  EXPECT_EQ(login(kPassword, "198.51.100.1").status, 429);

  // Thirty tries at once from one address: never more than ten get their password checked.
  std::vector<std::thread> threads;
  std::atomic<int> checked{0};
  std::atomic<int> odd{0};  // anything but wrong (401), blocked (429) or busy (503: two scrypt runs at once)
  for (int i = 0; i < 30; ++i) {
    threads.emplace_back([&, i] {
      const int status = login("parallel " + std::to_string(i), "198.51.100.2").status;
      if (status == 401) ++checked;
      if (status != 401 && status != 429 && status != 503) ++odd;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(checked.load(), 10);
  EXPECT_GE(checked.load(), 2);
  EXPECT_EQ(odd.load(), 0);
  for (int i = checked.load(); i < 10; ++i) EXPECT_EQ(login("daarna " + std::to_string(i), "198.51.100.2").status, 401);
  EXPECT_EQ(login(kPassword, "198.51.100.2").status, 429);
}

TEST_F(BeheerTest, BadFormsAreRefusedAndNothingHappens) {
  log_in();
  site_->invite(kenmerk_);
  const std::size_t before = mails();
  EXPECT_EQ(post(page("/herinner"), {{"csrf", csrf_}, {"tekenbevoegde", "niemand"}}, session_).status, 422);
  EXPECT_EQ(
      post(page("/herinneringen"), {{"csrf", csrf_}, {"na_dagen", "7"}, {"dagen_voor_verloop", "99"}}, session_).status,
      422);
  EXPECT_EQ(w().herinneringen(kenmerk_).dagen_voor_verloop, 3);
  EXPECT_EQ(post(page("/herinneringen"),
                 {{"csrf", csrf_}, {"na_dagen", "5,10"}, {"dagen_voor_verloop", "2"}, {"aan", "ja"}}, session_)
                .status,
            303);
  EXPECT_EQ(w().herinneringen(kenmerk_).na_dagen, (std::vector<int>{5, 10}));
  // A multipart body without a boundary: 400, not a crash or a 500.
  {
    const Poco::URI base(site_->base_url());
    Poco::Net::HTTPClientSession raw(base.getHost(), base.getPort());
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/beheer/nieuw",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Cookie", session_);
    request.setContentType("multipart/form-data");
    request.setContentLength(5);
    raw.sendRequest(request) << "xxxxx";
    Poco::Net::HTTPResponse response;
    raw.receiveResponse(response);
    EXPECT_EQ(static_cast<int>(response.getStatus()), 400);
  }
  EXPECT_EQ(mails(), before);
}

TEST_F(BeheerTest, SessionsEndAfterEightHoursIdleAndAtLogout) {
  log_in();
  now_ += 7 * 3600;
  EXPECT_EQ(get("/beheer/", session_).status, 200);  // used: idle time starts again
  now_ += 7 * 3600;
  EXPECT_EQ(get("/beheer/", session_).status, 200);
  // The agreement page's own polling (and the API) is not a person: it does not keep the
  // session alive, however often it asks.
  for (int i = 0; i < 4; ++i) {
    now_ += 2 * 3600;
    EXPECT_EQ(get(page("/voortgang"), session_).status, 200);
    EXPECT_EQ(get("/beheer/api/overeenkomsten/" + kenmerk_, session_).status, 200);
  }
  now_ += 1;
  Http r = get("/beheer/", session_);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(header(r, "location"), "/beheer/login");
  EXPECT_EQ(get("/beheer/api/overeenkomsten/" + kenmerk_, session_).status, 401);

  log_in();
  EXPECT_EQ(post("/beheer/logout", {{"csrf", "verkeerd"}}, session_).status, 403);
  EXPECT_EQ(get("/beheer/", session_).status, 200);
  r = post("/beheer/logout", {{"csrf", csrf_}}, session_);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(get("/beheer/", session_).status, 303);

  // Logins and logouts are a hash chain of their own.
  const std::string log = read_text(w().dir() / "beheer.jsonl");
  std::string head;
  EXPECT_THAT(verify_chain(jsonl_lines(log), head), ::testing::IsEmpty());
  EXPECT_EQ(count(log, "\"event\":\"login\""), 2U);
  EXPECT_EQ(count(log, "\"event\":\"logout\""), 1U);

  // A line cut short by a crash does not lock the penvoerder out: it is dropped, the chain goes on.
  {
    std::ofstream torn(w().dir() / "beheer.jsonl", std::ios::app | std::ios::binary);
    torn << "{\"seq\":99,\"event\":\"log";
  }
  log_in();
  const std::string after = read_text(w().dir() / "beheer.jsonl");
  EXPECT_THAT(verify_chain(jsonl_lines(after), head), ::testing::IsEmpty());
  EXPECT_THAT(after, Not(HasSubstr("\"seq\":99")));
  EXPECT_EQ(count(after, "\"event\":\"login\""), 3U);
}

TEST_F(BeheerTest, ActionsNeedTheSessionsCsrfTokenAndAConfirmation) {
  site_->invite(kenmerk_);
  const std::size_t invited = mails();
  now_ += 3 * 86400;  // past the 24 hours since the invitations
  log_in();

  EXPECT_EQ(post(page("/herinner"), {{"csrf", "verkeerd"}, {"bevestig", "ja"}}, session_).status, 403);
  EXPECT_EQ(post(page("/herinner"), {{"csrf", csrf_}, {"bevestig", "ja"}}, session_, {{"Sec-Fetch-Site", "cross-site"}})
                .status,
            403);
  EXPECT_EQ(mails(), invited);

  const Http ask = post(page("/herinner"), {{"csrf", csrf_}}, session_);
  EXPECT_EQ(ask.status, 200);
  EXPECT_THAT(ask.body, HasSubstr("name=bevestig value=ja"));
  EXPECT_EQ(mails(), invited);  // nothing yet

  const Http done = post(page("/herinner"), {{"csrf", csrf_}, {"bevestig", "ja"}}, session_);
  EXPECT_EQ(done.status, 303);
  const auto signatories = w().status(kenmerk_).signatories.size();
  EXPECT_EQ(mails(), invited + signatories);
  const Http shown = get(header(done, "location"), session_);
  EXPECT_THAT(shown.body, HasSubstr(std::to_string(signatories) + " herinnering(en) verstuurd"));

  // Within 24 hours nobody is reminded again, unless forced, one person at a time.
  EXPECT_EQ(post(page("/herinner"), {{"csrf", csrf_}, {"bevestig", "ja"}}, session_).status, 303);
  EXPECT_EQ(mails(), invited + signatories);
  const std::string one = w().status(kenmerk_).signatories[2].tekenbevoegde;
  EXPECT_EQ(post(page("/herinner"), {{"csrf", csrf_}, {"bevestig", "ja"}, {"tekenbevoegde", one}, {"forceer", "ja"}},
                 session_)
                .status,
            303);
  EXPECT_EQ(mails(), invited + signatories + 1);

  // Revoking needs a reason and a confirmation.
  EXPECT_EQ(post(page("/intrekken"), {{"csrf", csrf_}, {"bevestig", "ja"}}, session_).status, 422);
  EXPECT_EQ(post(page("/intrekken"), {{"csrf", csrf_}, {"reden", "verkeerde bijlage"}}, session_).status, 200);
  EXPECT_EQ(w().status(kenmerk_).version.state, VersionState::open);
  EXPECT_EQ(
      post(page("/intrekken"), {{"csrf", csrf_}, {"reden", "verkeerde bijlage"}, {"bevestig", "ja"}}, session_).status,
      303);
  EXPECT_EQ(w().status(kenmerk_).version.state, VersionState::revoked);
  // The agreement's own audit chain names the address the act came from.
  EXPECT_THAT(w().store().audit(kenmerk_).back().canonical, HasSubstr("127.0.0.1"));
}

TEST_F(BeheerTest, ANewAddressGetsANewLinkAndTheOldOneDies) {
  log_in();
  const auto links = site_->invite(kenmerk_);
  const SignatoryRecord first = w().status(kenmerk_).signatories.front();
  const std::string old_link = links.at(first.email).front();
  const Http done = post(page("/opnieuw"),
                         {{"csrf", csrf_},
                          {"bevestig", "ja"},
                          {"tekenbevoegde", first.tekenbevoegde},
                          {"email", "nieuw.adres@example.org"}},
                         session_);
  ASSERT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(w().status(kenmerk_).signatories.front().email, "nieuw.adres@example.org");
  const auto all = pickup_mails(site_->pickup());
  ASSERT_FALSE(all.empty());
  EXPECT_THAT(all.back().to, HasSubstr("nieuw.adres@example.org"));
  EXPECT_NE(http(site_->base_url(), "GET", Poco::URI(old_link).getPath()).status, 200);
  EXPECT_THAT(get(header(done, "location"), session_).body, HasSubstr("naar het nieuwe adres verstuurd"));
  // When the new address does not take the mail, the page does not claim it was sent.
  const Http failed = get(page("?gedaan=opnieuw&n=0&over=0&mis=1"), session_);
  EXPECT_THAT(failed.body, HasSubstr("niet bezorgd"));
  EXPECT_THAT(failed.body, Not(HasSubstr("verstuurd")));
  EXPECT_EQ(post(page("/opnieuw"),
                 {{"csrf", csrf_}, {"bevestig", "ja"}, {"tekenbevoegde", first.tekenbevoegde}, {"email", "geen adres"}},
                 session_)
                .status,
            422);
}

TEST_F(BeheerTest, TheApiIsStatusJsonAndThePageFollowsTheSigning) {
  log_in();
  const auto links = site_->invite(kenmerk_);
  const Http api = get("/beheer/api/overeenkomsten/" + kenmerk_, session_);
  EXPECT_EQ(api.status, 200);
  EXPECT_EQ(header(api, "content-type"), "application/json");
  EXPECT_EQ(api.body, status_json(w().status(kenmerk_)));
  EXPECT_EQ(get("/beheer/api/overeenkomsten", session_).body, "[\"" + kenmerk_ + "\"]\n");

  const SignatoryRecord first = w().status(kenmerk_).signatories.front();
  ASSERT_EQ(site_->sign(links.at(first.email).front()).status, 303);
  const Http progress = get(page("/voortgang"), session_);
  EXPECT_EQ(progress.status, 200);
  EXPECT_THAT(progress.body, HasSubstr("data-tekenbevoegde=\"" + first.tekenbevoegde + "\" data-state=\"signed\""));
  EXPECT_THAT(progress.body,
              HasSubstr("1 van " + std::to_string(w().status(kenmerk_).signatories.size()) + " handtekeningen"));
  const Http full = get(page(), session_);
  EXPECT_THAT(full.body, HasSubstr("<section id=voortgang aria-live=polite"));
  EXPECT_THAT(full.body, HasSubstr(progress.body));
  EXPECT_EQ(get(page("/tekenbevoegden/" + first.tekenbevoegde), session_).status, 200);
  EXPECT_EQ(get(page("/tekenbevoegden/niemand"), session_).status, 404);
  // Links that expire by time alone change no row until someone looks: the page that keeps the
  // table between views still shows them expired at the next view.
  EXPECT_THAT(get(page("/voortgang"), session_).body, Not(HasSubstr("data-state=\"expired\"")));
  for (int i = 0; i < 110; ++i) {  // 32 days, past the links' 30, the session kept by a page that reads no status
    now_ += 7 * 3600;
    ASSERT_EQ(get("/beheer/nieuw", session_).status, 200);
  }
  EXPECT_THAT(get(page("/voortgang"), session_).body, HasSubstr("data-state=\"expired\""));
  EXPECT_EQ(get("/beheer/api/overeenkomsten/" + kenmerk_, session_).body, status_json(w().status(kenmerk_)));
  EXPECT_EQ(get("/beheer/overeenkomsten/ONBEKEND", session_).status, 404);
  const Http unknown = get("/beheer/api/overeenkomsten/ONBEKEND", session_);  // a script reads JSON
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(header(unknown, "content-type"), "application/json");
  EXPECT_EQ(unknown.body, "{\"fout\":\"onbekend kenmerk\"}\n");
  EXPECT_EQ(get("/beheer/beheer.js").status, 200);  // the script itself holds nothing
}

TEST_F(BeheerTest, DownloadsAreWhatTheCommandsWrite) {
  log_in();
  const VersionRecord v = *w().store().latest_version(kenmerk_);
  const Http contract = get(page("/contract.pdf"), session_);
  EXPECT_EQ(contract.status, 200);
  EXPECT_EQ(header(contract, "content-type"), "application/pdf");
  EXPECT_EQ(contract.body, read_text(w().dir() / v.contract_dir / "0000.pdf"));
  EXPECT_EQ(get(page("/getekend.pdf"), session_).body, w().signed_pdf(kenmerk_));

  const Http zip = get(page("/archief.zip"), session_);
  ASSERT_EQ(zip.status, 200);
  EXPECT_EQ(header(zip, "content-type"), "application/zip");
  std::istringstream in(zip.body);
  const Poco::Zip::ZipArchive archive(in);
  std::set<std::string> names;
  for (auto it = archive.fileInfoBegin(); it != archive.fileInfoEnd(); ++it) names.insert(it->first);
  const std::string stem = kenmerk_ + "-v1/";
  for (const char* file : {"agreement.xml", "contract.pdf", "audit.jsonl", "ca.pem", "tsa.pem", "bewijsdossier.pdf",
                           "manifest.json", "README.txt"}) {
    EXPECT_TRUE(names.contains(stem + file)) << file;
  }
  const Http dossier = get(page("/bewijsdossier.pdf"), session_);
  EXPECT_EQ(dossier.status, 200);
  EXPECT_TRUE(dossier.body.starts_with("%PDF-")) << dossier.body.substr(0, 40);
  EXPECT_FALSE(std::filesystem::exists(w().dir() / "beheer-tmp") &&
               !std::filesystem::is_empty(w().dir() / "beheer-tmp"));
}

TEST_F(BeheerTest, AnUploadShowsTheFindingsOfValidateAndOpensOnlyOnConfirmation) {
  ::umask(022);  // the common default, under which a plain mkdir gives 0755
  log_in();
  // An invalid agreement: the lines sto validate prints, and no way to open it.
  const std::string bad = read_text(sample("invalid/r8-kvk-zeven-cijfers.xml"));
  const Validation expected = validate(bad, "r8-kvk-zeven-cijfers.xml", load_rule_sets(templates() / "regelingen"));
  ASSERT_FALSE(expected.valid());
  const Http refused = upload("r8-kvk-zeven-cijfers.xml", bad);
  EXPECT_EQ(refused.status, 422);
  for (const auto& f : expected.findings) EXPECT_THAT(refused.body, HasSubstr(html_escape(describe(f, Taal::nl))));
  EXPECT_THAT(refused.body, Not(HasSubstr("/beheer/nieuw/open")));

  // Version 2: checked, then opened after confirmation.
  std::string v2 = read_text(sample("regio-klein-8.xml"));
  v2.replace(v2.find("versie=\"1\""), 10, "versie=\"2\"");
  const Http checked = upload("regio-v2.xml", v2);
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_THAT(checked.body, HasSubstr("regio-v2.xml: geldig"));
  const std::string id = between_quotes(checked.body, "name=upload value=\"");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(w().status(kenmerk_).version.versie, 1);
  // What waits for confirmation is the penvoerder's alone, whatever the umask.
  namespace fs = std::filesystem;
  EXPECT_EQ(fs::status(w().dir() / "beheer-uploads").permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(w().dir() / "beheer-uploads" / (id + ".xml")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  const Http opened = post("/beheer/nieuw/open", {{"csrf", csrf_}, {"upload", id}, {"bevestig", "ja"}}, session_);
  ASSERT_EQ(opened.status, 303) << opened.body;
  EXPECT_EQ(header(opened, "location"), page() + "?gedaan=geopend");
  EXPECT_EQ(w().status(kenmerk_).version.versie, 2);
  // The same upload cannot be opened twice.
  EXPECT_EQ(post("/beheer/nieuw/open", {{"csrf", csrf_}, {"upload", id}, {"bevestig", "ja"}}, session_).status, 422);
}

// An amendment (wijziging.xml) goes the same way as a new version: checked against the agreement in
// force, opened on confirmation; the agreement's page lists it, and once signed its hash.
TEST_F(BeheerTest, AnAmendmentIsCheckedAgainstTheAgreementInForceOpenedOnConfirmationAndListed) {
  log_in();
  const std::string sample_xml = read_text(sample("wijzigingen/w1-toetreding.xml"));
  // Before the contract is complete no amendment can be opened: a change is then a new version.
  EXPECT_THAT(upload("w1.xml", sample_xml).body, HasSubstr("is nog niet door iedereen getekend"));
  std::set<std::string> seen;
  for (const auto& [address, links] : site_->invite(kenmerk_)) {
    for (const auto& link : links) {
      ASSERT_EQ(site_->sign(link).status, 303);
      seen.insert(link);
    }
  }
  w().flush_mail();
  const std::string contract_sha = to_hex(sha256(w().signed_pdf(kenmerk_)));
  EXPECT_THAT(get(page(), session_).body, HasSubstr(contract_sha));  // what the amendment must name

  // The sample's placeholder hash: the finding says which hash is expected, and nothing opens.
  const Http wrong = upload("w1.xml", sample_xml);
  EXPECT_EQ(wrong.status, 422);
  EXPECT_THAT(wrong.body, HasSubstr("[wijziging.hash]"));
  EXPECT_THAT(wrong.body, HasSubstr(contract_sha));
  EXPECT_THAT(wrong.body, Not(HasSubstr("/beheer/nieuw/open")));

  std::string xml = sample_xml;
  const std::string zeros(64, '0');
  xml.replace(xml.find(zeros), zeros.size(), contract_sha);
  const Http checked = upload("w1.xml", xml);
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_THAT(checked.body, HasSubstr("Wijziging 1 (toetreding) van " + kenmerk_ + " openen?"));
  const std::string id = between_quotes(checked.body, "name=upload value=\"");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(w().status(kenmerk_).version.wijziging, 0);
  const Http opened = post("/beheer/nieuw/open", {{"csrf", csrf_}, {"upload", id}, {"bevestig", "ja"}}, session_);
  ASSERT_EQ(opened.status, 303) << opened.body;
  EXPECT_EQ(w().status(kenmerk_).version.wijziging, 1);
  const std::string open_page = get(page(), session_).body;
  EXPECT_THAT(open_page, HasSubstr(kenmerk_ + " · versie 1 · wijziging 1</h1>"));
  EXPECT_THAT(open_page, HasSubstr("<table id=wijzigingen>"));
  EXPECT_THAT(open_page, HasSubstr(">toetreding</td>"));

  // Signed by those it concerns: the page shows the signed amendment's hash, for the next one.
  std::size_t signers = 0;
  for (const auto& [address, links] : site_->invite(kenmerk_)) {
    for (const auto& link : links) {
      if (seen.contains(link)) continue;
      EXPECT_EQ(site_->sign(link).status, 303);
      ++signers;
    }
  }
  EXPECT_EQ(signers, 3u);
  const Status done = w().status(kenmerk_);
  ASSERT_EQ(done.wijzigingen.size(), 1u);
  ASSERT_EQ(done.wijzigingen[0].state, VersionState::completed);
  EXPECT_EQ(done.wijzigingen[0].signed_sha256, to_hex(sha256(w().signed_pdf(kenmerk_))));
  EXPECT_THAT(get(page(), session_).body, HasSubstr(done.wijzigingen[0].signed_sha256));
  EXPECT_THAT(get(page(), session_).body, HasSubstr("Partners die nu gelden: 9."));
}

TEST_F(BeheerTest, APartnerSheetReplacesThePartnersOfTheLatestVersionAsTheNextOne) {
  log_in();
  const auto rule_sets = load_rule_sets(templates() / "regelingen");
  const Validation v1 = validate(read_text(sample("regio-klein-8.xml")), "regio-klein-8.xml", rule_sets);
  ASSERT_TRUE(v1.valid());
  export_partner_sheet(v1.agreement, dir_ / "partners.xlsx");
  const std::string sheet = read_text(dir_ / "partners.xlsx");

  // Without naming the agreement it replaces the partners of, a sheet is refused.
  EXPECT_EQ(upload("partners.xlsx", sheet).status, 422);
  const Http checked = upload("partners.xlsx", sheet, kenmerk_);
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_THAT(checked.body, HasSubstr(kenmerk_ + "-v2.xml: geldig"));
  const std::string id = between_quotes(checked.body, "name=upload value=\"");
  ASSERT_EQ(post("/beheer/nieuw/open", {{"csrf", csrf_}, {"upload", id}, {"bevestig", "ja"}}, session_).status, 303);
  const Status s = w().status(kenmerk_);
  EXPECT_EQ(s.version.versie, 2);
  EXPECT_EQ(s.partners.size(), v1.agreement.partners.size());

  // A sheet with a wrong KvK number: the finding names the cell, and nothing can be opened.
  export_partner_sheet(v1.agreement, dir_ / "partners.csv");
  std::string csv = read_text(dir_ / "partners.csv");
  const auto kvk = csv.find(";05071234;");
  ASSERT_NE(kvk, std::string::npos) << csv.substr(0, 400);
  csv.replace(kvk, 10, ";5071234;");  // what a spreadsheet does to a code stored as a number
  const Http refused = upload("partners.csv", csv, kenmerk_);
  EXPECT_EQ(refused.status, 422);
  EXPECT_THAT(refused.body, HasSubstr("partners.csv:partners!I2: fout [R8.kvk]"));
  EXPECT_THAT(refused.body, Not(HasSubstr("/beheer/nieuw/open")));
}

}  // namespace
}  // namespace sto::test
