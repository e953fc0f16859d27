#include <fstream>
#include <sstream>

#include "sto/workflow.h"

namespace sto {

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

int to_int(const std::string& key, const std::string& value, int low, int high) {
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || n < low || n > high) {
    throw Error(key + " moet een geheel getal van " + std::to_string(low) + " tot " + std::to_string(high) +
                " zijn, niet \"" + value + "\"");
  }
  return n;
}

bool to_bool(const std::string& key, const std::string& value) {
  if (value == "true" || value == "ja" || value == "1") return true;
  if (value == "false" || value == "nee" || value == "0") return false;
  throw Error(key + " moet true of false zijn, niet \"" + value + "\"");
}

// "Naam <adres>" or "adres".
MailAddress to_address(const std::string& key, const std::string& value) {
  const auto open = value.find('<');
  MailAddress a;
  if (open == std::string::npos) {
    a.adres = value;
  } else {
    if (!value.ends_with(">")) throw Error(key + ": schrijf \"Naam <adres>\" of alleen het adres");
    a.naam = trim(value.substr(0, open));
    a.adres = value.substr(open + 1, value.size() - open - 2);
  }
  if (a.adres.find('@') == std::string::npos || a.adres.find_first_of(" <>\r\n") != std::string::npos) {
    throw Error(key + ": \"" + a.adres + "\" is geen e-mailadres");
  }
  return a;
}

}  // namespace

