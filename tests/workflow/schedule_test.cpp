// What the penvoerder asks and what happens without asking (issue 14): reminders with the 24 h
// rule, one tekenbevoegde or forced; a new link to a corrected address; the reminder schedule
// and the daily summary under a fixed clock (run_due); the penvoerder's notices on a refusal, a
// bounce and completion; the states in Dutch; status_json as `sto status --json` prints it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "harness.h"
#include "run.h"
#include "sto/archive.h"
#include "sto/audit.h"
#include "sto/verify.h"

namespace sto::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::time_t kDay = 86'400;
constexpr std::time_t kHour = 3'600;
const std::string kPenvoerder = "penvoerder@example.nl";

// Mails go to the pickup directory, except to `bouncing`: refused for good, as a 550 would be.
class BouncingTransport final : public Transport {
 public:
  BouncingTransport(std::unique_ptr<Transport> inner, std::string bouncing)
      : inner_(std::move(inner)), bouncing_(std::move(bouncing)) {}
  Delivery send(const Mail& mail) override {
    if (mail.to.adres == bouncing_) {
      throw MailError(MailError::Kind::permanent, 550, "550 5.1.1 <" + bouncing_ + ">: Recipient address rejected");
    }
    return inner_->send(mail);
  }

 private:
  std::unique_ptr<Transport> inner_;
  std::string bouncing_;
};

class Schedule : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sto-schedule-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    site_.reset();
    std::filesystem::remove_all(dir_);
  }
  // A site whose clock stands at now_ until a test moves it.
  Site& site(const std::map<std::string, std::string>& overrides = {}) {
    if (!site_) {
      site_ = std::make_unique<Site>(dir_ / "ws", GetParam(), overrides);
      site_->w().set_clock([this] { return now_.load(); });
    }
    return *site_;
  }
  std::vector<ReceivedMail> mails_to(const std::string& address, std::string_view subject = "") {
    site().w().flush_mail();
    std::vector<ReceivedMail> out;
    for (auto& m : pickup_mails(site().pickup())) {
      if (m.to.find(address) != std::string::npos && m.subject.find(subject) != std::string::npos) {
        out.push_back(std::move(m));
      }
    }
    return out;
  }
  std::vector<AuditEntry> audit(const std::string& kenmerk, std::string_view event) {
    std::vector<AuditEntry> out;
    for (const AuditRecord& r : site().w().store().audit(kenmerk)) {
      AuditEntry e = parse_flat_json(r.canonical);
      if (audit_text(e, "event") == event) out.push_back(std::move(e));
    }
    return out;
  }
  SignatoryRecord signatory(const std::string& kenmerk, const std::string& id) {
    for (const auto& s : site().w().status(kenmerk).signatories) {
      if (s.tekenbevoegde == id) return s;
    }
    ADD_FAILURE() << "no " << id;
    return {};
  }

  std::filesystem::path dir_;
  std::atomic<std::time_t> now_{std::time(nullptr) / 60 * 60};
  std::unique_ptr<Site> site_;
};

std::size_t sent(const std::vector<MailOutcome>& outcomes) {
  return static_cast<std::size_t>(
      std::count_if(outcomes.begin(), outcomes.end(), [](const MailOutcome& o) { return o.sent; }));
}
std::size_t skipped(const std::vector<MailOutcome>& outcomes) {
  return static_cast<std::size_t>(
      std::count_if(outcomes.begin(), outcomes.end(), [](const MailOutcome& o) { return o.skipped && !o.sent; }));
}

