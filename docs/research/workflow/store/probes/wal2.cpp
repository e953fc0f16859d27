#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Session.h>
#include <Poco/Thread.h>
#include <iostream>
using namespace Poco::Data::Keywords;
// journal_mode=WAL is persistent in the file; set it only if needed and retry on SQLITE_BUSY,
// which the switch can return even with a busy timeout when several processes open a new file.
void ensureWal(Poco::Data::Session& s) {
  for (int attempt = 0;; ++attempt) {
    try {
      std::string mode;
      s << "PRAGMA journal_mode", into(mode), now;
      if (mode == "wal") return;
      s << "PRAGMA journal_mode=WAL", into(mode), now;
      if (mode == "wal") return;
    } catch (const Poco::Data::SQLite::DBLockedException&) {
      if (attempt >= 50) throw;
    }
    Poco::Thread::sleep(20);
  }
}
int main(int, char** argv) {
  Poco::Data::SQLite::Connector::registerConnector();
  try {
    Poco::Data::Session s("SQLite", argv[1], 5);   // 5 s busy timeout (and open retry)
    ensureWal(s);
    s << "PRAGMA foreign_keys=ON", now;
    s << "BEGIN IMMEDIATE", now;
    s << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", now;
    s << "COMMIT", now;
    std::string m; Poco::Data::Session s2("SQLite", argv[1]); s2 << "PRAGMA journal_mode", into(m), now;
    if (m != "wal") std::cout << "second connection sees " << m << "\n";
  } catch (const Poco::Exception& e) { std::cout << "failed: " << e.displayText() << "\n"; return 1; }
}
