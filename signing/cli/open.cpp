// sto open: validates, renders and registers a version (signing/workflow opening.cpp).
#include <iostream>

#include "command.h"

namespace sto::cli {

namespace {

constexpr std::string_view kOpenUsage =
    "Gebruik: sto open OVEREENKOMST.xml|WIJZIGING.xml [werkruimte-opties]\n"
    "\n"
    "Controleert de overeenkomst, maakt het contract (revisie 0), legt de versie vast en maakt per\n"
    "tekenbevoegde een ondertekenverzoek (status pending). Een hogere versie van een open\n"
    "overeenkomst trekt de open verzoeken van de oude in. Dezelfde versie opnieuw openen verandert niets.\n"
    "\n"
    "Een wijziging (docs/amendment-format.md) opent zo ook: gecontroleerd tegen de overeenkomst die\n"
    "rond is met haar eerdere wijzigingen, ondertekend door de betrokken partijen en de penvoerder.\n"
    "\n";

int open_run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  const std::string file = parse_one(args, flags, "overeenkomst", no_extra);
  Werkruimte w = open_workspace(flags);
  if (is_amendment_file(file)) {
    WijzigingValidation wv;
    const auto opened = w.open_wijziging(file, wv);
    if (!opened) {
      print_findings(wv.findings, file, Taal::nl, false);
      return kInvalid;
    }
    std::cout << opened->kenmerk << " versie " << opened->versie << ", wijziging " << opened->wijziging
              << " geopend: " << opened->signatories
              << " tekenbevoegden.\nDocument SHA-256: " << opened->document_sha256 << "\nVolgende stap: sto invite "
              << opened->kenmerk << "\n";
    return kOk;
  }
  Validation v;
  const auto opened = w.open_agreement(file, v);
  if (!opened) {
    print_validation(v, file, Taal::nl, false);
    return kInvalid;
  }
  if (opened->already_open) {
    std::cout << opened->kenmerk << " versie " << opened->versie << " was al geopend; er is niets veranderd.\n";
    return kOk;
  }
  if (opened->revoked_versie != 0) {
    std::cout << "Versie " << opened->revoked_versie << " is ingetrokken; haar open verzoeken gelden niet meer.\n";
  }
  std::cout << opened->kenmerk << " versie " << opened->versie << " geopend: " << opened->signatories
            << " tekenbevoegden.\nContract SHA-256: " << opened->document_sha256 << "\nVolgende stap: sto invite "
            << opened->kenmerk << "\n";
  return kOk;
}

const std::string kOpenText = std::string(kOpenUsage) + std::string(kWorkspaceFlagsText) + std::string(kWorkflowExit);

}  // namespace

const Command kOpen{"open", "open een overeenkomst ter ondertekening (een verzoek per tekenbevoegde)", kOpenText,
                    open_run};

}  // namespace sto::cli
