// sto init: a workspace (configuration, server secret, database, CA and TSA); prints the
// fingerprint auditors trust.
#include <iostream>

#include "command.h"
#include "sto/server.h"
#include "sto/workflow.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto init [--home MAP] [--passphrase-file BESTAND] [--database URL] [--base-url URL]\n"
    "                  [--listen ADRES:POORT] [--smtp HOST:POORT] [--penvoerder-email ADRES]\n"
    "                  [--beheer-wachtwoord-file BESTAND]\n"
    "\n"
    "Maakt de werkruimte: de certificaatautoriteit (CA, ECDSA P-256, 30 jaar geldig) en een\n"
    "tijdstempeldienst (RFC 3161) die de CA uitgeeft, in MAP/pki; MAP/sto.conf met de instellingen\n"
    "(docs/workflow.md); MAP/geheim, de sleutel van de formulieren; en de database (standaard\n"
    "MAP/sto.db, SQLite). De sleutels zijn alleen voor de eigenaar leesbaar (0600). Een bestaande CA\n"
    "wordt nooit vervangen. Toont de SHA-256-vingerafdruk van de CA: daaraan herkennen auditors de\n"
    "handtekeningen.\n"
    "\n"
    "  --home MAP                 de werkruimte (anders $STO_HOME, anders ./sto-werkruimte)\n"
    "  --passphrase-file BESTAND  versleutel de sleutels met het wachtwoord op de eerste regel\n"
    "                             (anders $STO_PASSPHRASE; zonder wachtwoord onversleuteld)\n"
    "  --database URL             sqlite:PAD (standaard sqlite:sto.db) of postgresql:VERBINDING\n"
    "  --base-url URL             het begin van de links in de mail (bv. https://teken.example.nl)\n"
    "  --listen ADRES:POORT       waar sto serve luistert (standaard 127.0.0.1:8080)\n"
    "  --smtp HOST:POORT          mail via SMTP (standaard: bestanden in MAP/postvak)\n"
    "  --penvoerder-email ADRES   waar meldingen voor de penvoerder heen gaan (weigering, onbestelbare\n"
    "                             mail, afronding, dagelijkse samenvatting)\n"
    "  --beheer-wachtwoord-file BESTAND  het wachtwoord van de beheerpagina's (eerste regel, >= 10\n"
    "                             tekens); later te wijzigen met sto beheer wachtwoord\n"
    "\n"
    "Afsluitcode: 0 gemaakt, 2 verkeerd gebruik, 3 omgevingsfout (ook: er staat al een CA).\n";

int run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  std::string beheer_file;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (workspace_flag(args, i, flags)) continue;
    if (args[i] == "--beheer-wachtwoord-file") {
      beheer_file = option_value(args, i);
    } else if (args[i] == "--penvoerder-email") {
      flags.overrides["penvoerder.email"] = option_value(args, i);
    } else {
      throw UsageError{"onbekende optie \"" + std::string(args[i]) + "\""};
    }
  }
  // Read before anything is made, so that a bad file leaves no half-made workspace.
  const std::string beheer_password = beheer_file.empty() ? "" : first_line(beheer_file);
  if (!beheer_password.empty()) check_beheer_password(beheer_password);
  Configuration configuration;
  for (const auto& [key, value] : flags.overrides) configuration.set(key, value);
  const auto dir = workspace_dir(flags.home);
  const std::string fingerprint = Werkruimte::init(dir, configuration, passphrase(flags.passphrase_file));
  if (!beheer_password.empty()) set_beheer_password(dir, beheer_password);
  std::cout << "Werkruimte: " << dir.string() << "\n"
            << "Instellingen: " << (dir / "sto.conf").string() << "\n"
            << "CA-certificaat: " << (dir / "pki" / "ca.pem").string() << "\n"
            << "SHA-256-vingerafdruk van de CA (geef deze aan auditors):\n"
            << "  " << fingerprint << "\n";
  return kOk;
}

}  // namespace

const Command kInit{"init", "maak een werkruimte met certificaatautoriteit en tijdstempeldienst", kUsageText, run};

}  // namespace sto::cli
