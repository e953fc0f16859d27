// What goes on without the penvoerder asking: the reminder schedule, the penvoerder's notices
// and daily summary (run_due); and a new link to a corrected address (reinvite).
#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <sstream>

#include "workspace_impl.h"

namespace sto {

namespace {

constexpr std::int64_t kMinuteMs = 60'000;

// One @, a local part without white space or specials, a dotted domain; ASCII only (the mail
// is composed with a plain addr-spec). Whether it works is learned when the mail is accepted.
bool plain_address(std::string_view email) {
  const auto at = email.find('@');
  if (email.size() > 254 || at == 0 || at == std::string_view::npos) return false;
  const auto local = email.substr(0, at);
  const auto domain = email.substr(at + 1);
  for (const char c : local) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f || std::string_view("@<>()[]\\,;:\"").find(c) != std::string_view::npos) return false;
  }
  if (domain.empty() || domain.find('.') == std::string_view::npos) return false;
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return false;
  for (const char c : domain) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '.') return false;
  }
  return true;
}

std::string days_text(const std::vector<int>& days) {
  std::string out;
  for (const int d : days) out += (out.empty() ? "" : ",") + std::to_string(d);
  return out;
}

std::vector<int> parse_days(const std::string& text) {
  std::vector<int> out;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    if (!part.empty()) out.push_back(std::stoi(part));
  }
  return out;
}

// The audit events in the summary's words.
std::string event_words(const std::string& event) {
  static const std::map<std::string, std::string, std::less<>> kWords{
      {"opened", "geopend"},
      {"invited", "uitgenodigd"},
      {"reminded", "herinnerd"},
      {"mail-failed", "mail niet bezorgd"},
      {"viewed", "bekeken"},
      {"pdf-downloaded", "pdf gedownload"},
      {"signed", "getekend"},
      {"declined", "geweigerd"},
      {"expired", "verlopen"},
      {"revoked", "ingetrokken"},
      {"completed", "rond: iedereen heeft getekend"},
      {"email-changed", "e-mailadres gewijzigd"},
      {"schedule-changed", "herinneringsschema gewijzigd"},
  };
  const auto it = kWords.find(event);
  return it == kWords.end() ? event : it->second;
}

bool remindable(SignatoryState s) { return s == SignatoryState::invited || s == SignatoryState::viewed; }

}  // namespace

// --- the penvoerder's notices ---

std::optional<MailAddress> Werkruimte::Impl::penvoerder_address() const {
  const std::string& value = config.penvoerder_email;
  if (value.empty()) return std::nullopt;
  const auto open = value.find('<');
  if (open == std::string::npos) return MailAddress{"", value};
  std::string naam = value.substr(0, open);
  while (!naam.empty() && naam.back() == ' ') naam.pop_back();
  return MailAddress{naam, value.substr(open + 1, value.size() - open - 2)};
}

MailContext Werkruimte::Impl::notice_context(const VersionRecord& v, const SignatoryRecord* s, Store::Transaction* tx) {
  const auto agreement = agreement_of(v, tx);
  MailContext c;
  c.regio = agreement->regio.naam;
  c.kenmerk = v.kenmerk;
  c.versie = v.versie;
  c.document_sha256 = v.document_sha256;
  for (const Partner& p : agreement->partners) {
    if (p.penvoerder) c.penvoerder = p.naam.value;
  }
  if (s != nullptr) {
    c.partner = s->partner;
    c.naam = s->naam;
    c.functie = s->functie;
    c.email = s->email;
  }
  c.link = base_url() + "/beheer/overeenkomsten/" + v.kenmerk;
  c.ca_fingerprint = pki.ca_fingerprint();
  if (v.wijziging > 0) {
    const auto facts = amendment_facts(v, tx);
    c.wijziging = v.wijziging;
    c.soort = facts->soort;
    c.beschrijving = facts->beschrijving;
  }
  return c;
}

// --- a corrected address ---

