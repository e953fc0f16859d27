// sto status: every request's state, the partners bound, the effective date, the audit head.
#include <iostream>

#include "command.h"
#include "sto/utf8.h"

namespace sto::cli {

namespace {

constexpr std::string_view kStatusUsage =
    "Gebruik: sto status KENMERK [--json] [werkruimte-opties]\n"
    "\n"
    "Per tekenbevoegde: partner, status en tijd; welke partners gebonden zijn (al hun tekenbevoegden\n"
    "tekenden); de ingangsdatum zodra iedereen tekende; de kop van de auditketen. De tekst noemt de\n"
    "statussen in het Nederlands; --json de codes (pending invited viewed signed declined expired\n"
    "revoked; open completed revoked).\n"
    "\n";

int status_run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  bool json = false;
  const std::string kenmerk = parse_one(args, flags, "kenmerk", [&](auto a, std::size_t& i) {
    if (a[i] != "--json") return false;
    json = true;
    return true;
  });
  Werkruimte w = open_workspace(flags);
  const Status s = w.status(kenmerk);
  if (json) {
    std::cout << status_json(s);
    return kOk;
  }
  const std::size_t bound = s.bound_count;
  std::cout << s.version.kenmerk << " versie " << s.version.versie
            << (s.version.wijziging > 0 ? ", wijziging " + std::to_string(s.version.wijziging) : std::string()) << " ("
            << dutch(s.version.state) << "): " << s.signed_count << " van " << s.signatories.size()
            << " tekenbevoegden ondertekend\n\n";
  for (const auto& x : s.signatories) {
    const std::string_view state = dutch(x.state);
    std::cout << "  " << state << std::string(state.size() < 22 ? 22 - state.size() : 1, ' ') << utc_time(x.state_ms)
              << "  " << printable(x.partner) << " — " << printable(x.naam) << " (" << printable(x.functie) << ")";
    if (!x.reason.empty()) std::cout << "  reden: " << printable(x.reason);
    if (!x.mail_error.empty()) std::cout << "  MAIL MISLUKT: " << printable(x.mail_error);
    std::cout << "\n";
  }
  std::cout << "\nGebonden partners: " << bound << " van " << s.partners.size() << "\n";
  if (bound < s.partners.size() && s.partners.size() <= 200) {
    std::cout << "Nog niet gebonden:";
    for (const auto& p : s.partners) {
      if (!p.bound) std::cout << " " << printable(p.partner) << ";";
    }
    std::cout << "\n";
  }
  std::cout << "Ingangsdatum: "
            << (s.effective_ms == 0 ? "nog niet (niet iedereen heeft ondertekend)" : utc_time(s.effective_ms)) << "\n"
            << "Auditketen: " << s.audit_length << " regels, kop " << s.audit_head << "\n";
  if (!s.contract_sha256.empty()) std::cout << "Getekend contract (SHA-256): " << s.contract_sha256 << "\n";
  if (!s.wijzigingen.empty()) {
    std::cout << "\nWijzigingen:\n";
    for (const WijzigingStatus& x : s.wijzigingen) {
      std::cout << "  " << x.nummer << ". " << x.soort << " — " << dutch(x.state) << ", geopend "
                << utc_time(x.opened_ms);
      if (x.closed_ms != 0)
        std::cout << (x.state == VersionState::completed ? ", rond " : ", ingetrokken ") << utc_time(x.closed_ms);
      if (!x.signed_sha256.empty()) std::cout << "\n     getekend (SHA-256): " << x.signed_sha256;
      std::cout << "\n";
    }
  }
  if (!s.in_force.empty()) {
    std::cout << "\nPartners die nu gelden (" << s.in_force.size() << "):";
    if (s.in_force.size() <= 30) {
      for (const auto& p : s.in_force) std::cout << " " << printable(p.partner) << ";";
    }
    std::cout << "\n";
  }
  if (!s.unsent.empty()) {
    std::cout << "\nMail nog niet bezorgd (" << s.unsent.size() << "):\n";
    for (const UnsentMail& m : s.unsent) {
      std::cout << "  " << m.what << " aan " << printable(m.to);
      if (m.attempts > 0) std::cout << ", " << m.attempts << (m.attempts == 1 ? " poging" : " pogingen");
      if (!m.error.empty()) std::cout << ", laatst: " << printable(m.error);
      std::cout << (m.next_ms == 0 ? " — OPGEGEVEN" : ", volgende poging " + utc_time(m.next_ms)) << "\n";
    }
  }
  return kOk;
}

const std::string kStatusText = std::string(kStatusUsage) + "  --json                     voor machines\n" +
                                std::string(kWorkspaceFlagsText) + std::string(kWorkflowExit);

}  // namespace

const Command kStatus{"status", "wie heeft getekend, welke partners zijn gebonden", kStatusText, status_run};

}  // namespace sto::cli
