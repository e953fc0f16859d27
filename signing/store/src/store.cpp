#include "sto/store.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace sto {

namespace {

using Poco::Data::RecordSet;
using Poco::Data::Session;
using Poco::Data::Statement;

constexpr std::array<std::string_view, 7> kSignatoryStates = {"pending",  "invited", "viewed", "signed",
                                                              "declined", "expired", "revoked"};
constexpr std::array<std::string_view, 3> kVersionStates = {"open", "completed", "revoked"};

// The schema, one statement per step (PostgreSQL prepares each statement); {ID} is the dialect's
// auto-numbered key. Append steps; never change one that has shipped.
constexpr std::array<std::string_view, 9> kMigrations = {
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
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void rethrow(const std::string& what) {
  try {
    throw;
  } catch (const StoreError&) {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const Poco::Data::SQLite::DBLockedException& e) {
    throw StoreError(StoreError::Kind::busy, what + ": de database is bezet (" + e.displayText() + ")");
  } catch (const Poco::Data::SQLite::TableLockedException& e) {
    throw StoreError(StoreError::Kind::busy, what + ": de database is bezet (" + e.displayText() + ")");
  } catch (const Poco::Data::ConnectionFailedException& e) {
    throw StoreError(StoreError::Kind::unavailable,
                     what + ": geen verbinding met de database (" + e.displayText() + ")");
  } catch (const Poco::Exception& e) {
    const std::string text = e.displayText();
    // PostgreSQL reports lock trouble only in its text (Poco 1.11 keeps the SQLSTATE to itself).
    const bool busy = text.find("State: 40001") != std::string::npos ||
                      text.find("State: 40P01") != std::string::npos || text.find("State: 55P03") != std::string::npos;
    throw StoreError(busy ? StoreError::Kind::busy : StoreError::Kind::other, what + ": " + text);
  }
}

}  // namespace

std::string_view to_string(SignatoryState state) { return kSignatoryStates[static_cast<std::size_t>(state)]; }

std::optional<SignatoryState> parse_signatory_state(std::string_view text) {
  for (std::size_t i = 0; i < kSignatoryStates.size(); ++i) {
    if (kSignatoryStates[i] == text) return static_cast<SignatoryState>(i);
  }
  return std::nullopt;
}

bool is_final(SignatoryState state) {
  return state == SignatoryState::signed_ || state == SignatoryState::declined || state == SignatoryState::expired ||
         state == SignatoryState::revoked;
}

std::string_view to_string(VersionState state) { return kVersionStates[static_cast<std::size_t>(state)]; }

namespace {

VersionState parse_version_state(const std::string& text) {
  for (std::size_t i = 0; i < kVersionStates.size(); ++i) {
    if (kVersionStates[i] == text) return static_cast<VersionState>(i);
  }
  throw StoreError(StoreError::Kind::other, "onbekende versiestatus \"" + text + "\" in de database");
}

// What differs between the backends, and nothing else.
struct Dialect {
  bool postgresql = false;