void Configuration::set(const std::string& key, const std::string& value) {
  if (key == "database") {
    if (!value.starts_with("sqlite:") && !value.starts_with("postgresql:")) {
      throw Error("database moet sqlite:PAD of postgresql:VERBINDING zijn");
    }
    database = value;
  } else if (key == "database.connections") {
    database_connections = to_int(key, value, 1, 1000);
  } else if (key == "base_url") {
    if (!value.starts_with("http://") && !value.starts_with("https://")) {
      throw Error("base_url moet met http:// of https:// beginnen");
    }
    base_url = value;
    while (base_url.ends_with("/")) base_url.pop_back();
  } else if (key == "listen") {
    const auto colon = value.rfind(':');
    if (colon == std::string::npos) throw Error("listen moet ADRES:POORT zijn");
    to_int(key, value.substr(colon + 1), 0, 65535);
    listen = value;
  } else if (key == "link.days") {
    link_days = to_int(key, value, 1, 365);
  } else if (key == "mail.transport") {
    if (value != "pickup" && value != "smtp") throw Error("mail.transport moet pickup of smtp zijn");
    mail_transport = value;
  } else if (key == "mail.pickup") {
    pickup_dir = value;
  } else if (key == "mail.from") {
    mail_from = to_address(key, value);
  } else if (key == "smtp.host") {
    smtp.host = value;
  } else if (key == "smtp.port") {
    smtp.port = static_cast<unsigned short>(to_int(key, value, 1, 65535));
  } else if (key == "smtp.starttls") {
    smtp.starttls = to_bool(key, value);
  } else if (key == "smtp.ca_file") {
    smtp.ca_file = value;
  } else if (key == "smtp.user") {
    smtp.user = value;
  } else if (key == "smtp.password_file") {
    smtp_password_file = value;
  } else if (key == "smtp.attempts") {
    smtp.attempts = to_int(key, value, 1, 20);
  } else if (key == "smtp.backoff_ms") {
    smtp.backoff = std::chrono::milliseconds(to_int(key, value, 0, 600'000));
  } else if (key == "smtp.timeout_ms") {
    smtp.timeout = std::chrono::milliseconds(to_int(key, value, 100, 600'000));
  } else if (key == "tsa.url") {
    tsa_url = value;
  } else if (key == "tsa.certificate") {
    tsa_certificate = value;
  } else if (key == "server.threads") {
    server_threads = to_int(key, value, 2, 1024);
  } else if (key == "server.queue") {
    server_queue = to_int(key, value, 1, 100'000);
  } else if (key == "server.per_address") {
    server_per_address = to_int(key, value, 0, 100'000);
  } else if (key == "server.trust_proxy") {
    trust_proxy = to_bool(key, value);
  } else if (key == "tls.certificate") {
    tls_certificate = value;
  } else if (key == "tls.key") {
    tls_key = value;
  } else if (key == "penvoerder.email") {
    if (!value.empty()) to_address(key, value);
    penvoerder_email = value;
  } else if (key == "herinneringen.interval") {
    reminder_interval = to_int(key, value, 1, 86'400);
  } else if (key == "mail.claim") {
    mail_claim_seconds = to_int(key, value, 1, 86'400);
  } else {
    throw Error("onbekende instelling \"" + key + "\"");
  }
}

Configuration Configuration::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("kan " + path.string() + " niet lezen");
  Configuration c;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string t = trim(line);
    if (t.empty() || t.starts_with("#")) continue;
    const auto eq = t.find('=');
    try {
      if (eq == std::string::npos) throw Error("verwacht \"sleutel = waarde\"");
      c.set(trim(t.substr(0, eq)), trim(t.substr(eq + 1)));
    } catch (const Error& e) {
      throw Error(path.string() + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  if (c.tsa_url.empty() != c.tsa_certificate.empty()) {
    throw Error(path.string() + ": tsa.url en tsa.certificate horen bij elkaar");
  }
  if (c.tls_certificate.empty() != c.tls_key.empty()) {
    throw Error(path.string() + ": tls.certificate en tls.key horen bij elkaar");
  }
  return c;
}

std::string Configuration::text() const {
  std::ostringstream o;
  const auto from = mail_from.naam.empty() ? mail_from.adres : mail_from.naam + " <" + mail_from.adres + ">";
  o << "# sto: de instellingen van deze werkruimte (docs/workflow.md). Opties op de opdrachtregel gaan voor.\n"
    << "\n# De database: sqlite:PAD (relatief aan de werkruimte) of postgresql:VERBINDING (libpq), bijvoorbeeld\n"
    << "# postgresql:host=db.example.nl dbname=sto user=sto connect_timeout=5\n"
    << "database = " << database << "\n"
    << "# Verbindingen per proces (PostgreSQL staat er standaard 100 toe, voor alle processen samen).\n"
    << "database.connections = " << database_connections << "\n"
    << "\n# De webserver: waar hij luistert, en het adres waarmee links in de mail beginnen\n"
    << "# (achter een reverse proxy: het publieke https-adres).\n"
    << "listen = " << listen << "\n"
    << (base_url.empty() ? "# base_url = https://onderteken.example.nl\n" : "base_url = " + base_url + "\n")
    << "# Hoeveel dagen een link geldig is.\n"
    << "link.days = " << link_days << "\n"
    << "server.threads = " << server_threads << "\n"
    << "server.queue = " << server_queue << "\n"
    << "# Verbindingen die één adres tegelijk open mag houden (0: onbeperkt; uit achter een proxy).\n"
    << "server.per_address = " << server_per_address << "\n"
    << "# Achter een proxy: het adres van de bezoeker uit X-Forwarded-For halen.\n"
    << "server.trust_proxy = " << (trust_proxy ? "true" : "false") << "\n"
    << "# HTTPS: certificaat en sleutel (PEM). Leeg: gewoon HTTP (achter een proxy).\n"
    << "tls.certificate = " << tls_certificate << "\n"
    << "tls.key = " << tls_key << "\n"
    << "\n# De mail: pickup (bestanden in mail.pickup/new/, voor demo's en afgesloten netten) of smtp.\n"
    << "mail.transport = " << mail_transport << "\n"
    << "mail.pickup = " << pickup_dir << "\n"
    << "mail.from = " << from << "\n"
    << "smtp.host = " << smtp.host << "\n"
    << "smtp.port = " << smtp.port << "\n"
    << "smtp.starttls = " << (smtp.starttls ? "true" : "false") << "\n"
    << "smtp.ca_file = " << smtp.ca_file << "\n"
    << "smtp.user = " << smtp.user << "\n"
    << "# Een bestand met het wachtwoord op de eerste regel (nooit het wachtwoord zelf hier).\n"
    << "smtp.password_file = " << smtp_password_file << "\n"
    << "smtp.attempts = " << smtp.attempts << "\n"
    << "smtp.backoff_ms = " << smtp.backoff.count() << "\n"
    << "smtp.timeout_ms = " << smtp.timeout.count() << "\n"
    << "\n# Een externe tijdstempeldienst (RFC 3161); leeg: die van de werkruimte zelf.\n"
    << "tsa.url = " << tsa_url << "\n"
    << "tsa.certificate = " << tsa_certificate << "\n"
    << "\n# De penvoerder: waar meldingen heen gaan (een weigering met de reden, een uitnodiging of herinnering\n"
    << "# die niet bezorgd kon worden, de afronding, de dagelijkse samenvatting). Leeg: geen meldingen.\n"
    << "penvoerder.email = " << penvoerder_email << "\n"
    << "# Om de hoeveel seconden sto serve kijkt of er herinneringen of een samenvatting verstuurd moeten worden.\n"
    << "herinneringen.interval = " << reminder_interval << "\n"
    << "# Seconden dat een mail die een server verstuurt niet door een andere geprobeerd wordt.\n"
    << "mail.claim = " << mail_claim_seconds << "\n";
  return o.str();
}

}  // namespace sto
