#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/LOB.h>
#include <cstdlib>
#include <iostream>
using namespace Poco::Data::Keywords;
using Poco::Data::BLOB;
int main(int argc, char** argv) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::PostgreSQL::Connector::registerConnector();
  std::string be = argv[1];
  bool pg = be == "PostgreSQL";
  Poco::Data::Session s(be, pg ? std::getenv("STO_PG_CONN") : "/tmp/rs-store/p2.db");
  s << "DROP TABLE IF EXISTS tbin", now;
  s << std::string("CREATE TABLE tbin (id INTEGER PRIMARY KEY, data ") + (pg ? "BYTEA" : "BLOB") + ", t TEXT)", now;
  s << (pg ? "INSERT INTO tbin VALUES (1, '\\x111111', 'a'), (2, '\\x2222', NULL), (3, NULL, 'c')"
           : "INSERT INTO tbin VALUES (1, x'111111', 'a'), (2, x'2222', NULL), (3, NULL, 'c')"), now;
  // issue #3045: RecordSet over several bytea rows
  Poco::Data::Statement st(s);
  st << "SELECT id, data FROM tbin ORDER BY id", now;
  Poco::Data::RecordSet rs(st);
  for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
    std::cout << "RecordSet row " << rs["id"].toString() << ": ";
    if (rs["data"].isEmpty()) { std::cout << "NULL\n"; continue; }
    BLOB b = rs["data"].extract<BLOB>();
    for (auto c : b) std::cout << std::hex << unsigned(c) << std::dec;
    std::cout << " (" << b.size() << " bytes)\n";
  }
  std::vector<int> ids; std::vector<BLOB> blobs; std::vector<Poco::Nullable<std::string>> ts;
  s << "SELECT id, data, t FROM tbin ORDER BY id", into(ids), into(blobs), into(ts), now;
  for (size_t i = 0; i < ids.size(); ++i)
    std::cout << "vector row " << ids[i] << ": blob " << blobs[i].size() << " bytes, t " << (ts[i].isNull() ? "NULL" : ts[i].value()) << "\n";
  // row-by-row with limit
  Poco::Data::Statement st2(s);
  int id = 0; BLOB b;
  st2 << "SELECT id, data FROM tbin ORDER BY id", into(id), into(b), range(0, 1);
  while (!st2.done()) { st2.execute(); std::cout << "range row " << id << ": " << b.size() << " bytes\n"; }
}