MailOutcome Werkruimte::reinvite(const std::string& kenmerk, const std::string& tekenbevoegde, const std::string& email,
                                 const Actor& actor) {
  Impl& w = *impl_;
  if (!plain_address(email)) throw Refusal("\"" + email + "\" is geen e-mailadres");
  auto v = w.store.latest_version(kenmerk);
  if (!v) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  w.check_base_url();
  const SignatoryRecord changed = w.store.transact(kenmerk, [&](Store::Transaction& tx) {
    auto current = tx.latest_version();
    if (!current || current->state != VersionState::open) {
      throw Refusal(kenmerk + " versie " + std::to_string(v->versie) + " is " +
                    std::string(dutch(current ? current->state : v->state)));
    }
    v = current;
    for (SignatoryRecord& s : tx.signatories(current->id)) {
      if (s.tekenbevoegde != tekenbevoegde) continue;
      if (s.state == SignatoryState::signed_ || s.state == SignatoryState::declined ||
          s.state == SignatoryState::revoked) {
        throw Refusal(s.naam + " (" + s.tekenbevoegde + ") is " + std::string(dutch(s.state)) + ": geen nieuwe link");
      }
      const std::string old = s.email;
      tx.revoke_tokens(s.id, w.now_ms());
      s.email = email;
      s.seal = w.seal(s, *current);
      s.mail_error.clear();
      // The contacts were with the old address.
      s.invited_ms = 0;
      s.reminded_ms = 0;
      w.set_state(tx, s, SignatoryState::pending);
      AuditEntry e = w.penvoerder_entry(audit_event::email_changed, actor);
      Impl::about(e, s, *current);
      e["old_email"] = old;
      e["email"] = email;
      tx.append(std::move(e));
      return s;
    }
    throw Refusal(kenmerk + " heeft geen tekenbevoegde \"" + tekenbevoegde + "\"");
  });
  auto outcome = w.mail_link(*v, changed, false, actor, [&](Store::Transaction&, const SignatoryRecord& current) {
    return current.state == SignatoryState::pending && current.email == email;
  });
  if (outcome) return *outcome;
  return MailOutcome{tekenbevoegde, email, false, "niet verstuurd: het verzoek is intussen gewijzigd", false};
}

// --- the schedule ---

Herinneringen Werkruimte::herinneringen(const std::string& kenmerk) {
  if (!impl_->store.latest_version(kenmerk)) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  const auto stored = impl_->store.schedule(kenmerk);
  if (!stored) return Herinneringen{};
  return Herinneringen{parse_days(stored->na_dagen), static_cast<int>(stored->dagen_voor_verloop), stored->aan};
}

void Werkruimte::set_herinneringen(const std::string& kenmerk, const Herinneringen& h, const Actor& actor) {
  if (h.na_dagen.size() > 10) throw Refusal("ten hoogste 10 herinneringen na de uitnodiging");
  for (const int d : h.na_dagen) {
    if (d < 1 || d > 365)
      throw Refusal("een herinnering komt 1 tot 365 dagen na de uitnodiging, niet " + std::to_string(d));
  }
  if (h.dagen_voor_verloop < 0 || h.dagen_voor_verloop > 365) {
    throw Refusal("dagen voor het verlopen van de link: 0 tot 365, niet " + std::to_string(h.dagen_voor_verloop));
  }
  std::vector<int> days = h.na_dagen;
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  const Herinneringen now = herinneringen(kenmerk);  // Refusal for an unknown kenmerk
  if (now.na_dagen == days && now.dagen_voor_verloop == h.dagen_voor_verloop && now.aan == h.aan) return;
  impl_->store.transact(kenmerk, [&](Store::Transaction& tx) {
    tx.set_schedule(ScheduleRecord{days_text(days), h.dagen_voor_verloop, h.aan});
    AuditEntry e = impl_->penvoerder_entry(audit_event::schedule_changed, actor);
    e["na_dagen"] = days_text(days);
    e["dagen_voor_verloop"] = std::int64_t{h.dagen_voor_verloop};
    e["aan"] = std::int64_t{h.aan ? 1 : 0};
    tx.append(std::move(e));
  });
}

