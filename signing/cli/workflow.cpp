// The penvoerder's commands: open, invite, serve, status, remind, revoke. Each opens the
// workspace, calls signing/workflow and prints.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <csignal>
#include <iostream>

#include "command.h"
#include "sto/archive.h"
#include "sto/server.h"
#include "sto/workflow.h"

namespace sto::cli {

namespace {

Werkruimte open_workspace(const WorkspaceFlags& flags) {
  return Werkruimte::open(workspace_dir(flags.home), templates_dir(), passphrase(flags.passphrase_file),
                          flags.overrides);
}

// "2026-11-26 01:38 UTC", or "—" for 0.
std::string when(std::int64_t ms) {
  if (ms == 0) return "—";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

// Parses `verb [flags] ONE_ARGUMENT` with the workspace flags and the extra ones `extra` takes.
template <class Extra>
std::string parse(std::span<const std::string_view> args, WorkspaceFlags& flags, const char* what, Extra extra) {
  std::string positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (workspace_flag(args, i, flags) || extra(args, i)) continue;
    if (args[i].starts_with("-")) throw UsageError{"onbekende optie \"" + std::string(args[i]) + "\""};
    if (!positional.empty()) throw UsageError{std::string("geef precies één ") + what};
    positional = std::string(args[i]);
  }
  if (positional.empty()) throw UsageError{std::string("geef ") + what};
  return positional;
}
auto no_extra = [](std::span<const std::string_view>, std::size_t&) { return false; };

void print_outcomes(const std::vector<MailOutcome>& outcomes, const char* done) {
  std::size_t sent = 0;
  for (const MailOutcome& o : outcomes) {
    std::cout << (o.sent ? "  verstuurd  " : "  MISLUKT    ") << o.tekenbevoegde << " <" << o.email << ">  " << o.detail
              << "\n";
    sent += o.sent ? 1 : 0;
  }
  std::cout << sent << " van " << outcomes.size() << " " << done << "\n";
}

// --- open ---
constexpr std::string_view kOpenUsage =
    "Gebruik: sto open OVEREENKOMST.xml [werkruimte-opties]\n"
    "\n"
    "Controleert de overeenkomst, maakt het contract (revisie 0), legt de versie vast en maakt per\n"
    "tekenbevoegde een ondertekenverzoek (status pending). Een hogere versie van een open\n"
    "overeenkomst trekt de open verzoeken van de oude in. Dezelfde versie opnieuw openen verandert niets.\n"
    "\n";

int open_run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  const std::string file = parse(args, flags, "overeenkomst", no_extra);
  Werkruimte w = open_workspace(flags);
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

// --- invite / remind ---
constexpr std::string_view kInviteUsage =
    "Gebruik: sto invite KENMERK [werkruimte-opties]\n"
    "\n"
    "Mailt iedere tekenbevoegde die nog geen uitnodiging kreeg (ook wie een mislukte mail had) een\n"
    "persoonlijke link. Tijdelijke SMTP-fouten worden herhaald; een blijvende fout staat in sto status.\n"
    "Afsluitcode 1 als er een mail niet verstuurd kon worden.\n"
    "\n";

// invite and remind: the same mailing of new links, to other requests.
int mail_links(std::span<const std::string_view> args, bool reminder) {
  WorkspaceFlags flags;
  const std::string kenmerk = parse(args, flags, "kenmerk", no_extra);
  Werkruimte w = open_workspace(flags);
  const auto outcomes = reminder ? w.remind(kenmerk) : w.invite(kenmerk);
  print_outcomes(outcomes, reminder ? "herinneringen verstuurd" : "uitnodigingen verstuurd");
  for (const auto& o : outcomes) {
    if (!o.sent) return kInvalid;
  }
  return kOk;
}
int invite_run(std::span<const std::string_view> args) { return mail_links(args, false); }

constexpr std::string_view kRemindUsage =
    "Gebruik: sto remind KENMERK [werkruimte-opties]\n"
    "\n"
    "Mailt wie uitgenodigd is maar nog niet tekende of weigerde een herinnering met een nieuwe link,\n"
    "ook wie zijn link liet verlopen (die wordt weer uitgenodigd). Afsluitcode 1 als er een mail niet\n"
    "verstuurd kon worden.\n"
    "\n";

int remind_run(std::span<const std::string_view> args) { return mail_links(args, true); }

// --- revoke ---
constexpr std::string_view kRevokeUsage =
    "Gebruik: sto revoke KENMERK [--reden TEKST] [werkruimte-opties]\n"
    "\n"
    "Trekt de open versie in: verzoeken die nog open staan worden ingetrokken, hun links zeggen dat.\n"
    "Handtekeningen die al gezet zijn blijven bestaan. Open daarna een nieuwe versie met sto open.\n"
    "\n";

int revoke_run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  std::string reason;
  const std::string kenmerk = parse(args, flags, "kenmerk", [&](auto a, std::size_t& i) {
    if (a[i] != "--reden") return false;
    reason = option_value(a, i);
    return true;
  });
  Werkruimte w = open_workspace(flags);
  w.revoke(kenmerk, reason);
  std::cout << kenmerk << ": ingetrokken.\n";
  return kOk;
}

// --- status ---
constexpr std::string_view kStatusUsage =
    "Gebruik: sto status KENMERK [--json] [werkruimte-opties]\n"
    "\n"
    "Per tekenbevoegde: partner, status en tijd; welke partners gebonden zijn (al hun tekenbevoegden\n"
    "tekenden); de ingangsdatum zodra iedereen tekende; de kop van de auditketen.\n"
    "\n";

int status_run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  bool json = false;
  const std::string kenmerk = parse(args, flags, "kenmerk", [&](auto a, std::size_t& i) {
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
    root.set("effective", s.effective_ms == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(when(s.effective_ms)));
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
      o.set("time", when(x.state_ms));
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
    std::cout << "  " << to_string(x.state) << std::string(10 - to_string(x.state).size(), ' ') << when(x.state_ms)
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
            << (s.effective_ms == 0 ? "nog niet (niet iedereen heeft ondertekend)" : when(s.effective_ms)) << "\n"
            << "Auditketen: " << s.audit_length << " regels, kop " << s.audit_head << "\n";
  return kOk;
}

// --- serve ---
constexpr std::string_view kServeUsage =
    "Gebruik: sto serve [--listen ADRES:POORT] [werkruimte-opties]\n"
    "\n"
    "De webserver met de ondertekenpagina. Draait tot SIGINT of SIGTERM. Het toegangslog (zonder\n"
    "tokens) gaat naar stderr. HTTPS als sto.conf tls.certificate en tls.key noemt; anders gewoon\n"
    "HTTP, voor achter een reverse proxy (zet dan base_url en server.trust_proxy).\n"
    "\n";

int serve_run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!workspace_flag(args, i, flags)) throw UsageError{"onbekende optie \"" + std::string(args[i]) + "\""};
  }
  // Block the stop signals before any thread starts, so that only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  Werkruimte w = open_workspace(flags);
  PageServer server(w, w.configuration().listen, &std::cerr);
  server.start();
  std::cout << "sto serve: luistert op " << server.base_url()
            << " (links: " << (w.configuration().base_url.empty() ? server.base_url() : w.configuration().base_url)
            << "/t/…)" << std::endl;
  int signal = 0;
  sigwait(&stop, &signal);
  server.stop();
  std::cout << "sto serve: gestopt\n";
  return kOk;
}

