// sto status: every request's state, the partners bound, the effective date, the audit head.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <iostream>

#include "command.h"

namespace sto::cli {

namespace {

constexpr std::string_view kStatusUsage =
    "Gebruik: sto status KENMERK [--json] [werkruimte-opties]\n"
    "\n"
    "Per tekenbevoegde: partner, status en tijd; welke partners gebonden zijn (al hun tekenbevoegden\n"
    "tekenden); de ingangsdatum zodra iedereen tekende; de kop van de auditketen.\n"
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
  std::size_t bound = 0;
  for (const auto& p : s.partners) bound += p.bound ? 1 : 0;
  if (json) {
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    root.set("kenmerk", s.version.kenmerk);
    root.set("versie", s.version.versie);
    root.set("state", std::string(to_string(s.version.state)));
    root.set("document_sha256", s.version.document_sha256);
    root.set("signed", s.signed_count);
    root.set("signatories", s.signatories.size());
    root.set("effective", s.effective_ms == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(utc_time(s.effective_ms)));
    root.set("audit_head", s.audit_head);
    root.set("audit_length", s.audit_length);
    Poco::JSON::Array list;
    for (const auto& x : s.signatories) {
      Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
      o.set("tekenbevoegde", x.tekenbevoegde);
      o.set("partner_id", x.partner_id);
      o.set("partner", x.partner);
      o.set("naam", x.naam);
      o.set("functie", x.functie);
      o.set("email", x.email);
      o.set("state", std::string(to_string(x.state)));
      o.set("time", utc_time(x.state_ms));
      if (!x.mail_error.empty()) o.set("mail_error", x.mail_error);
      if (!x.reason.empty()) o.set("reason", x.reason);
      if (x.revision != 0) o.set("revision", x.revision);
      if (!x.certificate_sha256.empty()) o.set("certificate_sha256", x.certificate_sha256);
      list.add(o);
    }
    root.set("tekenbevoegden", list);
    Poco::JSON::Array partners;
    for (const auto& p : s.partners) {
      Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
      o.set("partner_id", p.partner_id);
      o.set("partner", p.partner);
      o.set("bound", p.bound);
      partners.add(o);
    }
    root.set("partners", partners);
    Poco::JSON::Stringifier::stringify(root, std::cout, 2);
    std::cout << "\n";
    return kOk;
  }
  std::cout << s.version.kenmerk << " versie " << s.version.versie << " (" << to_string(s.version.state)
            << "): " << s.signed_count << " van " << s.signatories.size() << " tekenbevoegden ondertekend\n\n";
  for (const auto& x : s.signatories) {
    std::cout << "  " << to_string(x.state) << std::string(10 - to_string(x.state).size(), ' ') << utc_time(x.state_ms)
              << "  " << x.partner << " — " << x.naam << " (" << x.functie << ")";
    if (!x.reason.empty()) std::cout << "  reden: " << x.reason;
    if (!x.mail_error.empty()) std::cout << "  MAIL MISLUKT: " << x.mail_error;
    std::cout << "\n";
  }
  std::cout << "\nGebonden partners: " << bound << " van " << s.partners.size() << "\n";
  if (bound < s.partners.size() && s.partners.size() <= 200) {
    std::cout << "Nog niet gebonden:";
    for (const auto& p : s.partners) {
      if (!p.bound) std::cout << " " << p.partner << ";";
    }
    std::cout << "\n";
  }
  std::cout << "Ingangsdatum: "
            << (s.effective_ms == 0 ? "nog niet (niet iedereen heeft ondertekend)" : utc_time(s.effective_ms)) << "\n"
            << "Auditketen: " << s.audit_length << " regels, kop " << s.audit_head << "\n";
  return kOk;
}

const std::string kStatusText = std::string(kStatusUsage) + "  --json                     voor machines\n" +
                                std::string(kWorkspaceFlagsText) + std::string(kWorkflowExit);

}  // namespace

const Command kStatus{"status", "wie heeft getekend, welke partners zijn gebonden", kStatusText, status_run};

}  // namespace sto::cli