std::size_t Werkruimte::Impl::remind_due(const std::string& kenmerk) {
  auto v = store.latest_version(kenmerk);
  if (!v || v->state != VersionState::open) return 0;
  const auto stored = store.schedule(kenmerk);
  const Herinneringen h =
      stored ? Herinneringen{parse_days(stored->na_dagen), static_cast<int>(stored->dagen_voor_verloop), stored->aan}
             : Herinneringen{};
  if (!h.aan) return 0;
  std::vector<SignatoryRecord> signatories = store.signatories(v->id);
  if (expiry_due(*v, signatories)) {
    store.transact(kenmerk, [&](Store::Transaction& tx) { expire_due(tx, *v); });
    signatories = store.signatories(v->id);
  }
  const std::int64_t now = now_ms();
  // Due: a point of the schedule has come (days after the invitation, or days before the
  // invitation's link expires) and no mail was accepted since it; and no mail was made for
  // this request in the last 24 h, whatever made it (a reminder by hand, another process, a
  // mail that failed: a bouncing address is not tried every minute).
  const auto due = [&](const SignatoryRecord& s, std::int64_t last_made) {
    if (!remindable(s.state) || s.invited_ms == 0) return false;
    const std::int64_t last = std::max(s.invited_ms, s.reminded_ms);
    if (now - last < kDayMs || now - last_made < kDayMs) return false;
    std::vector<std::int64_t> points;
    for (const int d : h.na_dagen) points.push_back(s.invited_ms + d * kDayMs);
    if (h.dagen_voor_verloop > 0) {
      points.push_back(s.invited_ms + (std::int64_t{config.link_days} - h.dagen_voor_verloop) * kDayMs);
    }
    return std::any_of(points.begin(), points.end(), [&](std::int64_t p) { return p <= now && last < p; });
  };
  std::map<std::int64_t, std::int64_t> made;
  for (const Store::TokenTimes& t : store.token_times(v->id)) made[t.signatory_id] = t.latest_created_ms;
  bool checked = false;
  std::size_t sent = 0;
  for (const SignatoryRecord& s : signatories) {
    if (!due(s, made[s.id])) continue;
    if (!checked) {
      check_base_url();
      checked = true;
    }
    const auto outcome = mail_link(*v, s, true, Actor{"sto", "herinneringsschema"},
                                   [&](Store::Transaction& tx, const SignatoryRecord& current) {
                                     return due(current, tx.latest_token_created(current.id));
                                   });
    if (outcome && outcome->sent) ++sent;
  }
  return sent;
}

// --- the daily summary ---

