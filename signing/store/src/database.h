// Private to signing/store: the connections, the SQL dialects and the one way every query is
// wrapped (errors mapped to StoreError, busy retried in Store::run only).
#pragma once

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sto/store.h"

namespace sto::detail {

using Poco::Data::RecordSet;
using Poco::Data::Session;
using Poco::Data::Statement;

// What differs between the backends, and nothing else.
struct Dialect {
  bool postgresql = false;

  // `?` → `$1, $2, …` for PostgreSQL (our SQL has no `?` inside literals).
  std::string q(std::string_view sql) const;
  // {ID} → the dialect's auto-numbered primary key.
  std::string ddl(std::string_view sql) const;
  std::string_view for_update() const { return postgresql ? " FOR UPDATE" : ""; }
};

// One session with its dialect: what every query runs on.
struct Connection {
  Session& session;
  const Dialect& dialect;

  template <class... Args>
  Statement statement(std::string_view sql, const Args&... args) const {
    Statement st(session);
    st << dialect.q(sql);
    ((st, Poco::Data::Keywords::bind(args)), ...);
    return st;
  }
  template <class... Args>
  std::size_t exec(std::string_view sql, const Args&... args) const {
    Statement st = statement(sql, args...);
    return st.execute();
  }
  template <class... Args>
  RecordSet query(std::string_view sql, const Args&... args) const {
    Statement st = statement(sql, args...);
    st.execute();
    return RecordSet(st);
  }
};

std::string text(const RecordSet& rs, std::size_t row, std::size_t col);
std::int64_t number(const RecordSet& rs, std::size_t row, std::size_t col);

// Rethrows the exception in flight as a StoreError (sto::Error passes unchanged), `what` saying
// what was being done. Call only from a catch block.
[[noreturn]] void rethrow(const std::string& what);

// Runs `f`, mapping what it throws by rethrow(what).
template <class F>
auto guarded(const std::string& what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    rethrow(what);
  }
}

// The queries the store and its transactions share (queries.cpp), each on one connection.
std::vector<VersionRecord> versions_of(Connection c, std::int64_t agreement_id);
std::vector<VersionRecord> versions_of(Connection c, std::string_view kenmerk, bool with_xml);
// Without its xml when !with_xml (the reads that do not need it: up to a few hundred KB).
std::optional<VersionRecord> latest_version_of(Connection c, std::string_view kenmerk, bool with_xml = true);
std::vector<SignatoryRecord> signatories_of(Connection c, std::int64_t version_id);
std::optional<SignatoryRecord> signatory_of(Connection c, std::int64_t agreement_id, std::int64_t id);
std::optional<LinkRecord> link_of(Connection c, std::string_view hash);
std::string agreement_xml_of(Connection c, std::int64_t version_id);
std::vector<AuditRecord> audit_of(Connection c, std::string_view kenmerk);

}  // namespace sto::detail

namespace sto {

// A few open sessions, handed to one user at a time: Poco's sessions are not for sharing
// between threads, and SQLite needs its PRAGMAs on every new connection.
struct Store::Impl {
  detail::Dialect dialect;
  std::string connector;
  std::string connection;
  // SQLite takes one write lock for the whole file, and a writer that finds it taken sleeps in
  // SQLite's busy handler (up to 100 ms a turn): under load the waits grow to seconds. The
  // writers of this process therefore queue here first and are woken the moment the lock is
  // free; only writers of other processes meet the busy handler.
  std::mutex sqlite_writer;

  // At most max_sessions connections, each lent to one caller at a time: a server's threads
  // beyond that wait for one instead of opening more (PostgreSQL refuses clients beyond its
  // max_connections, 100 by default, shared by every server process).
  std::size_t max_sessions = 16;
  std::size_t open_sessions = 0;
  std::mutex mutex;
  std::condition_variable returned;
  std::vector<std::unique_ptr<detail::Session>> idle;

  struct Lease {
    Impl* pool;
    std::unique_ptr<detail::Session> session;
    Lease(Impl* p, std::unique_ptr<detail::Session> s) : pool(p), session(std::move(s)) {}
    Lease(Lease&& other) noexcept : pool(other.pool), session(std::move(other.session)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() { give_back(); }
    // Hands the session back (a broken one is dropped); the lease is empty afterwards.
    void give_back() noexcept;
    detail::Session& operator*() { return *session; }
  };
  Lease lease();
  std::unique_ptr<detail::Session> connect();

  detail::Connection on(detail::Session& s) const { return {s, dialect}; }
  void begin(detail::Session& s);
  void commit(detail::Session& s);
  void rollback(detail::Session& s) noexcept;
  // Applies the schema's steps not yet applied, each once (schema.cpp).
  void migrate();

  // A read on a leased connection, its errors mapped.
  template <class F>
  auto read(const std::string& what, F&& f) {
    return detail::guarded(what, [&] {
      Lease l = lease();
      return f(on(*l));
    });
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

  detail::Connection c() {
    if (lease.session == nullptr) throw Error("transactie op " + kenmerk + " is al afgesloten");
    return store->on(*lease);
  }
  // A step of the transaction, its errors mapped.
  template <class F>
  auto step(const std::string& what, F&& f) {
    return detail::guarded(what, [&] { return f(c()); });
  }
};

}  // namespace sto
