// The signing workflow's state: agreements, their versions, one signatory per tekenbevoegde of
// a version, the links' tokens, and each agreement's audit chain (sto/audit.h).
//
// Backends (Poco::Data, one schema, the same SQL but for four dialect points):
// - `sqlite:PATH` — the default, a file in the workspace: WAL, foreign keys on, a 10 s busy
//   timeout; writers take the file's write lock at BEGIN (BEGIN IMMEDIATE), so two processes
//   never lose an update.
// - `postgresql:CONNINFO` — a libpq connection string ("host=… dbname=… user=…"), for several
//   `sto serve` processes sharing the work; writers lock their agreement's row (FOR UPDATE).
// The schema is migrated at open (a schema_version table, one statement per step), so a new
// binary upgrades an old database and concurrent openers apply each step once.
//
// Every change goes through a transaction on one agreement (transact): it locks that agreement until it
// commits or rolls back, so every change of an agreement — its signing acts included — is
// serialised, while different agreements proceed in parallel (on PostgreSQL; SQLite serialises
// all writers of the file). A transaction that records a state change appends its audit entry
// in the same transaction: both are stored, or neither.
//
// Times are Unix epoch milliseconds, UTC, computed by the caller (the databases' own clocks and
// time texts differ). Tokens are stored only as the SHA-256 of the link's secret.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sto/audit.h"
#include "sto/diagnostics.h"

namespace sto {

// pending → invited → viewed → signed | declined; any state not final → expired | revoked.
enum class SignatoryState { pending, invited, viewed, signed_, declined, expired, revoked };
std::string_view to_string(SignatoryState state);  // "pending", …, "signed", …
std::optional<SignatoryState> parse_signatory_state(std::string_view text);
bool is_final(SignatoryState state);  // signed, declined, expired, revoked

// open → completed (every signatory signed) | revoked (a newer version, or `sto revoke`).
enum class VersionState { open, completed, revoked };
std::string_view to_string(VersionState state);

// A version row holds either a version of the contract (wijziging 0) or amendment `wijziging`
// (1, 2, ...) of the completed contract version `versie` (docs/amendment-format.md): each is a
// document with its own signatories, links and revisions, in the agreement's one audit chain.
// The table's column versie stores versie + wijziging * kWijzigingStride, so that its
// UNIQUE (agreement, versie), which SQLite cannot drop, holds for amendments too.
inline constexpr std::int64_t kWijzigingStride = std::int64_t{1} << 31;  // versie < 2^31 (the reader's limit)

struct VersionRecord {
  std::int64_t id = 0;
  std::string kenmerk;
  std::int64_t versie = 0;
  std::int64_t wijziging = 0;  // 0: the contract; n: amendment n of contract version `versie`
  VersionState state = VersionState::open;
  std::string xml;              // the agreement as opened (the file's bytes)
  std::string xml_sha256;       // hex
  std::string document_sha256;  // hex, of the rendered contract (revision 0)
  std::string contract_dir;     // the SignedContract's directory, relative to the workspace
  std::int64_t revisions = 0;   // signatures recorded; the chain on disk may not be longer
  std::int64_t opened_ms = 0;
  std::int64_t closed_ms = 0;  // completed or revoked; 0 while open
  std::string seal;            // the workflow's MAC over what the version binds (kept, not checked here)
  // What changed in the contract's text since contract version `changes_from` (0: none before
  // it): sto/template.h differences, one sentence a line. Shown to who was asked to sign that one.
  std::int64_t changes_from = 0;
  std::string changes;
};

struct SignatoryRecord {
  std::int64_t id = 0;
  std::int64_t version_id = 0;
  std::int64_t position = 0;  // document order, 0-based
  std::string tekenbevoegde;  // its id in the agreement: the signature field's name
  std::string partner_id;
  std::string partner;  // the partner's name
  std::string naam;
  std::string functie;
  std::string email;
  SignatoryState state = SignatoryState::pending;
  std::int64_t state_ms = 0;       // when it entered its state
  std::string mail_error;          // the last mail failure, empty when the last mail was accepted
  std::string reason;              // why they declined
  std::int64_t revision = 0;       // signed: its revision number
  std::string revision_sha256;     // signed: hex, of the PDF up to and including its revision
  std::string certificate_sha256;  // signed: hex, of its certificate's DER
  std::int64_t invited_ms = 0;     // the last invitation a mail server accepted; 0: none
  std::int64_t reminded_ms = 0;    // the last reminder a mail server accepted; 0: none
  std::string seal;                // the workflow's MAC over who this is (kept, not checked here)
};

struct TokenRecord {
  std::string hash;  // hex SHA-256 of the link's secret
  std::int64_t signatory_id = 0;
  std::string document_sha256;  // the version it was issued for
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
  std::int64_t used_ms = 0;     // 0 until a signature or refusal used it
  std::int64_t revoked_ms = 0;  // 0 unless revoked on its own (the address was corrected)
  std::string seal;             // the workflow's MAC over what the link binds (kept, not checked here)
};

// An agreement's reminder schedule (absent: the default, see sto/workflow.h Herinneringen).
struct ScheduleRecord {
  std::string na_dagen;  // "7,14": days after the invitation
  std::int64_t dagen_voor_verloop = 0;
  bool aan = true;
};

// The penvoerder's last daily summary of an agreement: when, and how long the chain was then.
struct SummaryRecord {
  std::int64_t sent_ms = 0;
  std::int64_t audit_length = 0;
};

// A mail an act caused (the completion mails, a notice to the penvoerder), kept until a mail
// server accepted it. Written in the act's own transaction: a crash after the act cannot lose it.
struct OutboxRecord {
  std::int64_t id = 0;
  std::string kind;  // e.g. "completion"; the workflow's (sto/workflow.h)
  std::int64_t version_id = 0;
  std::int64_t signatory_id = 0;  // whom it is to or about; 0: nobody in particular
  std::string detail;             // what the kind needs besides (a time, a server's message)
  std::int64_t created_ms = 0;
  std::int64_t attempts = 0;
  std::int64_t next_ms = 0;  // not tried before then; 0 (and not sent): given up
  std::int64_t sent_ms = 0;  // when a mail server accepted it; 0 until then
  std::string error;         // the last failure
};

// An RFC 3161 timestamp over the audit chain's head after entry `seq` (sto/audit.h), made when a
// document is completed: it binds every entry up to it, so that the log cannot be rewritten and
// re-chained by someone without the TSA's key (docs/verify.md, "Anchoring").
struct AuditTimestampRecord {
  std::int64_t seq = 0;
  std::string head;   // the hash of entry `seq`, hex: the token's message imprint
  std::string token;  // the TimeStampToken, DER
  std::int64_t created_ms = 0;
};

// A link's token with whom and what it is for.
struct LinkRecord {
  TokenRecord token;
  SignatoryRecord signatory;
  VersionRecord version;  // without xml
};

// A database failure. `busy`: the lock was not granted in time (try again later);
// `unavailable`: the database cannot be reached or opened; `other`: anything else.
class StoreError : public Error {
 public:
  enum class Kind { busy, unavailable, other };
  StoreError(Kind kind, const std::string& what) : Error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

class Store {
 public:
  // Opens (creating an SQLite file when missing) and migrates. At most `max_sessions`
  // connections are open at once; more callers wait for one. Throws StoreError.
  static Store open(const std::string& url, std::size_t max_sessions = 16);
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  bool is_postgresql() const;

