// What a link shows and does: the page's view (the first one recorded), the contract's download,
// and the signing act or the refusal, each inside the agreement's transaction.
#include <algorithm>
#include <cctype>

#include "sto/atomic_file.h"
#include "workspace_impl.h"

namespace sto {

namespace {

using Kind = LinkView::Kind;

// Letters compared without case, runs of white space as one space, ends trimmed: what a person
// typing their own name means, not how they type it. Non-ASCII letters must match exactly.
std::string loosely(std::string_view s) {
  std::string out;
  bool space = false;
  for (const char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

Kind Werkruimte::Impl::classify(const LinkRecord& link) const {
  // A link the workflow did not make (a row written into the database by hand) opens nothing.
  if (!sealed(link)) return Kind::unknown;
  // What was done stays shown, whatever happened to the version since.
  if (link.token.document_sha256 != link.version.document_sha256) return Kind::other_version;
  if (link.signatory.state == SignatoryState::signed_) return Kind::signed_;
  if (link.signatory.state == SignatoryState::declined) return Kind::declined;
  if (link.token.revoked_ms != 0) return Kind::revoked;  // replaced by a link to a corrected address
  if (link.version.state == VersionState::revoked || link.signatory.state == SignatoryState::revoked) {
    return Kind::revoked;
  }
  if (link.signatory.state == SignatoryState::expired || now_ms() >= link.token.expires_ms) return Kind::expired;
  return Kind::sign;
}

LinkView Werkruimte::Impl::describe(const LinkRecord& link, Store::Transaction* tx) {
  LinkView view;
  view.kind = classify(link);
  if (view.kind == Kind::unknown) return view;
  const auto agreement = agreement_of(link.version, tx);
  view.regio = agreement->regio.naam;
  view.kenmerk = link.version.kenmerk;
  view.versie = link.version.versie;
  view.wijziging = link.version.wijziging;
  view.document_sha256 = link.version.document_sha256;
  view.partner = link.signatory.partner;
  view.naam = link.signatory.naam;
  view.functie = link.signatory.functie;
  for (const Partner& p : agreement->partners) {
    for (const Tekenbevoegde& t : p.tekenbevoegden) {
      if (t.id == link.signatory.tekenbevoegde && t.hoedanigheid) {
        view.hoedanigheid = std::string(to_string(*t.hoedanigheid));
      }
    }
  }
  view.expires_ms = link.token.expires_ms;
  view.state_ms = link.signatory.state_ms;
  view.reason = link.signatory.reason;
  view.revision = link.signatory.revision;
  view.certificate_sha256 = link.signatory.certificate_sha256;
  view.revision_sha256 = link.signatory.revision_sha256;
  view.token_hash = link.token.hash;
  view.version_state = link.version.state;
  if (view.kind == Kind::sign) {
    view.wijzigingen = changes_for(link.version, link.signatory.tekenbevoegde);
    if (!view.wijzigingen.empty()) view.gewijzigd_sinds = link.version.changes_from;
  }
  if (link.version.state == VersionState::revoked) {
    // A receipt must not say "Ondertekend" of a contract that was replaced: it says by which version.
    const auto rows = tx != nullptr ? tx->versions() : store.versions(link.version.kenmerk);
    for (const VersionRecord& r : rows) {
      if (r.wijziging == 0 && r.versie > link.version.versie) view.vervangen_door = r.versie;
    }
  }
  return view;
}

LinkView Werkruimte::view(const std::string& token, const Actor& actor) {
  Impl& w = *impl_;
  const std::string hash = token_hash(token);
  if (hash.empty()) return LinkView{};
  auto link = w.store.link(hash);
  if (!link) return LinkView{};
  const Kind kind = w.classify(*link);
  const bool first_view = kind == Kind::sign && (link->signatory.state == SignatoryState::invited ||
                                                 link->signatory.state == SignatoryState::pending);
  const bool lapsed = kind == Kind::expired && !is_final(link->signatory.state);
  if (first_view || lapsed) {
    w.store.transact(link->version.kenmerk, [&](Store::Transaction& tx) {
      auto current = tx.link(hash);
      if (current && first_view && w.classify(*current) == Kind::sign &&
          (current->signatory.state == SignatoryState::invited ||
           current->signatory.state == SignatoryState::pending)) {
        w.set_state(tx, current->signatory, SignatoryState::viewed);
        AuditEntry e = w.entry(audit_event::viewed, actor);
        tx.append(std::move(Impl::about(e, current->signatory, current->version)));
      }
      if (current && lapsed) w.expire_due(tx, current->version);
    });
    link = w.store.link(hash);
    if (!link) return LinkView{};
  }
  return w.describe(*link);
}

std::optional<std::string> Werkruimte::contract_pdf(const std::string& token, const Actor& actor) {
  Impl& w = *impl_;
  const std::string hash = token_hash(token);
  if (hash.empty()) return std::nullopt;
  auto link = w.store.link(hash);
  if (!link) return std::nullopt;
  const Kind kind = w.classify(*link);
  if (kind != Kind::sign && kind != Kind::signed_ && kind != Kind::declined) return std::nullopt;
  std::string pdf = read_whole_file(w.dir / link->version.contract_dir / "0000.pdf");
  if (to_hex(sha256(pdf)) != link->version.document_sha256) {
    throw Error((link->version.contract_dir + "/0000.pdf") + " is niet meer het geopende contract");
  }
  // Logged once per link (per server process): the first download is the evidence; more would
  // let a link's holder grow the log, and every entry takes the agreement's write lock.
  bool first = false;
  {
    const std::lock_guard lock(w.cache_mutex);
    if (w.downloaded.size() > 100'000) w.downloaded.clear();
    first = w.downloaded.insert(hash).second;
  }
  if (first) {
    w.store.transact(link->version.kenmerk, [&](Store::Transaction& tx) {
      AuditEntry e = w.entry(audit_event::pdf_downloaded, actor);
      tx.append(std::move(Impl::about(e, link->signatory, link->version)));
    });
  }
  return pdf;
}

LinkView Werkruimte::sign(const std::string& token, bool confirmed, const std::string& typed_name, const Actor& actor) {
  Impl& w = *impl_;
  const std::string hash = token_hash(token);
  if (hash.empty()) return LinkView{};
  const auto peek = w.store.link(hash);
  if (!peek) return LinkView{};

  struct Outcome {
    std::optional<LinkView> refused;  // a dead or used link signs nothing: what it shows instead
    std::optional<VersionRecord> completed;
    std::int64_t effective_ms = 0;
  };
  const Outcome outcome = w.store.transact(peek->version.kenmerk, [&](Store::Transaction& tx) {
    Outcome out;
    auto link = tx.link(hash);
    if (!link) return Outcome{LinkView{}, std::nullopt, 0};
    if (w.classify(*link) != Kind::sign) return Outcome{w.describe(*link, &tx), std::nullopt, 0};
    if (!confirmed)
      throw PageError("Bevestig eerst dat u de overeenkomst gelezen hebt en namens " + link->signatory.partner +
                      " ondertekent.");
    if (loosely(typed_name) != loosely(link->signatory.naam)) {
      throw PageError("Typ uw naam zoals hij in de overeenkomst staat: " + link->signatory.naam + ".");
    }
    VersionRecord& v = link->version;
    SignedContract& chain = w.chain_of(v);
    const auto agreement = w.agreement_of(v, &tx);
    SigningAct act = signing_act(*agreement, link->signatory.tekenbevoegde, w.clock());
    // The chain as it stands before this act, signed with it (sto/pades.h AuditAnchor).
    act.anchor = AuditAnchor{tx.audit_length(), tx.audit_head()};
    const Revision r = chain.sign(act, w.pki, *w.tsa);
    try {
      SignatoryRecord& s = link->signatory;
      s.revision = r.number;
      s.revision_sha256 = r.sha256;
      s.certificate_sha256 = r.certificate_sha256;
      // Signed at the TSA's time: the one the signature proves, and so what status, the
      // completion and the archive (sto verify) all name.
      s.state = SignatoryState::signed_;
      s.state_ms = std::int64_t{r.timestamp} * 1000;
      tx.update_signatory(s);
      tx.mark_token_used(hash, w.now_ms());
      v.revisions = r.number;
      AuditEntry e = w.entry(audit_event::signed_, actor);
      Impl::about(e, s, v);
      e["revision"] = std::int64_t{r.number};
      e["revision_sha256"] = r.sha256;
      e["certificate_sha256"] = r.certificate_sha256;
      e["field"] = r.field;
      tx.append(std::move(e));
      const auto all = tx.signatories(v.id);
      const bool done = std::all_of(all.begin(), all.end(),
                                    [](const SignatoryRecord& x) { return x.state == SignatoryState::signed_; });
      if (done) {
        v.state = VersionState::completed;
        v.closed_ms = w.now_ms();
        // The latest signature timestamp (sto verify recomputes it from the tokens).
        for (const auto& x : all) out.effective_ms = std::max(out.effective_ms, x.state_ms);
        AuditEntry c = w.entry(audit_event::completed, actor);
        w.of_version(c, v);
        c["revisions"] = v.revisions;
        c["pdf_sha256"] = r.sha256;
        c["effective"] = iso_ms(out.effective_ms);
        const AuditRecord last = tx.append(std::move(c));
        // Every entry up to the completion bound by the TSA (sto/store.h AuditTimestampRecord).
        tx.add_audit_timestamp({last.seq, last.hash, w.tsa->timestamp(from_hex(last.hash)), w.now_ms()});
        // Committed with the act, so that no crash after it can lose them.
        w.enqueue_completion(tx, v, all);
        out.completed = v;
      }
      tx.update_version(v);
    } catch (...) {
      // No record, no signature: the revision just written is in no record, and the chain in
      // memory forgets it. It is not deleted here, since a failed commit (which transact lets
      // through) may have committed after all, and without the connection the lock may be
      // someone else's now: the next act on this agreement, holding the lock, compares the chain
      // with what the database recorded and removes only a revision it does not know.
      w.forget_chain(v.id);
      throw;
    }
    return out;
  });
  if (outcome.refused) return *outcome.refused;
  if (outcome.completed) w.deliver_soon(outcome.completed->kenmerk);
  auto after = w.store.link(hash);
  return after ? w.describe(*after) : LinkView{};
}

LinkView Werkruimte::decline(const std::string& token, const std::string& reason, const Actor& actor) {
  Impl& w = *impl_;
  const std::string hash = token_hash(token);
  if (hash.empty()) return LinkView{};
  const auto peek = w.store.link(hash);
  if (!peek) return LinkView{};
  const auto refused = w.store.transact(peek->version.kenmerk, [&](Store::Transaction& tx) -> std::optional<LinkView> {
    auto link = tx.link(hash);
    if (!link) return LinkView{};
    if (w.classify(*link) != Kind::sign) return w.describe(*link, &tx);
    if (loosely(reason).empty()) throw PageError("Geef een reden op waarom u niet ondertekent.");
    if (reason.size() > 2000) throw PageError("De reden is te lang (ten hoogste 2000 tekens).");
    SignatoryRecord& s = link->signatory;
    s.reason = reason;
    w.set_state(tx, s, SignatoryState::declined);
    tx.mark_token_used(hash, w.now_ms());
    AuditEntry e = w.entry(audit_event::declined, actor);
    Impl::about(e, s, link->version)["reason"] = reason;
    tx.append(std::move(e));
    w.enqueue_declined(tx, link->version, s);
    return std::nullopt;
  });
  if (refused) return *refused;
  w.deliver_soon(peek->version.kenmerk);
  auto after = w.store.link(hash);
  if (!after) return LinkView{};
  return w.describe(*after);
}

}  // namespace sto