TEST_P(Schedule, RemindKeeps24HoursUnlessForcedAndCanNameOneTekenbevoegde) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  s.invite(kenmerk);
  const std::time_t invited = now_;
  ASSERT_EQ(pickup_mails(s.pickup()).size(), 9u);

  // An hour later: everyone was mailed less than 24 h ago.
  now_ += kHour;
  const auto early = s.w().remind(kenmerk);
  EXPECT_EQ(early.size(), 9u);
  EXPECT_EQ(skipped(early), 9u);
  EXPECT_EQ(sent(early), 0u);
  EXPECT_THAT(early[0].detail, HasSubstr("24 uur"));
  EXPECT_EQ(pickup_mails(s.pickup()).size(), 9u);
  // Forced: everyone.
  const auto forced = s.w().remind(kenmerk, RemindOptions{"", true});
  EXPECT_EQ(sent(forced), 9u);
  EXPECT_EQ(pickup_mails(s.pickup()).size(), 18u);
  // The 24 h count from the last mail, whatever sent it: 23 h after the forced one, still skipped.
  now_ += 23 * kHour;
  EXPECT_EQ(skipped(s.w().remind(kenmerk)), 9u);
  // 25 h after it: one tekenbevoegde only.
  now_ += 2 * kHour;
  const auto one = s.w().remind(kenmerk, RemindOptions{"s3", false});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_TRUE(one[0].sent) << one[0].detail;
  EXPECT_EQ(one[0].tekenbevoegde, "s3");
  EXPECT_EQ(mails_to("j.smeulders@scok.example.nl", "Herinnering").size(), 2u);
  EXPECT_EQ(pickup_mails(s.pickup()).size(), 19u);
  EXPECT_TRUE(s.w().remind(kenmerk, RemindOptions{"s3", false})[0].skipped);
  // The contacts: the invitation and the last reminder accepted.
  const Status st = s.w().status(kenmerk);
  ASSERT_EQ(st.contacts.size(), st.signatories.size());
  for (std::size_t i = 0; i < st.signatories.size(); ++i) {
    EXPECT_EQ(st.contacts[i].invited_ms, std::int64_t{invited} * 1000);
    EXPECT_EQ(st.contacts[i].reminded_ms,
              std::int64_t{st.signatories[i].tekenbevoegde == "s3" ? now_.load() : invited + kHour} * 1000);
  }
  // Refused: an unknown tekenbevoegde, one who signed.
  EXPECT_THROW(s.w().remind(kenmerk, RemindOptions{"s99", true}), Refusal);
  const auto links = links_in(mails_to("gj@vantoever.example.nl", "Herinnering").back(), s.base_url());
  ASSERT_EQ(links.size(), 1u);
  ASSERT_EQ(s.sign(links[0]).status, 303);
  EXPECT_THROW(s.w().remind(kenmerk, RemindOptions{"s7", true}), Refusal);
  // The reminders by hand are in the log, by the CLI's actor.
  const auto reminded = audit(kenmerk, audit_event::reminded);
  EXPECT_EQ(reminded.size(), 10u);
  EXPECT_EQ(audit_text(reminded.back(), "ip"), "cli");
  EXPECT_EQ(audit_text(reminded.back(), "via"), "");
}

TEST_P(Schedule, ABeheerActorIsRecordedWithVia) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  s.w().invite(kenmerk, Actor{"192.0.2.7", "Firefox"});
  const auto invited = audit(kenmerk, audit_event::invited);
  ASSERT_EQ(invited.size(), 9u);
  EXPECT_EQ(audit_text(invited[0], "ip"), "192.0.2.7");
  EXPECT_EQ(audit_text(invited[0], "user_agent"), "Firefox");
  EXPECT_EQ(audit_text(invited[0], "via"), "beheer");
}

