#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Stopwatch.h>
#include <iostream>
using namespace Poco::Data::Keywords;
int main(int argc, char** argv) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::PostgreSQL::Connector::registerConnector();
  std::string conn = argv[1], str = argv[2];
  std::size_t t = std::stoul(argv[3]);
  Poco::Stopwatch sw; sw.start();
  try {
    Poco::Data::Session s(conn, str, t);
    if (conn == "SQLite") {
      int bt = 0;
      s << "PRAGMA busy_timeout", into(bt), now;
      std::cout << "busy_timeout after open(ms)=" << bt << " connectionTimeout prop="
                << Poco::AnyCast<int>(s.getProperty("connectionTimeout")) << "\n";
    }
    std::cout << "connected\n";
  } catch (const Poco::Exception& e) { std::cout << e.className() << ": " << e.displayText() << "\n"; }
  std::cout << "elapsed " << sw.elapsed() / 1000 << " ms\n";
}
