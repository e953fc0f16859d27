#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <iostream>
using namespace Poco::Data::Keywords;
int main() {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session s("SQLite", "/tmp/rs-store/prop.db");
  int bt = 0;
  s << "PRAGMA busy_timeout", into(bt), now; std::cout << "default busy_timeout=" << bt << " ms\n";
  s.setProperty("connectionTimeout", std::size_t(3));
  s << "PRAGMA busy_timeout", into(bt), now; std::cout << "after setProperty(connectionTimeout, 3): " << bt << " ms\n";
  try { s.setProperty("maxRetryAttempts", 5); } catch (const Poco::Exception& e) { std::cout << "maxRetryAttempts: " << e.displayText() << "\n"; }
  try { s.setProperty("connectionTimeout", 3); } catch (const Poco::Exception& e) { std::cout << "connectionTimeout as int: " << e.displayText() << "\n"; }
  try { s.setProperty("transactionMode", std::string("IMMEDIATE")); } catch (const Poco::Exception& e) { std::cout << "transactionMode: " << e.displayText() << "\n"; }
}