TEST_P(Schedule, ReinviteKillsTheOldLinkAndMailsTheNewAddress) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = s.invite(kenmerk);
  const std::string old_link = links.at("j.smeulders@scok.example.nl").at(0);
  ASSERT_EQ(http(s.base_url(), "GET", old_link.substr(s.base_url().size())).status, 200);

  now_ += kHour;
  const MailOutcome o = s.w().reinvite(kenmerk, "s3", "jurgen.smeulders@scok.example.nl", Actor{"192.0.2.1", "UA"});
  EXPECT_TRUE(o.sent) << o.detail;
  EXPECT_EQ(o.email, "jurgen.smeulders@scok.example.nl");
  // The old link is dead (revoked), the new one works.
  EXPECT_EQ(http(s.base_url(), "GET", old_link.substr(s.base_url().size())).status, 410);
  const auto mails = mails_to("jurgen.smeulders@scok.example.nl", "");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_THAT(mails[0].subject, Not(HasSubstr("Herinnering")));
  const auto fresh = links_in(mails[0], s.base_url());
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(http(s.base_url(), "GET", fresh[0].substr(s.base_url().size())).status, 200);
  const SignatoryRecord r = signatory(kenmerk, "s3");
  EXPECT_EQ(r.email, "jurgen.smeulders@scok.example.nl");
  EXPECT_EQ(r.state, SignatoryState::viewed);  // the GET just now
  EXPECT_EQ(r.invited_ms, std::int64_t{now_.load()} * 1000);
  // The audit event: old and new address, by whom.
  const auto changed = audit(kenmerk, audit_event::email_changed);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(audit_text(changed[0], "old_email"), "j.smeulders@scok.example.nl");
  EXPECT_EQ(audit_text(changed[0], "email"), "jurgen.smeulders@scok.example.nl");
  EXPECT_EQ(audit_text(changed[0], "tekenbevoegde"), "s3");
  EXPECT_EQ(audit_text(changed[0], "via"), "beheer");
  EXPECT_EQ(audit_text(audit(kenmerk, audit_event::invited).back(), "email"), "jurgen.smeulders@scok.example.nl");
  // Refusals: not an address, an unknown tekenbevoegde, a signed one.
  EXPECT_THROW(s.w().reinvite(kenmerk, "s3", "geen adres"), Refusal);
  EXPECT_THROW(s.w().reinvite(kenmerk, "s3", "a@b"), Refusal);
  EXPECT_THROW(s.w().reinvite(kenmerk, "s99", "x@example.nl"), Refusal);
  EXPECT_THROW(s.w().reinvite("ONBEKEND", "s3", "x@example.nl"), Refusal);
  ASSERT_EQ(s.sign(fresh[0]).status, 303);
  EXPECT_THROW(s.w().reinvite(kenmerk, "s3", "x@example.nl"), Refusal);

  // The archive with the new events verifies intact, and the bewijsdossier names the change.
  Herinneringen h;
  h.na_dagen = {5};
  s.w().set_herinneringen(kenmerk, h);
  for (const auto& [address, found] : links) {
    if (address == "j.smeulders@scok.example.nl") continue;
    for (const auto& link : found) ASSERT_EQ(s.sign(link).status, 303) << address;
  }
  s.w().flush_mail();
  ASSERT_EQ(s.w().status(kenmerk).version.state, VersionState::completed);
  export_archive(s.w(), kenmerk, dir_ / "archief", templates());
  const Verdict v = verify_archive(dir_ / "archief", {s.w().ca_fingerprint(), "", templates()});
  EXPECT_EQ(v.oordeel, Oordeel::intact) << describe(v);
  const auto dossier = run_program({"/usr/bin/pdftotext", (dir_ / "archief" / "bewijsdossier.pdf").string(), "-"});
  EXPECT_THAT(dossier.out, HasSubstr("e-mailadres"));  // the dossier's table breaks the line
  EXPECT_THAT(dossier.out, HasSubstr("van j.smeulders@scok.example.nl"));
}

// Every reminder mail's time (UTC seconds) per address.
std::map<std::string, std::vector<std::time_t>> reminder_times(
    const std::map<std::time_t, std::vector<ReceivedMail>>& by_time) {
  std::map<std::string, std::vector<std::time_t>> out;
  for (const auto& [t, mails] : by_time) {
    for (const auto& m : mails) {
      if (m.subject.find("Herinnering") != std::string::npos) out[m.to].push_back(t);
    }
  }
  return out;
}

