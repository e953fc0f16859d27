// sto init: the workspace's PKI (CA and TSA); prints the fingerprint auditors trust.
#include <iostream>

#include "command.h"
#include "sto/pki.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto init [--home MAP] [--passphrase-file BESTAND]\n"
    "\n"
    "Maakt de werkruimte met haar certificaatautoriteit (CA, ECDSA P-256, 30 jaar geldig) en een\n"
    "tijdstempeldienst (RFC 3161) die de CA uitgeeft, in MAP/pki: ca.pem, ca.key, tsa.pem, tsa.key.\n"
    "De sleutels zijn alleen voor de eigenaar leesbaar (0600). Een bestaande CA wordt nooit vervangen.\n"
    "Toont de SHA-256-vingerafdruk van de CA: daaraan herkennen auditors de handtekeningen.\n"
    "\n"
    "  --home MAP                 de werkruimte (anders $STO_HOME, anders ./sto-werkruimte)\n"
    "  --passphrase-file BESTAND  versleutel de sleutels met het wachtwoord op de eerste regel\n"
    "                             (anders $STO_PASSPHRASE; zonder wachtwoord onversleuteld)\n"
    "\n"
    "Afsluitcode: 0 gemaakt, 2 verkeerd gebruik, 3 omgevingsfout (ook: er staat al een CA).\n";

int run(std::span<const std::string_view> args) {
  std::string home;
  std::string passphrase_file;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--home") {
      home = option_value(args, i);
    } else if (args[i] == "--passphrase-file") {
      passphrase_file = option_value(args, i);
    } else {
      throw UsageError{"onbekende optie \"" + std::string(args[i]) + "\""};
    }
  }
  const auto dir = workspace_dir(home);
  const Pki pki = Pki::create(dir / "pki", passphrase(passphrase_file));
  std::cout << "Werkruimte: " << dir.string() << "\n"
            << "CA-certificaat: " << (dir / "pki" / "ca.pem").string() << "\n"
            << "SHA-256-vingerafdruk van de CA (geef deze aan auditors):\n"
            << "  " << pki.ca_fingerprint() << "\n";
  return kOk;
}

}  // namespace

const Command kInit{"init", "maak een werkruimte met certificaatautoriteit en tijdstempeldienst", kUsageText, run};

}  // namespace sto::cli
