// sto serve: the page server, until SIGINT or SIGTERM.
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>

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
    "\n"
    "De beheerpagina's staan onder /beheer/. Elke herinneringen.interval seconden (sto.conf, standaard 60)\n"
    "gaan de herinneringen volgens het schema van elke overeenkomst uit, en met penvoerder.email de\n"
    "dagelijkse samenvatting aan de penvoerder.\n"
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
  PageServer server(w, w.configuration().listen, &std::cerr, templates_dir());
  server.start();
  std::cout << "sto serve: luistert op " << server.base_url()
            << " (links: " << (w.configuration().base_url.empty() ? server.base_url() : w.configuration().base_url)
            << "/t/…)" << std::endl;
  const std::string base = w.configuration().base_url.empty() ? server.base_url() : w.configuration().base_url;
  std::cout << "sto serve: beheer op " << base << "/beheer/" << std::endl;
  if (w.configuration().penvoerder_email.empty()) {
    std::cout << "sto serve: penvoerder.email is niet gezet: de penvoerder krijgt geen meldingen of samenvattingen"
              << std::endl;
  }
  // The schedule: what is due, every herinneringen.interval seconds, until the stop.
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread rounds([&] {
    // What an earlier run left in the outbox (a crash after an act) goes out at once.
    try {
      if (const std::size_t sent = w.deliver_outbox(); sent > 0) {
        std::cout << "sto serve: " << sent << " mail(s) uit het postvak verstuurd" << std::endl;
      }
    } catch (const std::exception& e) {
      std::cerr << "sto serve: postvak: " << e.what() << std::endl;
    }
    std::unique_lock lock(mutex);
    const auto interval = std::chrono::seconds(w.configuration().reminder_interval);
    while (!wake.wait_for(lock, interval, [&] { return stopping; })) {
      lock.unlock();
      try {
        const Rondgang r = w.run_due();
        if (r.herinneringen > 0 || r.samenvattingen > 0 || r.mails > 0) {
          std::cout << "sto serve: " << r.herinneringen << " herinnering(en), " << r.samenvattingen
                    << " samenvatting(en), " << r.mails << " mail(s) uit het postvak verstuurd" << std::endl;
        }
      } catch (const std::exception& e) {
        std::cerr << "sto serve: herinneringen: " << e.what() << std::endl;
      }
      lock.lock();
    }
  });
  int signal = 0;
  sigwait(&stop, &signal);
  {
    const std::lock_guard lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  rounds.join();
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