bool Werkruimte::Impl::summarise_due(const std::string& kenmerk) {
  const auto to = penvoerder_address();
  if (!to) return false;
  const std::int64_t now = now_ms();
  const auto changed = [&](const SummaryRecord& last, std::int64_t length) {
    return length > last.audit_length && (last.sent_ms == 0 || now - last.sent_ms >= kDayMs);
  };
  if (!changed(store.summary(kenmerk), store.audit_head(kenmerk).second)) return false;
  auto v = store.latest_version(kenmerk);
  if (!v) return false;
  // Claimed under the agreement's lock, so that two processes never both send it.
  SummaryRecord previous;
  const std::optional<std::string> overview =
      store.transact(kenmerk, [&](Store::Transaction& tx) -> std::optional<std::string> {
        previous = tx.summary();
        if (!changed(previous, tx.audit_length())) return std::nullopt;
        std::ostringstream o;
        const auto signatories = tx.signatories(v->id);
        std::size_t signed_count = 0, declined = 0, bound = 0, partners = 0;
        std::map<std::string, bool> partner_bound;
        for (const SignatoryRecord& s : signatories) {
          signed_count += s.state == SignatoryState::signed_ ? 1 : 0;
          declined += s.state == SignatoryState::declined ? 1 : 0;
          auto [it, added] = partner_bound.emplace(s.partner_id, true);
          it->second = it->second && s.state == SignatoryState::signed_;
        }
        for (const auto& [id, b] : partner_bound) ++partners, bound += b ? 1 : 0;
        o << "Stand (versie " << v->versie << ", " << dutch(v->state) << "): " << signed_count << " van "
          << signatories.size() << " handtekeningen, " << bound << " van " << partners << " partners gebonden, "
          << declined << " geweigerd.\n\n"
          << (previous.sent_ms == 0 ? "Sinds de opening:\n"
                                    : "Sinds de vorige samenvatting (" + utc_time(previous.sent_ms) + "):\n");
        std::size_t listed = 0, more = 0;
        for (const AuditRecord& r : tx.audit()) {
          if (r.seq <= previous.audit_length) continue;
          AuditEntry e;
          try {
            e = parse_flat_json(r.canonical);
          } catch (const Error&) {
            continue;
          }
          const std::string event = audit_text(e, "event");
          if (event == audit_event::pdf_downloaded) continue;  // the page's detail, not news
          if (listed >= 200) {
            ++more;
            continue;
          }
          ++listed;
          std::string time = audit_text(e, "time").substr(0, 16);
          if (time.size() == 16) time[10] = ' ';
          std::string line = "- " + time + " UTC  " + event_words(event);
          if (!audit_text(e, "naam").empty())
            line += ": " + audit_text(e, "naam") + " (" + audit_text(e, "partner") + ")";
          if (!audit_text(e, "reason").empty()) line += ", reden: " + audit_text(e, "reason");
          if (event == audit_event::mail_failed) line += ": " + audit_text(e, "error");
          o << line << "\n";
        }
        if (more > 0) o << "- en " << more << " meer (zie de auditlog)\n";
        std::size_t waiting = 0;
        for (const SignatoryRecord& s : signatories) waiting += !is_final(s.state) ? 1 : 0;
        if (v->state == VersionState::open && waiting > 0) {
          o << "\nNog niet getekend of geweigerd:\n";
          std::size_t shown = 0;
          for (const SignatoryRecord& s : signatories) {
            if (is_final(s.state)) continue;
            if (++shown > 200) {
              o << "- en " << waiting - 200 << " meer\n";
              break;
            }
            o << "- " << s.naam << " (" << s.partner << "): " << dutch(s.state);
            const std::int64_t last = std::max(s.invited_ms, s.reminded_ms);
            if (last != 0) o << ", laatst gemaild " << utc_time(last);
            if (!s.mail_error.empty()) o << ", MAIL NIET BEZORGD: " << s.mail_error;
            o << "\n";
          }
        }
        tx.set_summary(SummaryRecord{now, tx.audit_length()});
        return o.str();
      });
  if (!overview) return false;
  MailContext c = notice_context(*v, nullptr);
  c.overzicht = *overview;
  while (!c.overzicht.empty() && c.overzicht.back() == '\n') c.overzicht.pop_back();
  try {
    transport->send(daily_summary(templates, config.mail_from, *to, c));
  } catch (const Error&) {
    // Not sent: the next round tries again.
    store.transact(kenmerk, [&](Store::Transaction& tx) { tx.set_summary(previous); });
    throw;
  }
  return true;
}

Rondgang Werkruimte::run_due() {
  Impl& w = *impl_;
  Rondgang r;
  try {
    r.mails = deliver_outbox();
  } catch (const std::exception& e) {
    std::cerr << "sto: postvak: " << e.what() << "\n";
  }
  for (const std::string& kenmerk : w.store.kenmerken()) {
    for (int step = 0; step < 2; ++step) {
      try {
        if (step == 0) {
          r.herinneringen += w.remind_due(kenmerk);
        } else if (w.summarise_due(kenmerk)) {
          ++r.samenvattingen;
        }
      } catch (const std::exception& e) {
        // Once per message: the next round meets the same misconfiguration again.
        const std::string message = kenmerk + ": " + (step == 0 ? "herinneringen: " : "samenvatting: ") + e.what();
        const std::lock_guard lock(w.cache_mutex);
        if (w.reported.size() > 1000) w.reported.clear();
        if (w.reported.insert(message).second) std::cerr << "sto: " << message << "\n";
      }
    }
  }
  return r;
}

}  // namespace sto
