// How long rendering the 108-partner contract takes (issue: < 100 ms, peak memory < 50 MiB),
// against a named peer in the same run: LibreOffice (soffice --headless --convert-to pdf) laying
// out and printing the same contract, given as HTML made from the same Document our template
// fills from the same XML. Goal: sto at least 50 times faster. Prints medians, the ratio and
// peak memory (wait4: the process and the children it waited for).
//
//   build/release/bench/render_bench [AGREEMENT.xml] [RUNS] [PEER_RUNS]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "html_contract.h"
#include "sto/render.h"
#include "sto/rules.h"
#include "support.h"

namespace fs = std::filesystem;
using sto::bench::row;
using sto::bench::spawn;
using sto::bench::Summary;
using sto::bench::time_runs;

namespace {

const fs::path kTemplates = STO_SOURCE_DIR "/templates";

struct ProcessRuns {
  Summary time;
  double peak_mib = 0;
  int exit_code = 0;
};

// Runs argv `runs` times; the peak is the largest of any run.
ProcessRuns process_runs(int runs, const std::vector<std::string>& argv) {
  ProcessRuns r;
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto s = spawn(argv);
    ms.push_back(s.wall_ms);
    r.peak_mib = std::max(r.peak_mib, s.peak_mib);
    if (s.exit_code != 0) r.exit_code = s.exit_code;
  }
  r.time = sto::bench::summarise(std::move(ms));
  return r;
}

bool has_program(const char* name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    if (access((dirs.substr(start, end - start) + "/" + name).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

const char* verdict(bool ok) { return ok ? "met" : "MISSED"; }

}  // namespace

int main(int argc, char** argv) {
  const std::string file = argc > 1 ? argv[1] : STO_SOURCE_DIR "/samples/regio-groot-108.xml";
  const int runs = argc > 2 ? std::max(5, std::atoi(argv[2])) : 50;
  const int peer_runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  const fs::path work = fs::temp_directory_path() / ("sto-render-bench-" + std::to_string(getpid()));
  fs::create_directories(work);

  const auto sets = sto::load_rule_sets(kTemplates / "regelingen");
  const auto checked = sto::validate_file(file, sets);
  if (!checked.valid()) {
    std::fprintf(stderr, "%s is not a valid agreement\n", file.c_str());
    return 1;
  }
  const auto& agreement = checked.agreement;
  const sto::Contract contract = sto::render_contract(agreement, kTemplates);
  std::printf("render: %s (%zu partners, %zu signature fields, %zu pages, %zu bytes of PDF)\n", file.c_str(),
              agreement.partners.size(), contract.layout.fields.size(), contract.layout.pages.size(),
              contract.pdf.size());
  std::printf("  %-62s %12s %12s\n", "", "median", "p95");

  row("sto, in process: template + layout + PDF (agreement in memory)",
      time_runs(runs, [&] { (void)sto::render_contract(agreement, kTemplates); }));
  const auto sto_process = process_runs(runs, {STO_BINARY, "render", file, "-o", (work / "sto.pdf").string()});
  row("sto render FILE -o C.pdf (whole process: read, validate, render)", sto_process.time);

  // The peer's input: the same Document, as HTML.
  const sto::Document document = sto::Template::load_for(kTemplates, agreement.taal).fill(agreement);
  const fs::path html = work / "contract.html";
  std::ofstream(html, std::ios::binary) << sto::bench::html_contract(document);

  if (!has_program("soffice")) {
    std::printf("  peer: soffice not found (bash .ci/bench installs libreoffice-writer-nogui)\n");
    fs::remove_all(work);
    return sto_process.exit_code == 0 ? 0 : 1;
  }
  const std::vector<std::string> soffice = {
      "soffice",      "-env:UserInstallation=file://" + (work / "lo-profile").string(),
      "--headless",   "--infilter=HTML (StarWriter)",
      "--convert-to", "pdf:writer_pdf_Export",
      "--outdir",     (work / "lo").string(),
      html.string()};
  (void)spawn(soffice);  // first start creates the profile: not counted
  const auto peer = process_runs(peer_runs, soffice);
  row("peer: soffice --headless --convert-to pdf (LibreOffice Writer)", peer.time);
  const bool peer_wrote = fs::exists(work / "lo" / "contract.pdf");

  const double ratio = peer.time.median_ms / sto_process.time.median_ms;
  std::printf("  peak memory: sto render %.1f MiB, soffice %.1f MiB\n", sto_process.peak_mib, peer.peak_mib);
  std::printf("  peer wrote a PDF: %s (%jd bytes); exit codes: sto %d, soffice %d\n", peer_wrote ? "yes" : "NO",
              peer_wrote ? static_cast<std::intmax_t>(fs::file_size(work / "lo" / "contract.pdf")) : std::intmax_t{0},
              sto_process.exit_code, peer.exit_code);
  std::printf("  sto is %.0fx faster than LibreOffice (goal >= 50x: %s)\n", ratio, verdict(ratio >= 50));
  std::printf("  sto render %.1f ms (goal < 100 ms: %s), %.1f MiB (goal < 50 MiB: %s)\n", sto_process.time.median_ms,
              verdict(sto_process.time.median_ms < 100), sto_process.peak_mib, verdict(sto_process.peak_mib < 50));
  fs::remove_all(work);
  return sto_process.exit_code == 0 && peer_wrote ? 0 : 1;
}
