// sto serve: the page server, until SIGINT or SIGTERM.
#include <csignal>
#include <iostream>

#include "sto/server.h"

#include "command.h"

namespace sto::cli {

namespace {

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

const std::string kServeText = std::string(kServeUsage) + std::string(kWorkspaceFlagsText) +
                               "  --listen ADRES:POORT       waar de server luistert (anders uit sto.conf)\n" +
                               std::string(kWorkflowExit);

}  // namespace

const Command kServe{"serve", "de webserver met de ondertekenpagina", kServeText, serve_run};

}  // namespace sto::cli