  // `?` → `$1, $2, …` for PostgreSQL (our SQL has no `?` inside literals).
  std::string q(std::string_view sql) const {
    if (!postgresql) return std::string(sql);
    std::string out;
    int n = 0;
    for (const char c : sql) {
      if (c == '?') {
        out += '$' + std::to_string(++n);
      } else {
        out += c;
      }
    }
    return out;
  }
  std::string ddl(std::string_view sql) const {
    std::string out(sql);
    const std::string id = postgresql ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY";
    for (auto at = out.find("{ID}"); at != std::string::npos; at = out.find("{ID}")) out.replace(at, 4, id);
    return out;
  }
  std::string_view for_update() const { return postgresql ? " FOR UPDATE" : ""; }
};

template <class... Args>
Statement statement(Session& session, const Dialect& dialect, std::string_view sql, const Args&... args) {
  Statement st(session);
  st << dialect.q(sql);
  ((st, Poco::Data::Keywords::bind(args)), ...);
  return st;
}

template <class... Args>
std::size_t exec(Session& session, const Dialect& dialect, std::string_view sql, const Args&... args) {
  Statement st = statement(session, dialect, sql, args...);
  return st.execute();
}

template <class... Args>
RecordSet query(Session& session, const Dialect& dialect, std::string_view sql, const Args&... args) {
  Statement st = statement(session, dialect, sql, args...);
  st.execute();
  return RecordSet(st);
}

std::string text(const RecordSet& rs, std::size_t row, std::size_t col) {
  return rs.value(col, row).convert<std::string>();
}
std::int64_t number(const RecordSet& rs, std::size_t row, std::size_t col) {
  return rs.value(col, row).convert<std::int64_t>();
}

constexpr std::string_view kVersionColumns =
    "v.id, a.kenmerk, v.versie, v.state, v.xml, v.xml_sha256, v.document_sha256, v.contract_dir, v.revisions, "
    "v.opened_ms, v.closed_ms";

VersionRecord version_at(const RecordSet& rs, std::size_t row, std::size_t at = 0) {
  VersionRecord v;
  v.id = number(rs, row, at + 0);
  v.kenmerk = text(rs, row, at + 1);
  v.versie = number(rs, row, at + 2);
  v.state = parse_version_state(text(rs, row, at + 3));
  v.xml = text(rs, row, at + 4);
  v.xml_sha256 = text(rs, row, at + 5);
  v.document_sha256 = text(rs, row, at + 6);
  v.contract_dir = text(rs, row, at + 7);
  v.revisions = number(rs, row, at + 8);
  v.opened_ms = number(rs, row, at + 9);
  v.closed_ms = number(rs, row, at + 10);
  return v;
}

constexpr std::string_view kSignatoryColumns =
    "s.id, s.version_id, s.position, s.tekenbevoegde, s.partner_id, s.partner, s.naam, s.functie, s.email, "
    "s.state, s.state_ms, s.mail_error, s.reason, s.revision, s.revision_sha256, s.certificate_sha256";

SignatoryRecord signatory_at(const RecordSet& rs, std::size_t row, std::size_t at = 0) {
  SignatoryRecord s;
  s.id = number(rs, row, at + 0);
  s.version_id = number(rs, row, at + 1);
  s.position = number(rs, row, at + 2);
  s.tekenbevoegde = text(rs, row, at + 3);
  s.partner_id = text(rs, row, at + 4);
  s.partner = text(rs, row, at + 5);
  s.naam = text(rs, row, at + 6);
  s.functie = text(rs, row, at + 7);
  s.email = text(rs, row, at + 8);
  const auto state = parse_signatory_state(text(rs, row, at + 9));
  if (!state)
    throw StoreError(StoreError::Kind::other, "onbekende status \"" + text(rs, row, at + 9) + "\" in de database");
  s.state = *state;
  s.state_ms = number(rs, row, at + 10);
  s.mail_error = text(rs, row, at + 11);
  s.reason = text(rs, row, at + 12);
  s.revision = number(rs, row, at + 13);
  s.revision_sha256 = text(rs, row, at + 14);
  s.certificate_sha256 = text(rs, row, at + 15);
  return s;
}

std::vector<SignatoryRecord> signatories_of(Session& session, const Dialect& d, std::int64_t version_id) {
  RecordSet rs =
      query(session, d,
            "SELECT " + std::string(kSignatoryColumns) + " FROM signatory s WHERE s.version_id = ? ORDER BY s.position",
            version_id);
  std::vector<SignatoryRecord> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(signatory_at(rs, row));
  return out;
}

// A link with its signatory and version in one query. The version comes without its xml (up to
// a few hundred KB, read on every page view otherwise): see agreement_xml.
std::optional<LinkRecord> link_of(Session& session, const Dialect& d, std::string_view hash) {
  RecordSet rs =
      query(session, d,
            "SELECT t.hash, t.signatory_id, t.document_sha256, t.created_ms, t.expires_ms, t.used_ms, " +
                std::string(kSignatoryColumns) +
                ", v.id, a.kenmerk, v.versie, v.state, '', v.xml_sha256, v.document_sha256, v.contract_dir, "
                "v.revisions, v.opened_ms, v.closed_ms FROM token t JOIN signatory s ON s.id = t.signatory_id "
                "JOIN version v ON v.id = s.version_id JOIN agreement a ON a.id = v.agreement_id "
                "WHERE t.hash = ?",
            std::string(hash));
  if (rs.rowCount() == 0) return std::nullopt;
  LinkRecord link;
  link.token.hash = text(rs, 0, 0);
  link.token.signatory_id = number(rs, 0, 1);
  link.token.document_sha256 = text(rs, 0, 2);
  link.token.created_ms = number(rs, 0, 3);
  link.token.expires_ms = number(rs, 0, 4);
  link.token.used_ms = number(rs, 0, 5);
  link.signatory = signatory_at(rs, 0, 6);
  link.version = version_at(rs, 0, 22);
  return link;
}

std::string agreement_xml_of(Session& session, const Dialect& d, std::int64_t version_id) {
  RecordSet rs = query(session, d, "SELECT xml FROM version WHERE id = ?", version_id);
  if (rs.rowCount() == 0) throw Error("versie " + std::to_string(version_id) + " bestaat niet");
  return text(rs, 0, 0);
}

}  // namespace

// A few open sessions, handed to one user at a time: Poco's sessions are not for sharing
// between threads, and SQLite needs its PRAGMAs on every new connection.
struct Store::Impl {
  Dialect dialect;
  // SQLite takes one write lock for the whole file, and a writer that finds it taken sleeps in
  // SQLite's busy handler (up to 100 ms a turn): under load the waits grow to seconds. The
  // writers of this process therefore queue here first and are woken the moment the lock is
  // free; only writers of other processes meet the busy handler.
  std::mutex sqlite_writer;
  std::string connector;
  std::string connection;
  std::mutex mutex;
  std::vector<std::unique_ptr<Session>> idle;

