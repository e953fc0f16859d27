// The mail steps: invitations and reminders (a new personal link each, the outcome recorded per
// request). The completion mails and the penvoerder's notices go through the outbox (outbox.cpp).
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <Poco/URI.h>

#include <algorithm>
#include <iostream>

#include "workspace_impl.h"

namespace sto {

namespace {

std::string new_token() {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) throw_openssl_error("willekeurig token maken mislukt");
  unsigned char b64[48];
  const int n = EVP_EncodeBlock(b64, raw, sizeof raw);
  std::string token(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
  while (!token.empty() && token.back() == '=') token.pop_back();
  for (char& c : token) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return token;
}

// A notice's context (the penvoerder's link replaced by the signatory's own, which may be empty).
MailContext context(Werkruimte::Impl& w, const VersionRecord& v, const SignatoryRecord& s, const std::string& link,
                    std::int64_t expires_ms) {
  MailContext c = w.notice_context(v, &s);
  c.email.clear();
  c.link = link;
  const std::vector<std::string> changes = w.changes_for(v, s.tekenbevoegde);
  if (!changes.empty()) {
    c.wijzigingen = "Gewijzigd sinds versie " + std::to_string(v.changes_from) + ", die u eerder ontving:\n";
    for (const std::string& line : changes) c.wijzigingen += "- " + line + "\n";
  }
  c.verloopt = static_cast<std::time_t>(expires_ms / 1000);
  return c;
}

// Records what became of one mail to `listed` (sent: `delivery`; failed: `failure`); nullopt when
// the request is not this agreement's. The mail
// went out (or failed) whatever happened meanwhile, so it is recorded either way; the state
// moves only when nobody else moved it (a signature, a revocation, another invite). A permanent
// failure is the penvoerder's to know (a notice through the outbox).
std::optional<MailOutcome> record_mailing(Werkruimte::Impl& w, const VersionRecord& v, const SignatoryRecord& listed,
                                          bool reminder, const Actor& actor, const std::optional<Delivery>& delivery,
                                          const std::optional<MailError>& failure) {
  auto recorded = w.store.transact(v.kenmerk, [&](Store::Transaction& tx) -> std::optional<MailOutcome> {
    MailOutcome outcome{listed.tekenbevoegde, listed.email, false, "", false};
    auto s = tx.signatory(listed.id);
    if (!s) return std::nullopt;
    const bool unchanged = s->state == listed.state;
    if (delivery) {
      s->mail_error.clear();
      if (unchanged && (listed.state == SignatoryState::pending || listed.state == SignatoryState::expired)) {
        s->state = SignatoryState::invited;
        s->state_ms = w.now_ms();
      }
      (reminder ? s->reminded_ms : s->invited_ms) = w.now_ms();
      tx.update_signatory(*s);
      AuditEntry e = w.penvoerder_entry(reminder ? audit_event::reminded : audit_event::invited, actor);
      Werkruimte::Impl::about(e, *s, v);
      e["email"] = listed.email;
      e["message_id"] = delivery->message_id;
      e["server_reply"] = delivery->server_reply;
      tx.append(std::move(e));
      outcome.sent = true;
      outcome.detail = delivery->server_reply;
    } else {
      s->mail_error =
          std::string(failure->kind() == MailError::Kind::permanent ? "blijvend: " : "tijdelijk: ") + failure->what();
      tx.update_signatory(*s);
      AuditEntry e = w.penvoerder_entry(audit_event::mail_failed, actor);
      Werkruimte::Impl::about(e, *s, v);
      e["email"] = listed.email;
      e["error"] = s->mail_error;
      e["code"] = std::int64_t{failure->code()};
      tx.append(std::move(e));
      outcome.detail = s->mail_error;
      // A permanent failure is the penvoerder's to know.
      if (failure->kind() == MailError::Kind::permanent) w.enqueue_bounce(tx, v, *s, failure->what());
    }
    return outcome;
  });
  if (recorded && failure && failure->kind() == MailError::Kind::permanent) w.deliver_soon(v.kenmerk);
  return recorded;
}

}  // namespace

void Werkruimte::Impl::check_base_url() const {
  const std::string host = Poco::URI(base_url()).getHost();
  if (host == "0.0.0.0" || host == "::" || host.empty()) {
    throw Refusal("de links zouden naar " + base_url() + " wijzen: zet base_url (sto.conf of --base-url)");
  }
}

std::optional<MailOutcome> Werkruimte::Impl::mail_link(
    const VersionRecord& v, const SignatoryRecord& listed, bool reminder, const Actor& actor,
    const std::function<bool(Store::Transaction&, const SignatoryRecord&)>& claim) {
  // A request whose record does not match its seal (its address written into the database behind
  // sto's back) gets no link.
  if (!sealed(listed, v) || !sealed(v)) {
    std::cerr << "sto: " << v.kenmerk << ": " << listed.tekenbevoegde
              << " klopt niet met zijn zegel: de database is buiten sto om gewijzigd; geen link gemaakt\n";
    return MailOutcome{listed.tekenbevoegde, listed.email, false,
                       "niet verstuurd: klopt niet met zijn zegel (de database is buiten sto om gewijzigd)", false};
  }
  const std::string token = new_token();
  TokenRecord t;
  t.hash = token_hash(token);
  t.signatory_id = listed.id;
  t.document_sha256 = v.document_sha256;
  t.created_ms = now_ms();
  t.expires_ms = t.created_ms + std::int64_t{config.link_days} * kDayMs;
  t.seal = seal(t, listed, v);
  const bool claimed = store.transact(v.kenmerk, [&](Store::Transaction& tx) {
    if (claim) {
      auto current = tx.signatory(listed.id);
      if (!current || !claim(tx, *current)) return false;
    }
    tx.insert_token(t);
    return true;
  });
  if (!claimed) return std::nullopt;
  const MailAddress to{listed.naam, listed.email};
  const MailContext c = context(*this, v, listed, base_url() + "/t/" + token, t.expires_ms);
  std::optional<Delivery> delivery;
  std::optional<MailError> failure;
  try {
    delivery = transport->send(reminder ? sto::reminder(templates, config.mail_from, to, c)
                                        : invitation(templates, config.mail_from, to, c));
  } catch (const MailError& e) {
    if (e.kind() == MailError::Kind::configuration) throw;
    failure = e;
  }
  return record_mailing(*this, v, listed, reminder, actor, delivery, failure);
}

std::vector<MailOutcome> Werkruimte::Impl::send_links(const std::string& kenmerk, bool reminder,
                                                      const RemindOptions& options, const Actor& actor) {
  auto v = store.latest_version(kenmerk);
  if (!v) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  if (v->state != VersionState::open) {
    throw Refusal(kenmerk + " versie " + std::to_string(v->versie) + " is " + std::string(dutch(v->state)));
  }
  check_base_url();
  store.transact(kenmerk, [&](Store::Transaction& tx) { expire_due(tx, *v); });
  // A reminder also revives a request whose links expired: a new link, valid link.days again.
  const auto wanted = [&](const SignatoryRecord& s) {
    return reminder ? (s.state == SignatoryState::invited || s.state == SignatoryState::viewed ||
                       s.state == SignatoryState::expired)
                    : s.state == SignatoryState::pending;
  };
  std::vector<SignatoryRecord> listed = store.signatories(v->id);
  if (!options.tekenbevoegde.empty()) {
    std::erase_if(listed, [&](const SignatoryRecord& s) { return s.tekenbevoegde != options.tekenbevoegde; });
    if (listed.empty()) {
      throw Refusal(kenmerk + " heeft geen tekenbevoegde \"" + options.tekenbevoegde + "\"");
    }
    if (!wanted(listed.front())) {
      throw Refusal(listed.front().naam + " (" + listed.front().tekenbevoegde + ") is " +
                    std::string(dutch(listed.front().state)) + ": " +
                    (reminder ? "geen herinnering" : "geen uitnodiging"));
    }
  }
  // The 24 h rule: whoever had an invitation or reminder accepted less than a day ago is not
  // mailed again unless forced, whatever sent the earlier mail.
  const auto recent = [&](const SignatoryRecord& s) {
    const std::int64_t last = std::max(s.invited_ms, s.reminded_ms);
    return reminder && !options.force && last != 0 && now_ms() - last < kDayMs;
  };
  std::vector<MailOutcome> outcomes;
  for (const SignatoryRecord& s : listed) {
    if (!wanted(s)) continue;
    const auto skip = [&](const SignatoryRecord& current) {
      const std::int64_t last = std::max(current.invited_ms, current.reminded_ms);
      return MailOutcome{s.tekenbevoegde, s.email, false,
                         "overgeslagen: laatst gemaild " + utc_time(last) + ", minder dan 24 uur geleden", true};
    };
    if (recent(s)) {
      outcomes.push_back(skip(s));
      continue;
    }
    std::optional<SignatoryRecord> raced;
    auto outcome = mail_link(*v, s, reminder, actor, [&](Store::Transaction&, const SignatoryRecord& current) {
      if (!wanted(current)) return false;  // another act mailed or moved it meanwhile
      if (!recent(current)) return true;
      raced = current;
      return false;
    });
    if (outcome) {
      outcomes.push_back(std::move(*outcome));
    } else if (raced) {
      outcomes.push_back(skip(*raced));
    }
  }
  return outcomes;
}

void Werkruimte::Impl::in_background(std::string what, std::function<void()> job) {
  const std::lock_guard lock(mailers_mutex);
  std::erase_if(mailers, [](const std::future<void>& f) {
    return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  });
  mailers.push_back(std::async(std::launch::async, [what = std::move(what), job = std::move(job)]() noexcept {
    // Nothing may escape a thread of its own.
    try {
      job();
    } catch (const std::exception& e) {
      std::cerr << "sto: " << what << ": " << e.what() << "\n";
    }
  }));
}

void Werkruimte::Impl::flush_mail() {
  std::vector<std::future<void>> running;
  {
    const std::lock_guard lock(mailers_mutex);
    running.swap(mailers);
  }
  for (auto& f : running) f.wait();
}

std::vector<MailOutcome> Werkruimte::invite(const std::string& kenmerk, const Actor& actor) {
  return impl_->send_links(kenmerk, false, {}, actor);
}

std::vector<MailOutcome> Werkruimte::remind(const std::string& kenmerk, const RemindOptions& options,
                                            const Actor& actor) {
  return impl_->send_links(kenmerk, true, options, actor);
}

}  // namespace sto
