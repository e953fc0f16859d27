// sto new: the start of a region: a skeleton agreement and an empty partner sheet.
#include <iostream>

#include "command.h"
#include "sto/atomic_file.h"
#include "sto/sheet.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto new -o MAP\n"
    "\n"
    "Begint een regio in MAP (die nog niet mag bestaan of leeg is): overeenkomst.xml, een geldig\n"
    "geraamte met alles wat u moet invullen gemarkeerd als \"VUL IN\" (de drie verwijzingen, de\n"
    "looptijd, vijf voorbeeldpartners), en partners.xlsx, een leeg partnerblad met kopregel,\n"
    "keuzelijsten en een blad Toelichting. Vul het blad in en lees het in met\n"
    "sto partners import MAP/partners.xlsx --into MAP/overeenkomst.xml.\n"
    "\n"
    "Afsluitcode: 0 gelukt, 2 verkeerd gebruik, 3 omgevingsfout (MAP bestaat al en is niet leeg).\n";

int run(std::span<const std::string_view> args) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" || args[i] == "--output") {
      out = option_value(args, i);
    } else {
      throw UsageError{"onbekend argument \"" + std::string(args[i]) + "\""};
    }
  }
  if (out.empty()) throw UsageError{"geef de map met -o MAP"};
  const std::filesystem::path dir = out;
  if (std::filesystem::exists(dir) && !std::filesystem::is_directory(dir)) {
    throw Error(dir.string() + " bestaat al en is geen map: kies een nieuwe map");
  }
  if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir)) {
    throw Error(dir.string() + " bestaat al en is niet leeg: kies een nieuwe map");
  }
  std::filesystem::create_directories(dir);
  write_file_atomically(dir / "overeenkomst.xml", read_whole_file(templates_dir() / "nieuw" / "overeenkomst.xml"));
  write_empty_partner_sheet(dir / "partners.xlsx");
  std::cout << "Geschreven: " << (dir / "overeenkomst.xml").string() << " en " << (dir / "partners.xlsx").string()
            << "\n\nVolgende stappen:\n"
            << "  1. Vul in overeenkomst.xml alles in wat \"VUL IN\" zegt.\n"
            << "  2. Vul partners.xlsx in: één rij per tekenbevoegde (zie het blad Toelichting).\n"
            << "  3. sto partners import " << (dir / "partners.xlsx").string() << " --into "
            << (dir / "overeenkomst.xml").string() << "\n"
            << "  4. sto render " << (dir / "overeenkomst.xml").string() << " -o contract.pdf\n";
  return kOk;
}

}  // namespace

const Command kNew{"new", "begin een regio: een geraamte van de overeenkomst en een leeg partnerblad", kUsageText, run};

}  // namespace sto::cli
