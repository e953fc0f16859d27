// The store's operations: reads on a leased connection, and transactions on one agreement, with
// the one place where a busy database is retried (Store::run).
#include "sto/store.h"

#include <Poco/Exception.h>
#include <Poco/HexBinaryDecoder.h>
#include <Poco/HexBinaryEncoder.h>

#include <chrono>
#include <iterator>
#include <sstream>
#include <thread>

#include "database.h"

namespace sto {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

bool Store::is_postgresql() const { return impl_->dialect.postgresql; }

Store::Transaction Store::write(std::string_view kenmerk, bool create) {
  std::unique_lock<std::mutex> writer;
  if (!impl_->dialect.postgresql) writer = std::unique_lock(impl_->sqlite_writer);
  auto t = std::make_unique<Transaction::Impl>(impl_.get(), std::move(writer), impl_->lease(), std::string(kenmerk));
  detail::guarded("transactie op " + std::string(kenmerk), [&] {
    impl_->begin(*t->lease);
    try {
      const detail::Connection c = t->c();
      if (create) {
        c.exec(
            "INSERT INTO agreement (kenmerk, chain_head, chain_length, created_ms) VALUES (?, ?, 0, ?) "
            "ON CONFLICT (kenmerk) DO NOTHING",
            t->kenmerk, std::string(kAuditGenesis), now_ms());
      }
      detail::RecordSet rs = c.query("SELECT id, chain_head, chain_length FROM agreement WHERE kenmerk = ?" +
                                         std::string(impl_->dialect.for_update()),
                                     t->kenmerk);
      if (rs.rowCount() == 0) throw Error("onbekend kenmerk \"" + t->kenmerk + "\"");
      t->agreement_id = detail::number(rs, 0, 0);
      t->head = detail::text(rs, 0, 1);
      t->length = detail::number(rs, 0, 2);
    } catch (...) {
      impl_->rollback(*t->lease);
      throw;
    }
  });
  return Transaction(std::move(t));
}

void Store::run(std::string_view kenmerk, bool create, const std::function<void(Transaction&)>& act) {
  for (int attempt = 1;; ++attempt) {
    bool committing = false;
    try {
      Transaction tx = write(kenmerk, create);
      act(tx);
      committing = true;
      tx.commit();
      return;
    } catch (const StoreError& e) {
      // A commit that failed may have committed all the same: never run the act twice then.
      if (committing || e.kind() != StoreError::Kind::busy || attempt >= kAttempts) throw;
    }
    // The transaction rolled back when it went out of scope; others get the lock meanwhile.
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
  }
}

std::vector<std::string> Store::kenmerken() {
  return impl_->read("kenmerken lezen", [](detail::Connection c) {
    detail::RecordSet rs = c.query("SELECT kenmerk FROM agreement ORDER BY kenmerk");
    std::vector<std::string> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(detail::text(rs, row, 0));
    return out;
  });
}

std::optional<VersionRecord> Store::latest_version(std::string_view kenmerk) {
  return impl_->read("versie lezen",
                     [&](detail::Connection c) { return detail::latest_version_of(c, kenmerk, false); });
}

std::vector<VersionRecord> Store::versions(std::string_view kenmerk) {
  return impl_->read("versies lezen", [&](detail::Connection c) { return detail::versions_of(c, kenmerk, false); });
}

std::vector<SignatoryRecord> Store::signatories(std::int64_t version_id) {
  return impl_->read("ondertekenaars lezen",
                     [&](detail::Connection c) { return detail::signatories_of(c, version_id); });
}

std::vector<AuditRecord> Store::audit(std::string_view kenmerk) {
  return impl_->read("auditlog lezen", [&](detail::Connection c) { return detail::audit_of(c, kenmerk); });
}

std::pair<std::string, std::int64_t> Store::audit_head(std::string_view kenmerk) {
  return impl_->read("auditketen lezen", [&](detail::Connection c) {
    detail::RecordSet rs =
        c.query("SELECT chain_head, chain_length FROM agreement WHERE kenmerk = ?", std::string(kenmerk));
    if (rs.rowCount() == 0) return std::pair<std::string, std::int64_t>(std::string(kAuditGenesis), 0);
    return std::pair<std::string, std::int64_t>(detail::text(rs, 0, 0), detail::number(rs, 0, 1));
  });
}

namespace {

std::string token_text(const std::string& bytes) {
  std::ostringstream out;
  Poco::HexBinaryEncoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << bytes;
  encoder.close();
  return out.str();
}

std::string token_bytes(const std::string& hex) {
  try {
    std::istringstream in(hex);
    Poco::HexBinaryDecoder decoder(in);
    return std::string(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
  } catch (const Poco::Exception& e) {
    throw StoreError(StoreError::Kind::other, "tijdstempel van de auditketen onleesbaar: " + e.displayText());
  }
}

std::vector<AuditTimestampRecord> timestamp_rows(const detail::RecordSet& rs) {
  std::vector<AuditTimestampRecord> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    AuditTimestampRecord r;
    r.seq = detail::number(rs, row, 0);
    r.head = detail::text(rs, row, 1);
    // Kept as hex: one TEXT column serves SQLite and PostgreSQL alike.
    r.token = token_bytes(detail::text(rs, row, 2));
    r.created_ms = detail::number(rs, row, 3);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<AuditTimestampRecord> Store::audit_timestamps(std::string_view kenmerk) {
  return impl_->read("tijdstempels van de auditketen lezen", [&](detail::Connection c) {
    return timestamp_rows(c.query(
        "SELECT t.seq, t.head, t.token, t.created_ms FROM audit_timestamp t JOIN agreement a ON a.id = t.agreement_id "
        "WHERE a.kenmerk = ? ORDER BY t.seq",
        std::string(kenmerk)));
  });
}

namespace {

std::optional<ScheduleRecord> schedule_row(const detail::RecordSet& rs) {
  if (rs.rowCount() == 0) return std::nullopt;
  return ScheduleRecord{detail::text(rs, 0, 0), detail::number(rs, 0, 1), detail::number(rs, 0, 2) != 0};
}

}  // namespace

std::optional<ScheduleRecord> Store::schedule(std::string_view kenmerk) {
  return impl_->read("herinneringsschema lezen", [&](detail::Connection c) {
    return schedule_row(
        c.query("SELECT r.na_dagen, r.dagen_voor_verloop, r.aan FROM reminder_schedule r JOIN agreement a ON "
                "a.id = r.agreement_id WHERE a.kenmerk = ?",
                std::string(kenmerk)));
  });
}

std::vector<Store::TokenTimes> Store::token_times(std::int64_t version_id) {
  return impl_->read("links lezen", [&](detail::Connection c) {
    detail::RecordSet rs = c.query(
        "SELECT t.signatory_id, MAX(t.created_ms), MAX(t.expires_ms) FROM token t JOIN signatory s ON "
        "s.id = t.signatory_id WHERE s.version_id = ? GROUP BY t.signatory_id",
        version_id);
    std::vector<TokenTimes> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
      out.push_back({detail::number(rs, row, 0), detail::number(rs, row, 1), detail::number(rs, row, 2)});
    }
    return out;
  });
}

SummaryRecord Store::summary(std::string_view kenmerk) {
  return impl_->read("samenvatting lezen", [&](detail::Connection c) {
    detail::RecordSet rs = c.query(
        "SELECT p.sent_ms, p.audit_length FROM penvoerder_summary p JOIN agreement a ON a.id = p.agreement_id "
        "WHERE a.kenmerk = ?",
        std::string(kenmerk));
    if (rs.rowCount() == 0) return SummaryRecord{};
    return SummaryRecord{detail::number(rs, 0, 0), detail::number(rs, 0, 1)};
  });
}

namespace {

constexpr std::string_view kOutboxColumns =
    "o.id, o.kind, o.version_id, o.signatory_id, o.detail, o.created_ms, o.attempts, o.next_ms, o.sent_ms, o.error";

std::vector<OutboxRecord> outbox_rows(const detail::RecordSet& rs) {
  std::vector<OutboxRecord> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    OutboxRecord r;
    r.id = detail::number(rs, row, 0);
    r.kind = detail::text(rs, row, 1);
    r.version_id = detail::number(rs, row, 2);
    r.signatory_id = detail::number(rs, row, 3);
    r.detail = detail::text(rs, row, 4);
    r.created_ms = detail::number(rs, row, 5);
    r.attempts = detail::number(rs, row, 6);
    r.next_ms = detail::number(rs, row, 7);
    r.sent_ms = detail::number(rs, row, 8);
    r.error = detail::text(rs, row, 9);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<OutboxRecord> Store::outbox(std::string_view kenmerk) {
  return impl_->read("postvak lezen", [&](detail::Connection c) {
    return outbox_rows(c.query("SELECT " + std::string(kOutboxColumns) +
                                   " FROM outbox o JOIN agreement a ON a.id = o.agreement_id WHERE a.kenmerk = ? "
                                   "ORDER BY o.id",
                               std::string(kenmerk)));
  });
}

std::vector<std::string> Store::outbox_due(std::int64_t now_ms) {
  return impl_->read("postvak lezen", [&](detail::Connection c) {
    detail::RecordSet rs = c.query(
        "SELECT DISTINCT a.kenmerk FROM outbox o JOIN agreement a ON a.id = o.agreement_id "
        "WHERE o.sent_ms = 0 AND o.next_ms > 0 AND o.next_ms <= ? ORDER BY a.kenmerk",
        now_ms);
    std::vector<std::string> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(detail::text(rs, row, 0));
    return out;
  });
}

std::string Store::agreement_xml(std::int64_t version_id) {
  return impl_->read("overeenkomst lezen",
                     [&](detail::Connection c) { return detail::agreement_xml_of(c, version_id); });
}

std::optional<LinkRecord> Store::link(std::string_view hash) {
  return impl_->read("link lezen", [&](detail::Connection c) { return detail::link_of(c, hash); });
}

Store::Transaction::Transaction(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Transaction::Transaction(Transaction&&) noexcept = default;
Store::Transaction::~Transaction() {
  if (impl_ && impl_->open) impl_->store->rollback(*impl_->lease);
}

const std::string& Store::Transaction::kenmerk() const { return impl_->kenmerk; }

std::vector<VersionRecord> Store::Transaction::versions() {
  return impl_->step("versies lezen",
                     [&](detail::Connection c) { return detail::versions_of(c, impl_->agreement_id); });
}

std::optional<VersionRecord> Store::Transaction::latest_version() {
  return impl_->step("versie lezen",
                     [&](detail::Connection c) { return detail::latest_version_of(c, impl_->kenmerk); });
}

std::optional<VersionRecord> Store::Transaction::latest_contract() {
  auto all = versions();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->wijziging == 0) return std::move(*it);
  }
  return std::nullopt;
}

std::optional<VersionRecord> Store::Transaction::version(std::int64_t versie) {
  for (auto& v : versions()) {
    if (v.versie == versie && v.wijziging == 0) return v;
  }
  return std::nullopt;
}

std::vector<SignatoryRecord> Store::Transaction::signatories(std::int64_t version_id) {
  return impl_->step("ondertekenaars lezen",
                     [&](detail::Connection c) { return detail::signatories_of(c, version_id); });
}

std::optional<SignatoryRecord> Store::Transaction::signatory(std::int64_t id) {
  return impl_->step("ondertekenaar lezen",
                     [&](detail::Connection c) { return detail::signatory_of(c, impl_->agreement_id, id); });
}

std::optional<LinkRecord> Store::Transaction::link(std::string_view hash) {
  return impl_->step("link lezen", [&](detail::Connection c) -> std::optional<LinkRecord> {
    auto found = detail::link_of(c, hash);
    if (found && found->version.kenmerk != impl_->kenmerk) return std::nullopt;
    return found;
  });
}

std::string Store::Transaction::agreement_xml(std::int64_t version_id) {
  return impl_->step("overeenkomst lezen",
                     [&](detail::Connection c) { return detail::agreement_xml_of(c, version_id); });
}

std::int64_t Store::Transaction::latest_token_expiry(std::int64_t signatory_id) {
  return impl_->step("tokens lezen", [&](detail::Connection c) {
    return detail::number(
        c.query("SELECT COALESCE(MAX(expires_ms), 0) FROM token WHERE signatory_id = ?", signatory_id), 0, 0);
  });
}

std::int64_t Store::Transaction::latest_token_created(std::int64_t signatory_id) {
  return impl_->step("tokens lezen", [&](detail::Connection c) {
    return detail::number(
        c.query("SELECT COALESCE(MAX(created_ms), 0) FROM token WHERE signatory_id = ?", signatory_id), 0, 0);
  });
}

std::int64_t Store::Transaction::audit_length() { return impl_->length; }
std::string Store::Transaction::audit_head() { return impl_->head; }

std::vector<AuditTimestampRecord> Store::Transaction::audit_timestamps() {
  return impl_->step("tijdstempels van de auditketen lezen", [&](detail::Connection c) {
    return timestamp_rows(
        c.query("SELECT seq, head, token, created_ms FROM audit_timestamp WHERE agreement_id = ? "
                "ORDER BY seq",
                impl_->agreement_id));
  });
}

void Store::Transaction::add_audit_timestamp(const AuditTimestampRecord& t) {
  impl_->step("tijdstempel van de auditketen vastleggen", [&](detail::Connection c) {
    c.exec("INSERT INTO audit_timestamp (agreement_id, seq, head, token, created_ms) VALUES (?, ?, ?, ?, ?)",
           impl_->agreement_id, t.seq, t.head, token_text(t.token), t.created_ms);
  });
}

std::optional<ScheduleRecord> Store::Transaction::schedule() {
  return impl_->step("herinneringsschema lezen", [&](detail::Connection c) {
    return schedule_row(c.query(
        "SELECT na_dagen, dagen_voor_verloop, aan FROM reminder_schedule WHERE agreement_id = ?", impl_->agreement_id));
  });
}

SummaryRecord Store::Transaction::summary() {
  return impl_->step("samenvatting lezen", [&](detail::Connection c) {
    detail::RecordSet rs =
        c.query("SELECT sent_ms, audit_length FROM penvoerder_summary WHERE agreement_id = ?", impl_->agreement_id);
    if (rs.rowCount() == 0) return SummaryRecord{};
    return SummaryRecord{detail::number(rs, 0, 0), detail::number(rs, 0, 1)};
  });
}

std::vector<OutboxRecord> Store::Transaction::outbox() {
  return impl_->step("postvak lezen", [&](detail::Connection c) {
    return outbox_rows(c.query("SELECT " + std::string(kOutboxColumns) +
                                   " FROM outbox o WHERE o.agreement_id = ? "
                                   "ORDER BY o.id",
                               impl_->agreement_id));
  });
}

std::int64_t Store::Transaction::enqueue(const OutboxRecord& m) {
  return impl_->step("mail in het postvak leggen", [&](detail::Connection c) {
    return detail::number(
        c.query("INSERT INTO outbox (agreement_id, kind, version_id, signatory_id, detail, created_ms, attempts, "
                "next_ms, sent_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                impl_->agreement_id, m.kind, m.version_id, m.signatory_id, m.detail, m.created_ms, m.attempts,
                m.next_ms, m.sent_ms, m.error),
        0, 0);
  });
}

void Store::Transaction::update_outbox(const OutboxRecord& m) {
  impl_->step("postvak bijwerken", [&](detail::Connection c) {
    const std::size_t n =
        c.exec("UPDATE outbox SET attempts = ?, next_ms = ?, sent_ms = ?, error = ? WHERE id = ? AND agreement_id = ?",
               m.attempts, m.next_ms, m.sent_ms, m.error, m.id, impl_->agreement_id);
    if (n != 1) throw Error("mail " + std::to_string(m.id) + " hoort niet bij " + impl_->kenmerk);
  });
}

void Store::Transaction::set_schedule(const ScheduleRecord& r) {
  impl_->step("herinneringsschema vastleggen", [&](detail::Connection c) {
    c.exec(
        "INSERT INTO reminder_schedule (agreement_id, na_dagen, dagen_voor_verloop, aan) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (agreement_id) DO UPDATE SET na_dagen = excluded.na_dagen, "
        "dagen_voor_verloop = excluded.dagen_voor_verloop, aan = excluded.aan",
        impl_->agreement_id, r.na_dagen, r.dagen_voor_verloop, std::int64_t{r.aan ? 1 : 0});
  });
}

void Store::Transaction::set_summary(const SummaryRecord& r) {
  impl_->step("samenvatting vastleggen", [&](detail::Connection c) {
    c.exec(
        "INSERT INTO penvoerder_summary (agreement_id, sent_ms, audit_length) VALUES (?, ?, ?) "
        "ON CONFLICT (agreement_id) DO UPDATE SET sent_ms = excluded.sent_ms, audit_length = excluded.audit_length",
        impl_->agreement_id, r.sent_ms, r.audit_length);
  });
}

void Store::Transaction::revoke_tokens(std::int64_t signatory_id, std::int64_t when_ms) {
  if (!signatory(signatory_id))
    throw Error("ondertekenaar " + std::to_string(signatory_id) + " hoort niet bij " + impl_->kenmerk);
  impl_->step("links intrekken", [&](detail::Connection c) {
    c.exec("UPDATE token SET revoked_ms = ? WHERE signatory_id = ? AND revoked_ms = 0", when_ms, signatory_id);
  });
}

std::vector<AuditRecord> Store::Transaction::audit() {
  return impl_->step("auditlog lezen", [&](detail::Connection c) { return detail::audit_of(c, impl_->kenmerk); });
}

std::int64_t Store::Transaction::insert_version(const VersionRecord& v) {
  return impl_->step("versie vastleggen", [&](detail::Connection c) {
    return detail::number(
        c.query("INSERT INTO version (agreement_id, versie, state, xml, xml_sha256, document_sha256, "
                "contract_dir, revisions, opened_ms, closed_ms, seal, changes_from, changes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                impl_->agreement_id, v.versie + v.wijziging * kWijzigingStride, std::string(to_string(v.state)), v.xml,
                v.xml_sha256, v.document_sha256, v.contract_dir, v.revisions, v.opened_ms, v.closed_ms, v.seal,
                v.changes_from, v.changes),
        0, 0);
  });
}

std::int64_t Store::Transaction::insert_signatory(const SignatoryRecord& s) {
  return impl_->step("ondertekenaar vastleggen", [&](detail::Connection c) {
    return detail::number(
        c.query(
            "INSERT INTO signatory (version_id, position, tekenbevoegde, partner_id, partner, naam, functie, email, "
            "state, state_ms, mail_error, reason, revision, revision_sha256, certificate_sha256, seal) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            s.version_id, s.position, s.tekenbevoegde, s.partner_id, s.partner, s.naam, s.functie, s.email,
            std::string(to_string(s.state)), s.state_ms, s.mail_error, s.reason, s.revision, s.revision_sha256,
            s.certificate_sha256, s.seal),
        0, 0);
  });
}

void Store::Transaction::update_version(const VersionRecord& v) {
  impl_->step("versie bijwerken", [&](detail::Connection c) {
    const std::size_t n =
        c.exec("UPDATE version SET state = ?, revisions = ?, closed_ms = ? WHERE id = ? AND agreement_id = ?",
               std::string(to_string(v.state)), v.revisions, v.closed_ms, v.id, impl_->agreement_id);
    if (n != 1) throw Error("versie " + std::to_string(v.id) + " hoort niet bij " + impl_->kenmerk);
  });
}

void Store::Transaction::update_signatory(const SignatoryRecord& s) {
  if (!signatory(s.id)) throw Error("ondertekenaar " + std::to_string(s.id) + " hoort niet bij " + impl_->kenmerk);
  impl_->step("ondertekenaar bijwerken", [&](detail::Connection c) {
    c.exec(
        "UPDATE signatory SET state = ?, state_ms = ?, mail_error = ?, reason = ?, revision = ?, revision_sha256 = ?, "
        "certificate_sha256 = ?, email = ?, invited_ms = ?, reminded_ms = ?, seal = ? WHERE id = ?",
        std::string(to_string(s.state)), s.state_ms, s.mail_error, s.reason, s.revision, s.revision_sha256,
        s.certificate_sha256, s.email, s.invited_ms, s.reminded_ms, s.seal, s.id);
  });
}

void Store::Transaction::seal_version(std::int64_t version_id, const std::string& seal) {
  impl_->step("versie verzegelen", [&](detail::Connection c) {
    const std::size_t n =
        c.exec("UPDATE version SET seal = ? WHERE id = ? AND agreement_id = ?", seal, version_id, impl_->agreement_id);
    if (n != 1) throw Error("versie " + std::to_string(version_id) + " hoort niet bij " + impl_->kenmerk);
  });
}

void Store::Transaction::seal_token(std::string_view hash, const std::string& seal) {
  if (!link(hash)) throw Error("onbekend token");
  impl_->step("link verzegelen", [&](detail::Connection c) {
    c.exec("UPDATE token SET seal = ? WHERE hash = ?", seal, std::string(hash));
  });
}

std::vector<TokenRecord> Store::Transaction::tokens(std::int64_t signatory_id) {
  if (!signatory(signatory_id)) return {};
  return impl_->step("links lezen", [&](detail::Connection c) {
    detail::RecordSet rs = c.query(
        "SELECT hash, signatory_id, document_sha256, created_ms, expires_ms, used_ms, revoked_ms, seal FROM token "
        "WHERE signatory_id = ? ORDER BY created_ms",
        signatory_id);
    std::vector<TokenRecord> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
      out.push_back(TokenRecord{detail::text(rs, row, 0), detail::number(rs, row, 1), detail::text(rs, row, 2),
                                detail::number(rs, row, 3), detail::number(rs, row, 4), detail::number(rs, row, 5),
                                detail::number(rs, row, 6), detail::text(rs, row, 7)});
    }
    return out;
  });
}

void Store::Transaction::insert_token(const TokenRecord& t) {
  if (!signatory(t.signatory_id)) throw Error("token voor een ondertekenaar buiten " + impl_->kenmerk);
  impl_->step("token vastleggen", [&](detail::Connection c) {
    c.exec(
        "INSERT INTO token (hash, signatory_id, document_sha256, created_ms, expires_ms, used_ms, seal) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        t.hash, t.signatory_id, t.document_sha256, t.created_ms, t.expires_ms, t.used_ms, t.seal);
  });
}

void Store::Transaction::mark_token_used(std::string_view hash, std::int64_t when_ms) {
  if (!link(hash)) throw Error("onbekend token");
  impl_->step("token gebruiken", [&](detail::Connection c) {
    c.exec("UPDATE token SET used_ms = ? WHERE hash = ?", when_ms, std::string(hash));
  });
}

AuditRecord Store::Transaction::append(AuditEntry entry) {
  AuditRecord r;
  r.seq = impl_->length + 1;
  entry["seq"] = r.seq;
  entry["kenmerk"] = impl_->kenmerk;
  r.canonical = canonical_json(entry);
  r.hash = chain_hash(impl_->head, r.canonical);
  impl_->step("auditregel vastleggen", [&](detail::Connection c) {
    c.exec("INSERT INTO audit (agreement_id, seq, entry, hash) VALUES (?, ?, ?, ?)", impl_->agreement_id, r.seq,
           r.canonical, r.hash);
    c.exec("UPDATE agreement SET chain_head = ?, chain_length = ? WHERE id = ?", r.hash, r.seq, impl_->agreement_id);
  });
  impl_->head = r.hash;
  impl_->length = r.seq;
  return r;
}

void Store::Transaction::commit() {
  if (!impl_->open) throw Error("transactie is al afgesloten");
  detail::guarded("transactie vastleggen", [&] {
    impl_->store->commit(*impl_->lease);
    impl_->open = false;
    impl_->lease.give_back();  // the connection serves others while this object lives on
    if (impl_->writer.owns_lock()) impl_->writer.unlock();
  });
}

}  // namespace sto