  std::unique_ptr<Session> connect() {
    auto session = std::make_unique<Session>(connector, connection, dialect.postgresql ? 10 : 0);
    if (dialect.postgresql) {
      *session << "SET client_min_messages = warning", Poco::Data::Keywords::now;
    } else {
      *session << "PRAGMA busy_timeout = 10000", Poco::Data::Keywords::now;
      *session << "PRAGMA foreign_keys = ON", Poco::Data::Keywords::now;
      // FULL: in WAL mode NORMAL lets a committed transaction vanish at a power loss, which would
      // take a signature whose receipt was already shown with it.
      *session << "PRAGMA synchronous = FULL", Poco::Data::Keywords::now;
      ensure_wal(*session);
    }
    return session;
  }

  // journal_mode=WAL is stored in the file: set it only when needed, and retry, since switching
  // fails with "database is locked" when several processes open a new file at once.
  static void ensure_wal(Session& session) {
    for (int attempt = 0;; ++attempt) {
      try {
        std::string mode;
        session << "PRAGMA journal_mode", Poco::Data::Keywords::into(mode), Poco::Data::Keywords::now;
        if (mode == "wal") return;
        session << "PRAGMA journal_mode = WAL", Poco::Data::Keywords::into(mode), Poco::Data::Keywords::now;
        if (mode == "wal") return;
      } catch (const Poco::Data::SQLite::DBLockedException&) {
        if (attempt >= 100) throw;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // At most max_sessions connections, each lent to one caller at a time: a server's threads
  // beyond that wait for one instead of opening more (PostgreSQL refuses clients beyond its
  // max_connections, 100 by default, shared by every server process).
  std::size_t max_sessions = 16;
  std::size_t open_sessions = 0;
  std::condition_variable returned;

  struct Lease {
    Impl* pool;
    std::unique_ptr<Session> session;
    Lease(Impl* p, std::unique_ptr<Session> s) : pool(p), session(std::move(s)) {}
    Lease(Lease&& other) noexcept : pool(other.pool), session(std::move(other.session)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() { give_back(); }
    void give_back() noexcept {
      if (session == nullptr) return;
      {
        const std::lock_guard lock(pool->mutex);
        // A session that lost its connection (or sits in a broken transaction) is dropped.
        bool connected = false;
        try {
          connected = session->isConnected();
        } catch (...) {
        }
        if (connected) {
          pool->idle.push_back(std::move(session));
        } else {
          --pool->open_sessions;
        }
      }
      session.reset();
      pool->returned.notify_one();
    }
    Session& operator*() { return *session; }
  };
  Lease lease() {
    std::unique_lock lock(mutex);
    returned.wait(lock, [&] { return !idle.empty() || open_sessions < max_sessions; });
    if (!idle.empty()) {
      auto s = std::move(idle.back());
      idle.pop_back();
      return Lease(this, std::move(s));
    }
    ++open_sessions;
    lock.unlock();
    try {
      return Lease(this, connect());
    } catch (...) {
      lock.lock();
      --open_sessions;
      lock.unlock();
      returned.notify_one();
      throw;
    }
  }

  void begin(Session& session) {
    if (dialect.postgresql) {
      session.begin();
    } else {
      session << "BEGIN IMMEDIATE", Poco::Data::Keywords::now;
    }
  }
  void commit(Session& session) {
    if (dialect.postgresql) {
      session.commit();
    } else {
      session << "COMMIT", Poco::Data::Keywords::now;
    }
  }
  void rollback(Session& session) noexcept {
    try {
      if (dialect.postgresql) {
        session.rollback();
      } else {
        session << "ROLLBACK", Poco::Data::Keywords::now;
      }
    } catch (...) {
      // The transaction is gone with the connection; the session is then dropped, not reused.
      try {
        session.close();
      } catch (...) {
      }
    }
  }

  void migrate() {
    Lease l = lease();
    Session& s = *l;
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
                                                        ", nieuwer dan deze sto (" +
                                                        std::to_string(kMigrations.size()) + ")");
        }
        if (current == static_cast<int>(kMigrations.size())) {
          commit(s);
          return;
        }
        exec(s, dialect, dialect.ddl(kMigrations[static_cast<std::size_t>(current)]));
        exec(s, dialect, "INSERT INTO schema_version (version) VALUES (?)", current + 1);
        commit(s);
      } catch (...) {
        rollback(s);
        throw;
      }
    }
  }
};

struct Store::Transaction::Impl {
  Store::Impl* store;
  std::unique_lock<std::mutex> writer;  // SQLite only: held from BEGIN to COMMIT/ROLLBACK
  Store::Impl::Lease lease;
  std::string kenmerk;
  std::int64_t agreement_id = 0;
  std::string head = std::string(kAuditGenesis);
  std::int64_t length = 0;
  bool open = true;

