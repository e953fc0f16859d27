#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <iostream>
using namespace Poco::Data::Keywords;
int main(int, char** argv) {
  Poco::Data::SQLite::Connector::registerConnector();
  const char* step = "open";
  try {
    Poco::Data::Session s("SQLite", argv[1]);
    std::string order = argv[2];
    if (order == "busy-first") { step = "busy_timeout"; s << "PRAGMA busy_timeout=5000", now; }
    step = "journal_mode"; s << "PRAGMA journal_mode=WAL", now;
    step = "create"; s << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", now;
    step = "begin"; s << "BEGIN IMMEDIATE", now;
    step = "commit"; s << "COMMIT", now;
  } catch (const Poco::Exception& e) { std::cout << "failed at " << step << ": " << e.displayText() << "\n"; return 1; }
  return 0;
}