TEST_P(Schedule, RunDueRemindsAtDay7And14And3DaysBeforeExpiryNeverTwiceIn24Hours) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  EXPECT_EQ(s.w().herinneringen(kenmerk).na_dagen, (std::vector<int>{7, 14}));
  EXPECT_EQ(s.w().herinneringen(kenmerk).dagen_voor_verloop, 3);
  EXPECT_TRUE(s.w().herinneringen(kenmerk).aan);
  s.invite(kenmerk);
  const std::time_t start = now_;
  // s1 declines (no more reminders); s5 is reminded by hand at day 13.5, so the schedule's day
  // 14 waits until 24 h after that.
  std::map<std::time_t, std::vector<ReceivedMail>> by_time;
  std::size_t seen = pickup_mails(s.pickup()).size();
  std::size_t scheduled = 0;
  for (std::time_t t = start; t <= start + 40 * kDay; t += 6 * kHour) {
    now_ = t;
    if (t == start + kDay) {
      const auto l = mails_to("n.brinkers@akempis.example.nl").at(0);
      EXPECT_EQ(s.w().decline(token_of(links_in(l, s.base_url()).at(0)), "Niet akkoord", Actor{"127.0.0.1", ""}).kind,
                LinkView::Kind::declined);
    }
    if (t == start + 13 * kDay + 12 * kHour) {
      EXPECT_EQ(sent(s.w().remind(kenmerk, RemindOptions{"s5", false})), 1u);
    }
    scheduled += s.w().run_due().herinneringen;
    const auto all = pickup_mails(s.pickup());
    for (std::size_t i = seen; i < all.size(); ++i) by_time[t].push_back(all[i]);
    seen = all.size();
  }
  const auto times = reminder_times(by_time);
  // link.days is 30: the before-expiry point is day 27.
  const std::vector<std::time_t> expected{start + 7 * kDay, start + 14 * kDay, start + 27 * kDay};
  std::size_t everyone = 0;
  for (const auto& [to, when] : times) {
    if (to.find("a.celik@") != std::string::npos) {
      EXPECT_EQ(when, (std::vector<std::time_t>{start + 7 * kDay, start + 13 * kDay + 12 * kHour,
                                                start + 14 * kDay + 12 * kHour, start + 27 * kDay}));
      continue;
    }
    ++everyone;
    // One address signs for two partners: two reminders at each point, one per request.
    std::vector<std::time_t> got = when;
    got.erase(std::unique(got.begin(), got.end()), got.end());
    EXPECT_EQ(got, expected) << to;
  }
  EXPECT_EQ(everyone, 6u);  // 9 requests, 8 addresses: s1 declined, s5 apart
  EXPECT_FALSE(times.contains("n.brinkers@akempis.example.nl"));
  EXPECT_EQ(scheduled, 3u * 7 + 3);
  // Never two mails to one request within 24 h: each reminder's entry vs the one before.
  std::map<std::string, std::int64_t> last;
  for (const auto& e : audit(kenmerk, audit_event::reminded)) {
    const std::string who = audit_text(e, "tekenbevoegde");
    const std::string time = audit_text(e, "time");
    std::tm tm{};
    strptime(time.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    const std::int64_t at = timegm(&tm);
    if (last.contains(who)) {
      EXPECT_GE(at - last[who], kDay) << who << " " << time;
    }
    last[who] = at;
  }
  // Scheduled reminders are the installation's own acts.
  EXPECT_EQ(audit_text(audit(kenmerk, audit_event::reminded).back(), "ip"), "sto");
  EXPECT_EQ(audit_text(audit(kenmerk, audit_event::reminded).back(), "user_agent"), "herinneringsschema");
}

