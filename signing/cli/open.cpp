// sto open: validates, renders and registers a version (signing/workflow opening.cpp).
#include <iostream>

#include "sto/utf8.h"

#include "command.h"

namespace sto::cli {

namespace {

constexpr std::string_view kOpenUsage =
    "Gebruik: sto open OVEREENKOMST.xml|WIJZIGING.xml [--bevestig] [werkruimte-opties]\n"
    "\n"
    "Controleert de overeenkomst, maakt het contract (revisie 0), legt de versie vast en maakt per\n"
    "tekenbevoegde een ondertekenverzoek (status pending). Een hogere versie van een open\n"
    "overeenkomst trekt de open verzoeken van de oude in; dan zegt sto open eerst hoeveel handtekeningen\n"
    "daarmee vervallen en van wie, en gaat pas door met --bevestig. Dezelfde versie opnieuw openen\n"
    "verandert niets.\n"
    "\n"
    "Een wijziging (docs/amendment-format.md) opent zo ook: gecontroleerd tegen de overeenkomst die\n"
    "rond is met haar eerdere wijzigingen, ondertekend door de betrokken partijen en de penvoerder.\n"
    "\n";

// What opening `file` would void: the open version it replaces, when there is one with requests.
// Prints it; returns false (open nothing) unless `confirmed`.
bool voids_confirmed(Werkruimte& w, const std::string& file, bool confirmed) {
  const ReadResult read = read_agreement_file(file);
  if (!read.parsed || read.agreement.kenmerk.empty()) return true;  // open_agreement says what is wrong
  const auto latest = w.store().latest_version(read.agreement.kenmerk);
  if (!latest || latest->state != VersionState::open) return true;
  if (latest->wijziging == 0 && latest->versie >= read.agreement.versie) return true;  // the same, or refused
  std::vector<std::string> signed_by;
  std::size_t open_requests = 0;
  for (const SignatoryRecord& s : w.store().signatories(latest->id)) {
    if (s.state == SignatoryState::signed_) signed_by.push_back(printable(s.naam) + " (" + printable(s.partner) + ")");
    if (!is_final(s.state)) ++open_requests;
  }
  const std::string what = latest->wijziging > 0 ? "wijziging " + std::to_string(latest->wijziging)
                                                 : "versie " + std::to_string(latest->versie);
  std::cout << "Versie " << read.agreement.versie << " vervangt de open " << what << " van " << latest->kenmerk << ": "
            << signed_by.size() << (signed_by.size() == 1 ? " handtekening vervalt" : " handtekeningen vervallen");
  for (std::size_t i = 0; i < signed_by.size() && i < 20; ++i) std::cout << (i == 0 ? ": " : "; ") << signed_by[i];
  if (signed_by.size() > 20) std::cout << "; en " << signed_by.size() - 20 << " meer";
  std::cout << ", en " << open_requests << " open verzoeken worden ingetrokken; wie al tekende, tekent opnieuw.\n";
  if (!confirmed)
    std::cout << "Er is niets veranderd. Geef --bevestig om versie " << read.agreement.versie << " te openen.\n";
  return confirmed;
}

int open_run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  bool confirmed = false;
  const std::string file = parse_one(args, flags, "overeenkomst", [&](auto a, std::size_t& i) {
    if (a[i] != "--bevestig") return false;
    confirmed = true;
    return true;
  });
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
  if (!voids_confirmed(w, file, confirmed)) return kInvalid;
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
