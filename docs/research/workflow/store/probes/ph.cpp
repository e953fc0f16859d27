#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <iostream>
using namespace Poco::Data::Keywords;
int main() {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session s("SQLite", ":memory:");
  std::string a = "first", b = "second", r1, r2;
  s << "SELECT $2, $1", use(a), use(b), into(r1), into(r2), now;
  std::cout << "SQLite 'SELECT $2, $1' with use(first),use(second) -> " << r1 << "," << r2 << "\n";
  int x = 5, y = 0;
  try { s << "SELECT $1 + $1", use(x), into(y), now; std::cout << "$1+$1 one use -> " << y << "\n"; }
  catch (const Poco::Exception& e) { std::cout << "$1+$1: " << e.displayText() << "\n"; }
}