TEST_P(Schedule, TheScheduleIsPerAgreementAndCanBeSwitchedOff) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  s.invite(kenmerk);
  const std::time_t start = now_;
  Herinneringen h;
  h.na_dagen = {3};
  h.dagen_voor_verloop = 0;
  s.w().set_herinneringen(kenmerk, h, Actor{"192.0.2.9", "UA"});
  EXPECT_EQ(s.w().herinneringen(kenmerk).na_dagen, (std::vector<int>{3}));
  const auto changed = audit(kenmerk, audit_event::schedule_changed);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(audit_text(changed[0], "na_dagen"), "3");
  EXPECT_EQ(audit_text(changed[0], "via"), "beheer");
  s.w().set_herinneringen(kenmerk, h);  // unchanged: no entry
  EXPECT_EQ(audit(kenmerk, audit_event::schedule_changed).size(), 1u);
  now_ = start + 2 * kDay;
  EXPECT_EQ(s.w().run_due().herinneringen, 0u);
  now_ = start + 3 * kDay;
  EXPECT_EQ(s.w().run_due().herinneringen, 9u);
  EXPECT_EQ(s.w().run_due().herinneringen, 0u);  // the same point, once
  h.na_dagen = {5};
  h.aan = false;
  s.w().set_herinneringen(kenmerk, h);
  now_ = start + 6 * kDay;
  EXPECT_EQ(s.w().run_due().herinneringen, 0u);
  // Out of range: refused.
  EXPECT_THROW(s.w().set_herinneringen(kenmerk, Herinneringen{{0}, 3, true}), Refusal);
  EXPECT_THROW(s.w().set_herinneringen(kenmerk, Herinneringen{{7}, -1, true}), Refusal);
  EXPECT_THROW(s.w().set_herinneringen("ONBEKEND", Herinneringen{}), Refusal);
}

TEST_P(Schedule, ThePenvoerderHearsOfARefusalAndABounce) {
  Site& s = site({{"penvoerder.email", kPenvoerder}});
  s.w().set_transport(std::make_unique<BouncingTransport>(pickup_transport(s.pickup()), "gj@vantoever.example.nl"));
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto outcomes = s.w().invite(kenmerk);
  EXPECT_EQ(sent(outcomes), 8u);
  const auto bounced = mails_to(kPenvoerder, "Mail niet bezorgd");
  ASSERT_EQ(bounced.size(), 1u);
  EXPECT_THAT(bounced[0].text, HasSubstr("550 5.1.1"));
  EXPECT_THAT(bounced[0].text, HasSubstr("gj@vantoever.example.nl"));
  EXPECT_THAT(bounced[0].text, HasSubstr("/beheer/overeenkomsten/" + kenmerk));

  const auto l = mails_to("a.celik@sopoz.example.nl").at(0);
  const LinkView v = s.w().decline(token_of(links_in(l, s.base_url()).at(0)), "Wij doen dit jaar niet mee & <meer>",
                                   Actor{"127.0.0.1", ""});
  EXPECT_EQ(v.kind, LinkView::Kind::declined);
  const auto declined = mails_to(kPenvoerder, "Geweigerd");
  ASSERT_EQ(declined.size(), 1u);
  EXPECT_THAT(declined[0].subject, HasSubstr("Aïsha Çelik"));
  EXPECT_THAT(declined[0].text, HasSubstr("Wij doen dit jaar niet mee & <meer>"));
  EXPECT_THAT(declined[0].html, HasSubstr("Wij doen dit jaar niet mee &amp; &lt;meer&gt;"));
  EXPECT_EQ(mails_to(kPenvoerder).size(), 2u);
}

TEST_P(Schedule, ThePenvoerderHearsOfCompletionAndNothingWithoutAnAddress) {
  {
    Site& s = site({{"penvoerder.email", "Penvoerder <" + kPenvoerder + ">"}});
    const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
    for (const auto& [address, found] : s.invite(kenmerk)) {
      for (const auto& link : found) ASSERT_EQ(s.sign(link).status, 303);
    }
    const auto done = mails_to(kPenvoerder, "Rond");
    ASSERT_EQ(done.size(), 1u);
    EXPECT_THAT(done[0].text, HasSubstr(kenmerk));
    EXPECT_THAT(done[0].text, HasSubstr("gaat in op"));
    EXPECT_EQ(mails_to(kPenvoerder).size(), 1u);
  }
  site_.reset();
  std::filesystem::remove_all(dir_ / "ws");
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  auto links = s.invite(kenmerk);
  const auto first = links.begin()->second.at(0);
  EXPECT_EQ(s.w().decline(token_of(first), "nee", Actor{"127.0.0.1", ""}).kind, LinkView::Kind::declined);
  now_ += 2 * kDay;
  EXPECT_EQ(s.w().run_due().samenvattingen, 0u);
  EXPECT_EQ(mails_to(kPenvoerder).size(), 0u);
  EXPECT_EQ(pickup_mails(s.pickup()).size(), 9u);
}