  // Changes to one agreement. Rolls back when destroyed without commit().
  class Transaction {
   public:
    Transaction(Transaction&&) noexcept;
    ~Transaction();

    const std::string& kenmerk() const;
    std::optional<VersionRecord> latest_version();                      // the newest row: the current document
    std::optional<VersionRecord> version(std::int64_t versie);          // the contract's (wijziging 0)
    std::optional<VersionRecord> latest_contract();                     // the newest with wijziging 0
    std::vector<VersionRecord> versions();                              // in the order opened
    std::vector<SignatoryRecord> signatories(std::int64_t version_id);  // in document order
    std::optional<SignatoryRecord> signatory(std::int64_t id);          // of this agreement only
    std::optional<LinkRecord> link(std::string_view hash);              // of this agreement only
    std::string agreement_xml(std::int64_t version_id);
    std::int64_t latest_token_expiry(std::int64_t signatory_id);   // 0 when it has no token
    std::int64_t latest_token_created(std::int64_t signatory_id);  // 0 when it has no token
    std::vector<TokenRecord> tokens(std::int64_t signatory_id);    // of this agreement only
    std::int64_t audit_length();                                   // the chain's length so far
    std::string audit_head();                                      // its head (the genesis when empty)
    std::vector<AuditTimestampRecord> audit_timestamps();          // by seq
    std::optional<ScheduleRecord> schedule();                      // nullopt: the default
    SummaryRecord summary();                                       // zeros: never summarised
    std::vector<OutboxRecord> outbox();                            // every mail of the agreement, by id
    std::vector<AuditRecord> audit();                              // the whole chain, in order

