#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <cstdlib>
#include <iostream>
using namespace Poco::Data::Keywords;
int main() {
  Poco::Data::PostgreSQL::Connector::registerConnector();
  Poco::Data::Session s("PostgreSQL", std::getenv("STO_PG_CONN"));
  std::string a = "first", b = "second", r1, r2;
  s << "SELECT $2, $1", use(a), use(b), into(r1), into(r2), now;
  std::cout << "PG 'SELECT $2, $1' with use(first),use(second) -> " << r1 << "," << r2 << "\n";
  int x = 5, y = 0;
  try { s << "SELECT $1::int + $1::int", use(x), into(y), now; std::cout << "$1+$1 one use -> " << y << "\n"; }
  catch (const Poco::Exception& e) { std::cout << "$1+$1: " << e.displayText() << "\n"; }
  // transaction isolation / autocommit info
  std::cout << "autoCommit feature=" << s.getFeature("autoCommit") << " isolation=" << s.getTransactionIsolation() << "\n";
  // SET inside session (client_min_messages) to silence NOTICEs
  s << "SET client_min_messages = warning", now;
  s << "CREATE TABLE IF NOT EXISTS zz (a int)", now;
  s << "CREATE TABLE IF NOT EXISTS zz (a int)", now;
  std::cout << "second CREATE IF NOT EXISTS done (no NOTICE expected above)\n";
  // same statement object executed twice with changing bound value
  int v = 1, out = 0;
  Poco::Data::Statement st(s);
  st << "SELECT $1::int * 10", use(v), into(out);
  st.execute(); std::cout << "reuse1 " << out << "\n";
  v = 2; st.execute(); std::cout << "reuse2 " << out << "\n";
}
