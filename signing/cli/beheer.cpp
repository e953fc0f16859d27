// sto beheer wachtwoord: the penvoerder's password for the /beheer pages of sto serve.
#include <iostream>

#include "sto/server.h"

#include "command.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto beheer wachtwoord [--home MAP] --password-file BESTAND\n"
    "\n"
    "Zet (of wijzigt) het wachtwoord van de penvoerder voor de beheerpagina's van sto serve\n"
    "(BASE/beheer/): de eerste regel van BESTAND, minstens 10 tekens. Alleen een scrypt-hash ervan\n"
    "wordt bewaard (MAP/beheer.wachtwoord, 0600). Wie al ingelogd is, blijft dat tot uitloggen of\n"
    "8 uur niets doen; herstart sto serve om iedereen opnieuw te laten inloggen.\n"
    "\n"
    "  --home MAP                 de werkruimte (anders $STO_HOME, anders ./sto-werkruimte)\n"
    "  --password-file BESTAND    het wachtwoord op de eerste regel\n"
    "\n"
    "Afsluitcode: 0 gezet, 2 verkeerd gebruik, 3 omgevingsfout (geen werkruimte, te kort wachtwoord).\n";

int run(std::span<const std::string_view> args) {
  std::string home;
  std::string file;
  if (args.empty() || args[0] != "wachtwoord") throw UsageError{"kies sto beheer wachtwoord"};
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--home") {
      home = option_value(args, i);
    } else if (args[i] == "--password-file") {
      file = option_value(args, i);
    } else {
      throw UsageError{"onbekende optie \"" + std::string(args[i]) + "\""};
    }
  }
  if (file.empty()) throw UsageError{"geef het wachtwoord met --password-file BESTAND"};
  const auto dir = workspace_dir(home);
  if (!std::filesystem::exists(dir / "sto.conf")) throw Error(dir.string() + " is geen werkruimte (sto init)");
  set_beheer_password(dir, first_line(file));
  std::cout << "Wachtwoord voor de beheerpagina's gezet in " << (dir / "beheer.wachtwoord").string() << "\n";
  return kOk;
}

}  // namespace

const Command kBeheer{"beheer", "het wachtwoord van de beheerpagina's van de penvoerder", kUsageText, run};

}  // namespace sto::cli
