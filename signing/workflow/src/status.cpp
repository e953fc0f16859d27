// The penvoerder's view of an agreement: every request's state, the partners bound, the
// effective date and the audit chain's head; requests whose links all expired are marked first.
// Also the states in Dutch and the JSON `sto status --json` prints.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <array>
#include <sstream>

#include "workspace_impl.h"

namespace sto {

namespace {

constexpr std::array<std::string_view, 7> kDutchSignatory = {
    "nog niet uitgenodigd", "uitgenodigd", "bekeken", "getekend", "geweigerd", "verlopen", "ingetrokken"};
constexpr std::array<std::string_view, 3> kDutchVersion = {"open", "rond", "ingetrokken"};

}  // namespace

std::string utc_time(std::int64_t ms) {
  if (ms == 0) return "—";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string_view dutch(SignatoryState s) { return kDutchSignatory[static_cast<std::size_t>(s)]; }
std::string_view dutch(VersionState s) { return kDutchVersion[static_cast<std::size_t>(s)]; }

bool Werkruimte::Impl::expiry_due(const VersionRecord& v, const std::vector<SignatoryRecord>& signatories) {
  if (v.state != VersionState::open) return false;
  bool waiting = false;
  for (const SignatoryRecord& s : signatories)
    waiting = waiting || (!is_final(s.state) && s.state != SignatoryState::pending);
  if (!waiting) return false;
  const std::int64_t now = now_ms();
  std::map<std::int64_t, std::int64_t> expiries;
  for (const Store::TokenTimes& t : store.token_times(v.id)) expiries[t.signatory_id] = t.latest_expiry_ms;
  for (const SignatoryRecord& s : signatories) {
    if (is_final(s.state) || s.state == SignatoryState::pending) continue;
    const auto until = expiries.find(s.id);
    if (until != expiries.end() && until->second != 0 && until->second <= now) return true;
  }
  return false;
}

void Werkruimte::Impl::expire_due(Store::Transaction& tx, const VersionRecord& v) {
  if (v.state != VersionState::open) return;
  for (SignatoryRecord& s : tx.signatories(v.id)) {
    if (is_final(s.state) || s.state == SignatoryState::pending) continue;
    const std::int64_t until = tx.latest_token_expiry(s.id);
    if (until == 0 || until > now_ms()) continue;
    set_state(tx, s, SignatoryState::expired);
    AuditEntry e = entry(audit_event::expired, Actor{"sto", ""});
    tx.append(std::move(about(e, s, v)));
  }
}

Status Werkruimte::status(const std::string& kenmerk) {
  Status st;
  auto v = impl_->store.latest_version(kenmerk);
  if (!v) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  st.signatories = impl_->store.signatories(v->id);
  // Read first: the /beheer pages ask for this many times a second while people sign, and the
  // write lock would queue them behind every signing act.
  if (impl_->expiry_due(*v, st.signatories)) {
    impl_->store.transact(kenmerk, [&](Store::Transaction& tx) {
      auto current = tx.latest_version();
      if (!current) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
      impl_->expire_due(tx, *current);
    });
    v = impl_->store.latest_version(kenmerk);
    st.signatories = impl_->store.signatories(v->id);
  }
  st.version = *v;
  std::int64_t last = 0;
  for (const SignatoryRecord& s : st.signatories) {
    if (s.state == SignatoryState::signed_) ++st.signed_count, last = std::max(last, s.state_ms);
    if (s.state == SignatoryState::declined) ++st.declined_count;
    st.contacts.push_back(Contact{s.invited_ms, s.reminded_ms});
    if (st.partners.empty() || st.partners.back().partner_id != s.partner_id) {
      st.partners.push_back(PartnerStatus{s.partner_id, s.partner, true});
    }
    st.partners.back().bound = st.partners.back().bound && s.state == SignatoryState::signed_;
  }
  for (const PartnerStatus& p : st.partners) st.bound_count += p.bound ? 1 : 0;
  if (!st.signatories.empty() && st.signed_count == st.signatories.size()) st.effective_ms = last;
  const auto [head, length] = impl_->store.audit_head(kenmerk);
  st.audit_head = head;
  st.audit_length = static_cast<std::size_t>(length);
  for (const OutboxRecord& m : impl_->store.outbox(kenmerk)) {
    if (m.sent_ms != 0) continue;
    UnsentMail u{std::string(outbox_words(m.kind)), "penvoerder", m.attempts, m.next_ms, m.error};
    if (const auto to = outbox_recipient(m, st.signatories)) u.to = to->naam + " <" + to->adres + ">";
    st.unsent.push_back(std::move(u));
  }
  impl_->amendments_status(kenmerk, st);
  return st;
}

std::string status_json(const Status& s) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("kenmerk", s.version.kenmerk);
  root.set("versie", s.version.versie);
  if (s.version.wijziging > 0) root.set("wijziging", s.version.wijziging);
  root.set("state", std::string(to_string(s.version.state)));
  root.set("document_sha256", s.version.document_sha256);
  root.set("signed", s.signed_count);
  root.set("signatories", s.signatories.size());
  root.set("effective", s.effective_ms == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(utc_time(s.effective_ms)));
  if (!s.contract_sha256.empty()) root.set("contract_sha256", s.contract_sha256);
  root.set("audit_head", s.audit_head);
  root.set("audit_length", s.audit_length);
  Poco::JSON::Array list;
  for (std::size_t i = 0; i < s.signatories.size(); ++i) {
    const SignatoryRecord& x = s.signatories[i];
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("tekenbevoegde", x.tekenbevoegde);
    o.set("partner_id", x.partner_id);
    o.set("partner", x.partner);
    o.set("naam", x.naam);
    o.set("functie", x.functie);
    o.set("email", x.email);
    o.set("state", std::string(to_string(x.state)));
    o.set("time", utc_time(x.state_ms));
    if (!x.mail_error.empty()) o.set("mail_error", x.mail_error);
    if (!x.reason.empty()) o.set("reason", x.reason);
    if (x.revision != 0) o.set("revision", x.revision);
    if (!x.certificate_sha256.empty()) o.set("certificate_sha256", x.certificate_sha256);
    const Contact c = i < s.contacts.size() ? s.contacts[i] : Contact{};
    if (c.invited_ms != 0) o.set("invited", utc_time(c.invited_ms));
    if (c.reminded_ms != 0) o.set("reminded", utc_time(c.reminded_ms));
    list.add(o);
  }
  root.set("tekenbevoegden", list);
  Poco::JSON::Array partners;
  for (const auto& p : s.partners) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("partner_id", p.partner_id);
    o.set("partner", p.partner);
    o.set("bound", p.bound);
    partners.add(o);
  }
  root.set("partners", partners);
  root.set("bound", s.bound_count);
  root.set("declined", s.declined_count);
  Poco::JSON::Array unsent;
  for (const UnsentMail& m : s.unsent) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("mail", m.what);
    o.set("to", m.to);
    o.set("attempts", m.attempts);
    o.set("next_try", m.next_ms == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(utc_time(m.next_ms)));
    o.set("error", m.error);
    unsent.add(o);
  }
  root.set("unsent_mail", unsent);
  Poco::JSON::Array wijzigingen;
  for (const WijzigingStatus& w : s.wijzigingen) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("nummer", w.nummer);
    o.set("soort", w.soort);
    o.set("state", std::string(to_string(w.state)));
    o.set("opened", utc_time(w.opened_ms));
    o.set("closed", w.closed_ms == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(utc_time(w.closed_ms)));
    if (!w.signed_sha256.empty()) o.set("signed_sha256", w.signed_sha256);
    wijzigingen.add(o);
  }
  root.set("wijzigingen", wijzigingen);
  Poco::JSON::Array in_force;
  for (const auto& p : s.in_force) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("partner_id", p.partner_id);
    o.set("partner", p.partner);
    in_force.add(o);
  }
  root.set("in_force", in_force);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(root, out, 2);
  out << "\n";
  return out.str();
}

std::string Werkruimte::signed_pdf(const std::string& kenmerk) {
  auto v = impl_->store.latest_version(kenmerk);
  if (!v) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  return SignedContract::open(impl_->dir / v->contract_dir).pdf();
}

}  // namespace sto