// --- export ---
constexpr std::string_view kExportUsage =
    "Gebruik: sto export KENMERK -o MAP [werkruimte-opties]\n"
    "\n"
    "Schrijft het archief van de laatste versie naar MAP (die nog niet mag bestaan of leeg is):\n"
    "agreement.xml, contract.pdf, audit.jsonl, ca.pem, tsa.pem, bewijsdossier.pdf (ondertekend door\n"
    "de installatie), manifest.json en README.txt. Controleer het daarna met sto verify MAP.\n"
    "Ook een onvolledige overeenkomst kan geëxporteerd worden; het oordeel zegt dat dan.\n"
    "\n";

int export_run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  std::string out;
  const std::string kenmerk = parse(args, flags, "kenmerk", [&](auto a, std::size_t& i) {
    if (a[i] != "-o" && a[i] != "--output") return false;
    out = option_value(a, i);
    return true;
  });
  if (out.empty()) throw UsageError{"geef de map van het archief met -o MAP"};
  Werkruimte w = open_workspace(flags);
  const ExportResult r = export_archive(w, kenmerk, out, templates_dir());
  std::cout << out << ": archief van " << kenmerk << " geschreven (" << r.files << " bestanden)\n"
            << "Oordeel: " << to_string(r.verdict.oordeel) << ", " << r.verdict.signatures.size() << " van "
            << r.verdict.expected_signatures << " handtekeningen\n"
            << "CA-vingerafdruk: " << r.verdict.ca_fingerprint << "\n";
  return kOk;
}

const std::string kExit =
    "\nAfsluitcode: 0 gelukt, 1 ongeldige invoer of een mislukte mail, 2 verkeerd gebruik, 3 omgevingsfout.\n";
const std::string kOpenText = std::string(kOpenUsage) + std::string(kWorkspaceFlagsText) + kExit;
const std::string kInviteText = std::string(kInviteUsage) + std::string(kWorkspaceFlagsText) + kExit;
const std::string kServeText = std::string(kServeUsage) + std::string(kWorkspaceFlagsText) +
                               "  --listen ADRES:POORT       waar de server luistert (anders uit sto.conf)\n" + kExit;
const std::string kStatusText = std::string(kStatusUsage) + "  --json                     voor machines\n" +
                                std::string(kWorkspaceFlagsText) + kExit;
const std::string kExportText = std::string(kExportUsage) + "  -o, --output MAP           de map van het archief\n" +
                                std::string(kWorkspaceFlagsText) + kExit;
const std::string kRemindText = std::string(kRemindUsage) + std::string(kWorkspaceFlagsText) + kExit;
const std::string kRevokeText = std::string(kRevokeUsage) + "  --reden TEKST              waarom (in de auditlog)\n" +
                                std::string(kWorkspaceFlagsText) + kExit;

}  // namespace

const Command kOpen{"open", "open een overeenkomst ter ondertekening (een verzoek per tekenbevoegde)", kOpenText,
                    open_run};
const Command kInvite{"invite", "mail iedere tekenbevoegde zijn persoonlijke link", kInviteText, invite_run};
const Command kServe{"serve", "de webserver met de ondertekenpagina", kServeText, serve_run};
const Command kStatus{"status", "wie heeft getekend, welke partners zijn gebonden", kStatusText, status_run};
const Command kRemind{"remind", "herinner wie nog niet tekende", kRemindText, remind_run};
const Command kExport{"export", "schrijf het archief: contract, audit-log, certificaten, bewijsdossier", kExportText,
                      export_run};
const Command kRevoke{"revoke", "trek de open versie in", kRevokeText, revoke_run};

}  // namespace sto::cli