    std::int64_t insert_version(const VersionRecord& version);        // returns its id
    std::int64_t insert_signatory(const SignatoryRecord& signatory);  // returns its id
    void update_version(const VersionRecord& version);                // state, revisions, closed_ms
    void update_signatory(const SignatoryRecord& signatory);          // all but the identity columns (the
                                                                      // e-mail address and seal are not)
    void seal_version(std::int64_t version_id, const std::string& seal);
    void seal_token(std::string_view hash, const std::string& seal);
    void insert_token(const TokenRecord& token);
    void mark_token_used(std::string_view hash, std::int64_t when_ms);
    // Revokes every link of the signatory not revoked yet.
    void revoke_tokens(std::int64_t signatory_id, std::int64_t when_ms);
    void set_schedule(const ScheduleRecord& schedule);
    void set_summary(const SummaryRecord& summary);
    std::int64_t enqueue(const OutboxRecord& mail);  // returns its id
    void update_outbox(const OutboxRecord& mail);    // attempts, next_ms, sent_ms, error

    // Appends `entry` to the agreement's chain, adding "seq" and "kenmerk". Returns the record.
    AuditRecord append(AuditEntry entry);
    void add_audit_timestamp(const AuditTimestampRecord& timestamp);

    void commit();

    struct Impl;

   private:
    friend class Store;
    explicit Transaction(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
  };

  // How every change is made: runs `act` in a transaction on `kenmerk` (see write) and commits
  // when it returns; rolls back and rethrows when it throws. Returns what `act` returns.
  //
  // When the database is busy before the commit (a lock not granted in time, a deadlock, a
  // serialisation failure: StoreError::Kind::busy), the transaction is rolled back and `act`
  // runs again on a fresh one, up to kAttempts runs in all, with a short pause between. So `act`
  // must leave nothing outside the database that its next run would not put right (a signing
  // act's revision is: the next act under the lock removes a revision the store does not
  // record). A failed commit is never retried: it may have committed all the same.
  template <class Act>
  auto transact(std::string_view kenmerk, Act&& act, bool create = false) {
    using Result = std::invoke_result_t<Act&, Transaction&>;
    if constexpr (std::is_void_v<Result>) {
      run(kenmerk, create, [&](Transaction& tx) { act(tx); });
    } else {
      std::optional<Result> result;
      run(kenmerk, create, [&](Transaction& tx) { result.emplace(act(tx)); });
      return std::move(*result);
    }
  }
  static constexpr int kAttempts = 3;

  // Begins a transaction on `kenmerk`, waiting for its lock: the primitive under transact, for a
  // caller that must hold the lock itself (tests of the rollback). With `create`, an agreement
  // not yet known is added (in the same transaction); without, it is an Error to name one. A
  // thread holding a Transaction must not begin another (on SQLite all writers of the file queue
  // on one lock). Reads may run meanwhile.
  Transaction write(std::string_view kenmerk, bool create = false);

  // Reads, each a consistent snapshot of its own.
  std::vector<std::string> kenmerken();
  // The newest row (the current document: the latest contract version, or an amendment opened
  // after it), without its xml (read on every status; agreement_xml gives it).
  std::optional<VersionRecord> latest_version(std::string_view kenmerk);
  std::vector<VersionRecord> versions(std::string_view kenmerk);  // in the order opened, without xml
  std::vector<SignatoryRecord> signatories(std::int64_t version_id);
  std::vector<AuditRecord> audit(std::string_view kenmerk);  // the whole chain, in order
  // The chain's head hash and length without reading it (the genesis and 0 for none).
  std::pair<std::string, std::int64_t> audit_head(std::string_view kenmerk);
  std::vector<AuditTimestampRecord> audit_timestamps(std::string_view kenmerk);  // by seq
  std::optional<ScheduleRecord> schedule(std::string_view kenmerk);
  // Per signatory of the version that has links: when its newest link was made and expires.
  struct TokenTimes {
    std::int64_t signatory_id = 0;
    std::int64_t latest_created_ms = 0;
    std::int64_t latest_expiry_ms = 0;
  };
  std::vector<TokenTimes> token_times(std::int64_t version_id);
  SummaryRecord summary(std::string_view kenmerk);             // zeros: never summarised
  std::vector<OutboxRecord> outbox(std::string_view kenmerk);  // every mail of the agreement, by id
  // The agreements with a mail not sent whose time has come (next_ms in 1..now_ms).
  std::vector<std::string> outbox_due(std::int64_t now_ms);

  // The link a token hash belongs to, when the token exists at all. Its version's `xml` is left
  // empty (the page needs it once per version, not per view): agreement_xml gives it.
  std::optional<LinkRecord> link(std::string_view hash);
  std::string agreement_xml(std::int64_t version_id);

  struct Impl;

 private:
  void run(std::string_view kenmerk, bool create, const std::function<void(Transaction&)>& act);
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sto
