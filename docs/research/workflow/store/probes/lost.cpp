#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <cstdlib>
#include <iostream>
using namespace Poco::Data::Keywords;
int main() {
  Poco::Data::PostgreSQL::Connector::registerConnector();
  Poco::Data::Session s("PostgreSQL", std::getenv("STO_PG_CONN"));
  int r = 0; s << "SELECT 1", into(r), now;
  std::cout << "before: r=" << r << " isConnected=" << s.isConnected() << "\n";
  std::system("runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D \"$PGDATA_DIR\" -m fast -w restart >/dev/null");
  try { s << "SELECT 2", into(r), now; std::cout << "after restart: OK\n"; }
  catch (const Poco::Exception& e) { std::cout << "after restart: " << e.className() << ": " << e.displayText().substr(0, 200) << "\n"; }
  std::cout << "isConnected=" << s.isConnected() << "\n";
  try { s.reconnect(); s << "SELECT 3", into(r), now; std::cout << "after reconnect(): r=" << r << "\n"; }
  catch (const Poco::Exception& e) { std::cout << "reconnect: " << e.className() << ": " << e.displayText() << "\n"; }
}
