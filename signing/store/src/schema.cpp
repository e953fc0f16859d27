// The database schema and its migrations: a schema_version table counts the steps applied, so a
// new binary upgrades an old database and concurrent openers apply each step once.
#include <array>

#include "database.h"

namespace sto {

namespace {

// One statement per step (PostgreSQL prepares each statement); {ID} is the dialect's
// auto-numbered key. Append steps; never change one that has shipped.
constexpr std::array<std::string_view, 23> kMigrations = {
    "CREATE TABLE agreement (id {ID}, kenmerk TEXT NOT NULL UNIQUE, chain_head TEXT NOT NULL, "
    "chain_length BIGINT NOT NULL, created_ms BIGINT NOT NULL)",
    "CREATE TABLE version (id {ID}, agreement_id BIGINT NOT NULL REFERENCES agreement(id), versie BIGINT NOT NULL, "
    "state TEXT NOT NULL, xml TEXT NOT NULL, xml_sha256 TEXT NOT NULL, document_sha256 TEXT NOT NULL, "
    "contract_dir TEXT NOT NULL, revisions BIGINT NOT NULL, opened_ms BIGINT NOT NULL, closed_ms BIGINT NOT NULL, "
    "UNIQUE (agreement_id, versie))",
    "CREATE TABLE signatory (id {ID}, version_id BIGINT NOT NULL REFERENCES version(id), position BIGINT NOT NULL, "
    "tekenbevoegde TEXT NOT NULL, partner_id TEXT NOT NULL, partner TEXT NOT NULL, naam TEXT NOT NULL, "
    "functie TEXT NOT NULL, email TEXT NOT NULL, state TEXT NOT NULL, state_ms BIGINT NOT NULL, "
    "mail_error TEXT NOT NULL, reason TEXT NOT NULL, revision BIGINT NOT NULL, revision_sha256 TEXT NOT NULL, "
    "certificate_sha256 TEXT NOT NULL, UNIQUE (version_id, tekenbevoegde))",
    "CREATE TABLE token (hash TEXT PRIMARY KEY, signatory_id BIGINT NOT NULL REFERENCES signatory(id), "
    "document_sha256 TEXT NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, used_ms BIGINT NOT NULL)",
    "CREATE TABLE audit (agreement_id BIGINT NOT NULL REFERENCES agreement(id), seq BIGINT NOT NULL, "
    "entry TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (agreement_id, seq))",
    "CREATE INDEX signatory_version ON signatory (version_id, position)",
    "CREATE INDEX token_signatory ON token (signatory_id)",
    "CREATE INDEX version_agreement ON version (agreement_id, versie)",
    "CREATE INDEX audit_agreement ON audit (agreement_id, seq)",
    // Issue 14: when the last invitation and reminder were accepted (the 24 h rule, the schedule),
    // links revoked one by one (a corrected address), each agreement's reminder schedule and the
    // penvoerder's daily summary. A database from before learns the last invitation from its
    // links: someone past pending was mailed, at the latest when their newest link was made.
    "ALTER TABLE signatory ADD COLUMN invited_ms BIGINT NOT NULL DEFAULT 0",
    "ALTER TABLE signatory ADD COLUMN reminded_ms BIGINT NOT NULL DEFAULT 0",
    "UPDATE signatory SET invited_ms = COALESCE((SELECT MAX(t.created_ms) FROM token t WHERE t.signatory_id = "
    "signatory.id), 0) WHERE state <> 'pending'",
    "ALTER TABLE token ADD COLUMN revoked_ms BIGINT NOT NULL DEFAULT 0",
    "CREATE TABLE reminder_schedule (agreement_id BIGINT PRIMARY KEY REFERENCES agreement(id), "
    "na_dagen TEXT NOT NULL, dagen_voor_verloop BIGINT NOT NULL, aan BIGINT NOT NULL)",
    "CREATE TABLE penvoerder_summary (agreement_id BIGINT PRIMARY KEY REFERENCES agreement(id), "
    "sent_ms BIGINT NOT NULL, audit_length BIGINT NOT NULL)",
    // Issue 20: a MAC by a key outside the database over what a link and a version bind (see
    // sto/workflow.h): a row written by someone with only database access lets nobody act.
    "ALTER TABLE token ADD COLUMN seal TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE version ADD COLUMN seal TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE signatory ADD COLUMN seal TEXT NOT NULL DEFAULT ''",
    // Issue 20: the mails acts cause, kept until accepted (sto/store.h OutboxRecord).
    "CREATE TABLE outbox (id {ID}, agreement_id BIGINT NOT NULL REFERENCES agreement(id), kind TEXT NOT NULL, "
    "version_id BIGINT NOT NULL, signatory_id BIGINT NOT NULL, detail TEXT NOT NULL, created_ms BIGINT NOT NULL, "
    "attempts BIGINT NOT NULL, next_ms BIGINT NOT NULL, sent_ms BIGINT NOT NULL, error TEXT NOT NULL)",
    "CREATE INDEX outbox_due ON outbox (sent_ms, next_ms)",
    // Issue 15: what changed in the text since the contract version before it (sto/store.h).
    "ALTER TABLE version ADD COLUMN changes_from BIGINT NOT NULL DEFAULT 0",
    "ALTER TABLE version ADD COLUMN changes TEXT NOT NULL DEFAULT ''",
    // Issue 16: RFC 3161 timestamps over the audit chain's head at each completion (sto/store.h).
    "CREATE TABLE audit_timestamp (agreement_id BIGINT NOT NULL REFERENCES agreement(id), seq BIGINT NOT NULL, "
    "head TEXT NOT NULL, token TEXT NOT NULL, created_ms BIGINT NOT NULL, PRIMARY KEY (agreement_id, seq))",
};

}  // namespace

void Store::Impl::migrate() {
  Lease l = lease();
  detail::Session& s = *l;
  const detail::Connection c = on(s);
  s << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", Poco::Data::Keywords::now;
  for (;;) {
    begin(s);
    try {
      if (dialect.postgresql) s << "LOCK TABLE schema_version IN EXCLUSIVE MODE", Poco::Data::Keywords::now;
      int current = 0;
      s << "SELECT COALESCE(MAX(version), 0) FROM schema_version", Poco::Data::Keywords::into(current),
          Poco::Data::Keywords::now;
      if (current > static_cast<int>(kMigrations.size())) {
        throw StoreError(StoreError::Kind::other, "de database heeft schemaversie " + std::to_string(current) +
                                                      ", nieuwer dan deze sto (" + std::to_string(kMigrations.size()) +
                                                      ")");
      }
      if (current == static_cast<int>(kMigrations.size())) {
        commit(s);
        return;
      }
      c.exec(dialect.ddl(kMigrations[static_cast<std::size_t>(current)]));
      c.exec("INSERT INTO schema_version (version) VALUES (?)", current + 1);
      commit(s);
    } catch (...) {
      rollback(s);
      throw;
    }
  }
}

}  // namespace sto