  Impl(Store::Impl* s, std::unique_lock<std::mutex> w, Store::Impl::Lease l, std::string k)
      : store(s), writer(std::move(w)), lease(std::move(l)), kenmerk(std::move(k)) {}

  Session& s() {
    if (lease.session == nullptr) throw Error("transactie op " + kenmerk + " is al afgesloten");
    return *lease;
  }
  const Dialect& d() const { return store->dialect; }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Store Store::open(const std::string& url, std::size_t max_sessions) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
  auto impl = std::make_unique<Impl>();
  impl->max_sessions = std::max<std::size_t>(max_sessions, 1);
  if (url.starts_with("sqlite:")) {
    impl->connector = "SQLite";
    impl->connection = url.substr(7);
  } else if (url.starts_with("postgresql:")) {
    impl->connector = "PostgreSQL";
    impl->connection = url.substr(11);
    impl->dialect.postgresql = true;
  } else {
    throw StoreError(StoreError::Kind::unavailable,
                     "onbekende database \"" + url + "\": gebruik sqlite:PAD of postgresql:VERBINDING");
  }
  if (impl->connection.empty()) throw StoreError(StoreError::Kind::unavailable, "database \"" + url + "\" zonder pad");
  try {
    impl->migrate();
  } catch (...) {
    rethrow("database openen");
  }
  return Store(std::move(impl));
}

bool Store::is_postgresql() const { return impl_->dialect.postgresql; }

Store::Transaction Store::write(std::string_view kenmerk, bool create) {
  std::unique_lock<std::mutex> writer;
  if (!impl_->dialect.postgresql) writer = std::unique_lock(impl_->sqlite_writer);
  auto t = std::make_unique<Transaction::Impl>(impl_.get(), std::move(writer), impl_->lease(), std::string(kenmerk));
  try {
    impl_->begin(t->s());
    try {
      if (create) {
        exec(t->s(), t->d(),
             "INSERT INTO agreement (kenmerk, chain_head, chain_length, created_ms) VALUES (?, ?, 0, ?) "
             "ON CONFLICT (kenmerk) DO NOTHING",
             t->kenmerk, std::string(kAuditGenesis), now_ms());
      }
      RecordSet rs = query(
          t->s(), t->d(),
          "SELECT id, chain_head, chain_length FROM agreement WHERE kenmerk = ?" + std::string(t->d().for_update()),
          t->kenmerk);
      if (rs.rowCount() == 0) throw Error("onbekend kenmerk \"" + t->kenmerk + "\"");
      t->agreement_id = number(rs, 0, 0);
      t->head = text(rs, 0, 1);
      t->length = number(rs, 0, 2);
    } catch (...) {
      impl_->rollback(t->s());
      throw;
    }
  } catch (...) {
    rethrow("transactie op " + std::string(kenmerk));
  }
  return Transaction(std::move(t));
}

Store::Transaction::Transaction(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Transaction::Transaction(Transaction&&) noexcept = default;
Store::Transaction::~Transaction() {
  if (impl_ && impl_->open) impl_->store->rollback(impl_->s());
}

const std::string& Store::Transaction::kenmerk() const { return impl_->kenmerk; }

std::vector<VersionRecord> Store::Transaction::versions() {
  try {
    RecordSet rs = query(impl_->s(), impl_->d(),
                         "SELECT " + std::string(kVersionColumns) +
                             " FROM version v JOIN agreement a ON a.id = v.agreement_id WHERE v.agreement_id = ? "
                             "ORDER BY v.versie",
                         impl_->agreement_id);
    std::vector<VersionRecord> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(version_at(rs, row));
    return out;
  } catch (...) {
    rethrow("versies lezen");
  }
}

std::optional<VersionRecord> Store::Transaction::latest_version() {
  auto all = versions();
  if (all.empty()) return std::nullopt;
  return all.back();
}

std::optional<VersionRecord> Store::Transaction::version(std::int64_t versie) {
  for (auto& v : versions()) {
    if (v.versie == versie) return v;
  }
  return std::nullopt;
}

std::vector<SignatoryRecord> Store::Transaction::signatories(std::int64_t version_id) {
  try {
    return signatories_of(impl_->s(), impl_->d(), version_id);
  } catch (...) {
    rethrow("ondertekenaars lezen");
  }
}

std::optional<SignatoryRecord> Store::Transaction::signatory(std::int64_t id) {
  try {
    RecordSet rs = query(impl_->s(), impl_->d(),
                         "SELECT " + std::string(kSignatoryColumns) +
                             " FROM signatory s JOIN version v ON v.id = s.version_id WHERE s.id = ? AND "
                             "v.agreement_id = ?",
                         id, impl_->agreement_id);
    if (rs.rowCount() == 0) return std::nullopt;
    return signatory_at(rs, 0);
  } catch (...) {
    rethrow("ondertekenaar lezen");
  }
}

std::optional<LinkRecord> Store::Transaction::link(std::string_view hash) {
  try {
    auto found = link_of(impl_->s(), impl_->d(), hash);
    if (found && found->version.kenmerk != impl_->kenmerk) return std::nullopt;
    return found;
  } catch (...) {
    rethrow("link lezen");
  }
}

std::int64_t Store::Transaction::latest_token_expiry(std::int64_t signatory_id) {
  try {
    RecordSet rs = query(impl_->s(), impl_->d(),
                         "SELECT COALESCE(MAX(expires_ms), 0) FROM token WHERE signatory_id = ?", signatory_id);
    return number(rs, 0, 0);
  } catch (...) {
    rethrow("tokens lezen");
  }
}

std::int64_t Store::Transaction::insert_version(const VersionRecord& v) {
  try {
    RecordSet rs = query(impl_->s(), impl_->d(),
                         "INSERT INTO version (agreement_id, versie, state, xml, xml_sha256, document_sha256, "
                         "contract_dir, revisions, opened_ms, closed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "RETURNING id",
                         impl_->agreement_id, v.versie, std::string(to_string(v.state)), v.xml, v.xml_sha256,
                         v.document_sha256, v.contract_dir, v.revisions, v.opened_ms, v.closed_ms);
    return number(rs, 0, 0);
  } catch (...) {
    rethrow("versie vastleggen");
  }
}

std::int64_t Store::Transaction::insert_signatory(const SignatoryRecord& s) {
  try {
    RecordSet rs = query(impl_->s(), impl_->d(),
                         "INSERT INTO signatory (version_id, position, tekenbevoegde, partner_id, partner, naam, "
                         "functie, email, state, state_ms, mail_error, reason, revision, revision_sha256, "
                         "certificate_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         s.version_id, s.position, s.tekenbevoegde, s.partner_id, s.partner, s.naam, s.functie, s.email,
                         std::string(to_string(s.state)), s.state_ms, s.mail_error, s.reason, s.revision,
                         s.revision_sha256, s.certificate_sha256);
    return number(rs, 0, 0);
  } catch (...) {
    rethrow("ondertekenaar vastleggen");
  }
}

void Store::Transaction::update_version(const VersionRecord& v) {
  try {
    const std::size_t n = exec(impl_->s(), impl_->d(),
                               "UPDATE version SET state = ?, revisions = ?, closed_ms = ? WHERE id = ? AND "
                               "agreement_id = ?",
                               std::string(to_string(v.state)), v.revisions, v.closed_ms, v.id, impl_->agreement_id);
    if (n != 1) throw Error("versie " + std::to_string(v.id) + " hoort niet bij " + impl_->kenmerk);
  } catch (...) {
    rethrow("versie bijwerken");
  }
}

void Store::Transaction::update_signatory(const SignatoryRecord& s) {
  try {
    if (!signatory(s.id)) throw Error("ondertekenaar " + std::to_string(s.id) + " hoort niet bij " + impl_->kenmerk);
    exec(impl_->s(), impl_->d(),
         "UPDATE signatory SET state = ?, state_ms = ?, mail_error = ?, reason = ?, revision = ?, "
         "revision_sha256 = ?, certificate_sha256 = ? WHERE id = ?",
         std::string(to_string(s.state)), s.state_ms, s.mail_error, s.reason, s.revision, s.revision_sha256,
         s.certificate_sha256, s.id);
  } catch (...) {
    rethrow("ondertekenaar bijwerken");
  }
}

void Store::Transaction::insert_token(const TokenRecord& t) {
  try {
    if (!signatory(t.signatory_id)) throw Error("token voor een ondertekenaar buiten " + impl_->kenmerk);
    exec(impl_->s(), impl_->d(),
         "INSERT INTO token (hash, signatory_id, document_sha256, created_ms, expires_ms, used_ms) "
         "VALUES (?, ?, ?, ?, ?, ?)",
         t.hash, t.signatory_id, t.document_sha256, t.created_ms, t.expires_ms, t.used_ms);
  } catch (...) {
    rethrow("token vastleggen");
  }
}

void Store::Transaction::mark_token_used(std::string_view hash, std::int64_t when_ms) {
  try {
    if (!link(hash)) throw Error("onbekend token");
    exec(impl_->s(), impl_->d(), "UPDATE token SET used_ms = ? WHERE hash = ?", when_ms, std::string(hash));
  } catch (...) {
    rethrow("token gebruiken");
  }
}

AuditRecord Store::Transaction::append(AuditEntry entry) {
  try {
    AuditRecord r;
    r.seq = impl_->length + 1;
    entry["seq"] = r.seq;
    entry["kenmerk"] = impl_->kenmerk;
    r.canonical = canonical_json(entry);
    r.hash = chain_hash(impl_->head, r.canonical);
    exec(impl_->s(), impl_->d(), "INSERT INTO audit (agreement_id, seq, entry, hash) VALUES (?, ?, ?, ?)",
         impl_->agreement_id, r.seq, r.canonical, r.hash);
    exec(impl_->s(), impl_->d(), "UPDATE agreement SET chain_head = ?, chain_length = ? WHERE id = ?", r.hash, r.seq,
         impl_->agreement_id);
    impl_->head = r.hash;
    impl_->length = r.seq;
    return r;
  } catch (...) {
    rethrow("auditregel vastleggen");
  }
}

void Store::Transaction::commit() {
  if (!impl_->open) throw Error("transactie is al afgesloten");
  try {
    impl_->store->commit(impl_->s());
    impl_->open = false;
    impl_->lease.give_back();  // the connection serves others while this object lives on
    if (impl_->writer.owns_lock()) impl_->writer.unlock();
  } catch (...) {
    rethrow("transactie vastleggen");
  }
}

std::vector<std::string> Store::kenmerken() {
  try {
    auto l = impl_->lease();
    RecordSet rs = query(*l, impl_->dialect, "SELECT kenmerk FROM agreement ORDER BY kenmerk");
    std::vector<std::string> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(text(rs, row, 0));
    return out;
  } catch (...) {
    rethrow("kenmerken lezen");
  }
}

std::optional<VersionRecord> Store::latest_version(std::string_view kenmerk) {
  try {
    auto l = impl_->lease();
    RecordSet rs = query(*l, impl_->dialect,
                         "SELECT " + std::string(kVersionColumns) +
                             " FROM version v JOIN agreement a ON a.id = v.agreement_id WHERE a.kenmerk = ? "
                             "ORDER BY v.versie DESC LIMIT 1",
                         std::string(kenmerk));
    if (rs.rowCount() == 0) return std::nullopt;
    return version_at(rs, 0);
  } catch (...) {
    rethrow("versie lezen");
  }
}

std::vector<SignatoryRecord> Store::signatories(std::int64_t version_id) {
  try {
    auto l = impl_->lease();
    return signatories_of(*l, impl_->dialect, version_id);
  } catch (...) {
    rethrow("ondertekenaars lezen");
  }
}

namespace {

std::vector<AuditRecord> audit_of(Session& s, const Dialect& d, std::string_view kenmerk) {
  RecordSet rs = query(s, d,
                       "SELECT u.seq, u.entry, u.hash FROM audit u JOIN agreement a ON a.id = u.agreement_id "
                       "WHERE a.kenmerk = ? ORDER BY u.seq",
                       std::string(kenmerk));
  std::vector<AuditRecord> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    out.push_back(AuditRecord{number(rs, row, 0), text(rs, row, 1), text(rs, row, 2)});
  }
  return out;
}

}  // namespace

std::vector<AuditRecord> Store::audit(std::string_view kenmerk) {
  try {
    auto l = impl_->lease();
    return audit_of(*l, impl_->dialect, kenmerk);
  } catch (...) {
    rethrow("auditlog lezen");
  }
}

std::vector<AuditRecord> Store::Transaction::audit() {
  try {
    return audit_of(impl_->s(), impl_->d(), kenmerk());
  } catch (...) {
    rethrow("auditlog lezen");
  }
}

std::string Store::agreement_xml(std::int64_t version_id) {
  try {
    auto l = impl_->lease();
    return agreement_xml_of(*l, impl_->dialect, version_id);
  } catch (...) {
    rethrow("overeenkomst lezen");
  }
}

std::string Store::Transaction::agreement_xml(std::int64_t version_id) {
  try {
    return agreement_xml_of(impl_->s(), impl_->d(), version_id);
  } catch (...) {
    rethrow("overeenkomst lezen");
  }
}

std::optional<LinkRecord> Store::link(std::string_view hash) {
  try {
    auto l = impl_->lease();
    return link_of(*l, impl_->dialect, hash);
  } catch (...) {
    rethrow("link lezen");
  }
}

}  // namespace sto