TEST_P(Schedule, TheDailySummaryComesOnlyWhenSomethingChanged) {
  Site& s = site({{"penvoerder.email", kPenvoerder}});
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = s.invite(kenmerk);
  const std::time_t start = now_;
  EXPECT_EQ(s.w().run_due().samenvattingen, 1u);
  auto summaries = mails_to(kPenvoerder, "Stand van zaken");
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_THAT(summaries[0].text, HasSubstr("Sinds de opening"));
  EXPECT_THAT(summaries[0].text, HasSubstr("uitgenodigd: Noël Brinkërs"));
  EXPECT_THAT(summaries[0].text, HasSubstr("0 van 9 handtekeningen"));
  // Nothing changed: none, not even a day later.
  EXPECT_EQ(s.w().run_due().samenvattingen, 0u);
  now_ = start + 25 * kHour;
  EXPECT_EQ(s.w().run_due().samenvattingen, 0u);
  // A signature: the next summary, since more than a day passed.
  now_ = start + 26 * kHour;
  ASSERT_EQ(s.sign(links.at("r.ijpelaar@zwolle.example.nl").at(0)).status, 303);
  EXPECT_EQ(s.w().run_due().samenvattingen, 1u);
  summaries = mails_to(kPenvoerder, "Stand van zaken");
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_THAT(summaries[1].text, HasSubstr("getekend: Ruud IJpelaar"));
  EXPECT_THAT(summaries[1].text, HasSubstr("1 van 9 handtekeningen"));
  EXPECT_THAT(summaries[1].text, Not(HasSubstr("uitgenodigd: Noël Brinkërs")));
  // Another signature an hour later: within the day, so it waits for the next one.
  now_ = start + 27 * kHour;
  ASSERT_EQ(s.sign(links.at("gj@vantoever.example.nl").at(0)).status, 303);
  EXPECT_EQ(s.w().run_due().samenvattingen, 0u);
  now_ = start + 50 * kHour;
  EXPECT_EQ(s.w().run_due().samenvattingen, 1u);
  EXPECT_THAT(mails_to(kPenvoerder, "Stand van zaken").back().text, HasSubstr("getekend: Geert-Jan"));
  EXPECT_EQ(s.w().run_due().samenvattingen, 0u);
}

TEST_P(Schedule, DutchNamesAndStatusJsonIsWhatTheCliPrints) {
  EXPECT_EQ(dutch(SignatoryState::pending), "nog niet uitgenodigd");
  EXPECT_EQ(dutch(SignatoryState::invited), "uitgenodigd");
  EXPECT_EQ(dutch(SignatoryState::viewed), "bekeken");
  EXPECT_EQ(dutch(SignatoryState::signed_), "getekend");
  EXPECT_EQ(dutch(SignatoryState::declined), "geweigerd");
  EXPECT_EQ(dutch(SignatoryState::expired), "verlopen");
  EXPECT_EQ(dutch(SignatoryState::revoked), "ingetrokken");
  EXPECT_EQ(dutch(VersionState::open), "open");
  EXPECT_EQ(dutch(VersionState::completed), "rond");
  EXPECT_EQ(dutch(VersionState::revoked), "ingetrokken");

  // The real clock here: the CLI reads it too.
  Site& s = site();
  s.w().set_clock([] { return std::time(nullptr); });
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto links = s.invite(kenmerk);
  ASSERT_EQ(s.sign(links.at("r.ijpelaar@zwolle.example.nl").at(0)).status, 303);
  const auto l = links.at("a.celik@sopoz.example.nl").at(0);
  s.w().decline(token_of(l), "Nee, \"dank\" u", Actor{"127.0.0.1", ""});
  s.w().flush_mail();
  const Status st = s.w().status(kenmerk);
  EXPECT_EQ(st.declined_count, 1u);
  EXPECT_EQ(st.bound_count, 1u);
  const std::string json = status_json(st);
  const auto cli = run_sto({"status", kenmerk, "--json", "--home", (dir_ / "ws").string()});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(json, cli.out);
  EXPECT_TRUE(json.ends_with("}\n"));
  EXPECT_THAT(json, HasSubstr("\"state\": \"declined\""));
  EXPECT_THAT(json, HasSubstr("\"invited\": \""));
  EXPECT_THAT(json, HasSubstr("\"bound\": 1"));
  EXPECT_THAT(json, HasSubstr("\"declined\": 1"));
}

