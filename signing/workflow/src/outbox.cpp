// The mails acts cause, kept in the store until a mail server accepted them: the completion mail
// to every signatory, and the penvoerder's notices (completed, declined, undeliverable). The act
// writes them in its own transaction; delivery happens after the commit, and again by every
// `sto serve` round until accepted. A mail is claimed under the agreement's lock before it is
// sent (two servers never both send it); a crash between send and record sends it again: at
// least once, never lost.
#include <algorithm>
#include <array>
#include <iostream>

#include "workspace_impl.h"

namespace sto {

namespace {

constexpr std::string_view kCompletion = "afronding";
constexpr std::string_view kCompletedNotice = "melding-voltooid";
constexpr std::string_view kDeclinedNotice = "melding-geweigerd";
constexpr std::string_view kBounceNotice = "melding-onbestelbaar";

constexpr int kMaxAttempts = 10;  // 1 + 2 + 4 + ... minutes: about 17 hours of trying

std::int64_t backoff_ms(std::int64_t attempts) {
  const std::int64_t minutes = std::int64_t{1} << std::min<std::int64_t>(attempts - 1, 9);
  return std::min<std::int64_t>(minutes * 60'000, 6 * 3'600'000);
}

std::string lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::string_view outbox_words(std::string_view kind) {
  if (kind == kCompletion) return "afrondingsmail";
  if (kind == kCompletedNotice) return "melding aan de penvoerder: voltooid";
  if (kind == kDeclinedNotice) return "melding aan de penvoerder: geweigerd";
  if (kind == kBounceNotice) return "melding aan de penvoerder: mail niet bezorgd";
  return kind;
}

void Werkruimte::Impl::enqueue(Store::Transaction& tx, std::string_view kind, const VersionRecord& v,
                               std::int64_t signatory_id, const std::string& detail) {
  const bool to_penvoerder = kind != kCompletion;
  if (to_penvoerder && !penvoerder_address()) return;
  OutboxRecord m;
  m.kind = std::string(kind);
  m.version_id = v.id;
  m.signatory_id = signatory_id;
  m.detail = detail;
  m.created_ms = now_ms();
  m.next_ms = m.created_ms;
  tx.enqueue(m);
}

void Werkruimte::Impl::enqueue_completion(Store::Transaction& tx, const VersionRecord& v,
                                          const std::vector<SignatoryRecord>& signatories) {
  // One mail per address (someone who signed for two partners gets one, naming both).
  std::vector<std::pair<std::int64_t, std::string>> recipients;  // first signatory, partners
  std::map<std::string, std::size_t> by_address;
  for (const SignatoryRecord& s : signatories) {
    const auto [it, added] = by_address.emplace(lowered(s.email), recipients.size());
    if (added) {
      recipients.emplace_back(s.id, s.partner);
    } else {
      recipients[it->second].second += " en " + s.partner;
    }
  }
  for (const auto& [id, partners] : recipients) enqueue(tx, kCompletion, v, id, partners);
  // An amendment is signed by those it concerns and the penvoerder on everyone's mandate: the
  // other partners' tekenbevoegden are told it is in force (article "Wijzigingen"), once per
  // address too. Their mail carries its address: they are no signatory of this document.
  if (v.wijziging > 0) {
    std::vector<std::array<std::string, 3>> others;  // partners, naam, email
    for (const Partner& p : amendment_facts(v, &tx)->na.partners) {
      for (const Tekenbevoegde& t : p.tekenbevoegden) {
        const auto [it, added] = by_address.emplace(lowered(t.email), recipients.size() + others.size());
        if (added) {
          others.push_back({p.naam.value, t.naam, t.email});
        } else if (it->second >= recipients.size()) {
          auto& partners = others[it->second - recipients.size()][0];
          if (partners.find(p.naam.value) == std::string::npos) partners += " en " + p.naam.value;
        }
      }
    }
    for (const auto& [partners, naam, email] : others)
      enqueue(tx, kCompletion, v, 0, partners + "\n" + naam + "\n" + email);
  }
  enqueue(tx, kCompletedNotice, v, 0, "");
}

std::optional<MailAddress> outbox_recipient(const OutboxRecord& m, const std::vector<SignatoryRecord>& signatories) {
  if (m.kind != kCompletion) return std::nullopt;
  if (m.signatory_id != 0) {
    for (const SignatoryRecord& s : signatories) {
      if (s.id == m.signatory_id) return MailAddress{s.naam, s.email};
    }
    return std::nullopt;
  }
  const std::size_t first = m.detail.find('\n');
  const std::size_t second = first == std::string::npos ? first : m.detail.find('\n', first + 1);
  if (second == std::string::npos) return std::nullopt;
  return MailAddress{m.detail.substr(first + 1, second - first - 1), m.detail.substr(second + 1)};
}

void Werkruimte::Impl::enqueue_declined(Store::Transaction& tx, const VersionRecord& v, const SignatoryRecord& s) {
  enqueue(tx, kDeclinedNotice, v, s.id, "");
}

void Werkruimte::Impl::enqueue_bounce(Store::Transaction& tx, const VersionRecord& v, const SignatoryRecord& s,
                                      const std::string& message) {
  enqueue(tx, kBounceNotice, v, s.id, message);
}

// The mail `m` stands for, made now from what the store holds (inside the claim's transaction).
Mail Werkruimte::Impl::outgoing(Store::Transaction& tx, const OutboxRecord& m,
                                std::map<std::int64_t, std::string>& signed_pdfs) {
  const auto versions = tx.versions();
  const auto v =
      std::find_if(versions.begin(), versions.end(), [&](const VersionRecord& x) { return x.id == m.version_id; });
  if (v == versions.end()) throw Error("versie " + std::to_string(m.version_id) + " ontbreekt");
  const std::vector<SignatoryRecord> signatories = tx.signatories(v->id);
  const auto s = std::find_if(signatories.begin(), signatories.end(),
                              [&](const SignatoryRecord& x) { return x.id == m.signatory_id; });
  const SignatoryRecord* about = s == signatories.end() ? nullptr : &*s;
  std::int64_t effective_ms = 0;  // the latest signature, as the completion recorded it
  for (const SignatoryRecord& x : signatories) effective_ms = std::max(effective_ms, x.state_ms);
  MailContext c = notice_context(*v, about, &tx);
  c.ingangsdatum = static_cast<std::time_t>(effective_ms / 1000);
  if (m.kind == kCompletion) {
    const auto to = outbox_recipient(m, signatories);
    if (!to) throw Error("afrondingsmail zonder ondertekenaar");
    c.email.clear();
    c.link.clear();
    c.partner = m.detail.substr(0, m.detail.find('\n'));
    c.naam = to->naam;
    // Read (and its chain checked) once per round, not once per mail: 140 mails, 140 revisions.
    auto pdf = signed_pdfs.find(v->id);
    if (pdf == signed_pdfs.end())
      pdf = signed_pdfs.emplace(v->id, SignedContract::open(dir / v->contract_dir).pdf()).first;
    Attachment a{v->kenmerk + "-v" + std::to_string(v->versie) +
                     (v->wijziging > 0 ? "-w" + std::to_string(v->wijziging) : std::string()) + "-getekend.pdf",
                 "application/pdf", pdf->second};
    if (v->wijziging > 0) return amendment_completion(templates, config.mail_from, *to, c, std::move(a));
    return completion(templates, config.mail_from, *to, c, std::move(a));
  }
  const auto to = penvoerder_address();
  if (!to) throw MailError(MailError::Kind::permanent, 0, "penvoerder.email is niet gezet");
  if (m.kind == kCompletedNotice) return completed_notice(templates, config.mail_from, *to, c);
  if (about == nullptr) throw Error(std::string(outbox_words(m.kind)) + " zonder ondertekenaar");
  if (m.kind == kDeclinedNotice) {
    c.reden = about->reason;
    return declined_notice(templates, config.mail_from, *to, c);
  }
  if (m.kind == kBounceNotice) {
    c.melding = m.detail;
    return bounce_notice(templates, config.mail_from, *to, c);
  }
  throw Error("onbekende soort mail \"" + m.kind + "\" in het postvak");
}

std::size_t Werkruimte::Impl::deliver(const std::string& kenmerk) {
  struct Claim {
    OutboxRecord record;
    std::optional<Mail> mail;
    std::string failure;  // it could not even be made (the signed PDF unreadable, a template broken)
    bool permanent = false;
  };
  std::size_t sent = 0;
  std::map<std::int64_t, std::string> signed_pdfs;
  for (;;) {
    // One at a time: claimed under the agreement's lock (its next try moved a claim's length
    // ahead, so no other server takes it meanwhile) and made there; sent outside the lock.
    const std::int64_t now = now_ms();
    auto claim = store.transact(kenmerk, [&](Store::Transaction& tx) -> std::optional<Claim> {
      for (OutboxRecord m : tx.outbox()) {
        if (m.sent_ms != 0 || m.next_ms == 0 || m.next_ms > now) continue;
        ++m.attempts;
        m.next_ms = now + std::int64_t{config.mail_claim_seconds} * 1000;
        tx.update_outbox(m);
        Claim c{m, std::nullopt, "", false};
        try {
          c.mail = outgoing(tx, m, signed_pdfs);
        } catch (const MailError& e) {
          c.failure = e.what();
          c.permanent = e.kind() == MailError::Kind::permanent;
        } catch (const std::exception& e) {
          c.failure = e.what();
        }
        return c;
      }
      return std::nullopt;
    });
    if (!claim) return sent;
    if (claim->mail) {
      try {
        transport->send(*claim->mail);
      } catch (const MailError& e) {
        claim->failure = e.what();
        claim->permanent = e.kind() == MailError::Kind::permanent;
      }
    }
    OutboxRecord& m = claim->record;
    store.transact(kenmerk, [&](Store::Transaction& tx) {
      // Another deliverer may have taken it meanwhile (a send longer than the claim): a success
      // is recorded whatever came between, a failure only while the claim is still ours, and
      // nothing replaces a success.
      const auto rows = tx.outbox();
      const auto now_row = std::find_if(rows.begin(), rows.end(), [&](const OutboxRecord& r) { return r.id == m.id; });
      if (now_row == rows.end() || now_row->sent_ms != 0) return;
      if (!claim->failure.empty() && now_row->attempts != m.attempts) return;
      if (claim->failure.empty()) {
        m.sent_ms = now_ms();
        m.error.clear();
      } else {
        m.error = claim->failure;
        const bool given_up = claim->permanent || m.attempts >= kMaxAttempts;
        m.next_ms = given_up ? 0 : now_ms() + backoff_ms(m.attempts);
        // In the chain when it first fails and when it is given up, not at every try.
        if (m.attempts == 1 || given_up) {
          AuditEntry e = entry(audit_event::mail_failed, Actor{"sto", "postvak"});
          const auto versions = tx.versions();
          const auto v = std::find_if(versions.begin(), versions.end(),
                                      [&](const VersionRecord& x) { return x.id == m.version_id; });
          const auto s = m.signatory_id == 0 ? std::nullopt : tx.signatory(m.signatory_id);
          if (v != versions.end()) {
            of_version(e, *v);
            if (s) about(e, *s, *v);
          }
          const auto to = outbox_recipient(m, s ? std::vector<SignatoryRecord>{*s} : std::vector<SignatoryRecord>{});
          e["email"] = to ? to->adres : std::string("penvoerder");
          e["mail"] = std::string(outbox_words(m.kind));
          e["error"] = m.error;
          e["attempts"] = m.attempts;
          e["given_up"] = std::string(given_up ? "ja" : "nee");
          tx.append(std::move(e));
        }
      }
      tx.update_outbox(m);
    });
    if (claim->failure.empty()) {
      ++sent;
    } else {
      std::cerr << "sto: " << outbox_words(m.kind) << " van " << kenmerk << " niet verstuurd (poging " << m.attempts
                << "): " << claim->failure << "\n";
    }
  }
}

void Werkruimte::Impl::deliver_soon(const std::string& kenmerk) {
  in_background("postvak van " + kenmerk, [this, kenmerk] { deliver(kenmerk); });
}

std::size_t Werkruimte::deliver_outbox() {
  std::size_t sent = 0;
  for (const std::string& kenmerk : impl_->store.outbox_due(impl_->now_ms())) {
    try {  // one agreement's trouble (its database lock, say) does not hold up the others' mail
      sent += impl_->deliver(kenmerk);
    } catch (const std::exception& e) {
      std::cerr << "sto: postvak van " << kenmerk << ": " << e.what() << "\n";
    }
  }
  return sent;
}

}  // namespace sto