TEST_P(Schedule, StatusTakesNoWriteLockWhenNothingIsDueToExpire) {
  Site& s = site();
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  s.invite(kenmerk);
  // Someone holds the agreement's write lock (a signing act): status still answers.
  auto tx = std::make_unique<Store::Transaction>(s.w().store().write(kenmerk));
  auto read = std::async(std::launch::async, [&] { return s.w().status(kenmerk); });
  const auto answered = read.wait_for(std::chrono::seconds(5));
  tx.reset();  // before any failure: the future's destructor would wait for the lock
  EXPECT_EQ(answered, std::future_status::ready) << "status waited for the lock";
  EXPECT_EQ(read.get().signatories.size(), 9u);
  // Past the links' expiry it does take the lock, and marks them expired.
  now_ += 31 * kDay;
  for (const auto& r : s.w().status(kenmerk).signatories) EXPECT_EQ(r.state, SignatoryState::expired);
  EXPECT_EQ(audit(kenmerk, audit_event::expired).size(), 9u);
}

TEST_P(Schedule, ServeSaysWhereBeheerIsAndRunsWhatIsDueEveryInterval) {
  std::string database;
  std::string kenmerk;
  {
    Site& s = site();
    s.w().set_clock([] { return std::time(nullptr); });
    database = s.w().configuration().database;
    kenmerk = s.open(sample("regio-klein-8.xml"));
    s.invite(kenmerk);
  }
  site_.reset();
  const auto conf = dir_ / "ws" / "sto.conf";
  std::ofstream(conf, std::ios::app) << "penvoerder.email = " << kPenvoerder << "\nherinneringen.interval = 1\n";
  const std::string listen = "127.0.0.1:" + std::to_string(free_port());
  Process serve({STO_BINARY, "serve", "--home", (dir_ / "ws").string(), "--database", database, "--listen", listen},
                dir_ / "serve.log");
  ASSERT_TRUE(wait_until_serving("http://" + listen, 30));
  std::size_t summaries = 0;
  for (int i = 0; i < 100 && summaries == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    summaries = 0;
    for (const auto& m : pickup_mails(dir_ / "ws" / "postvak")) {
      summaries += m.subject.find("Stand van zaken") != std::string::npos ? 1 : 0;
    }
  }
  EXPECT_EQ(serve.stop(), 0);
  EXPECT_EQ(summaries, 1u);
  const std::string log = read_text(dir_ / "serve.log");
  EXPECT_THAT(log, HasSubstr("sto serve: luistert op http://" + listen));
  EXPECT_THAT(log, HasSubstr("sto serve: beheer op http://" + listen + "/beheer/\n"));
  EXPECT_THAT(log, HasSubstr("1 samenvatting(en), "));
  EXPECT_THAT(log, Not(HasSubstr("penvoerder.email is niet gezet")));
}

INSTANTIATE_TEST_SUITE_P(Backends, Schedule, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace sto::test
