// How long a signing act takes (key pair, certificate, CMS, RFC 3161 timestamp, appended
// revision, fsync) at k = 1 and k = 140, and the whole 140-signature run of the 108-partner
// contract, against a named peer in the same run: Apache PDFBox 2 with BouncyCastle
// (bench/pdfbox/StoPdfboxSigner.java) doing the same acts on the same contract with the same PKI,
// one incremental revision per act, each act loading and saving the document as a PDFBox-based
// server would. Goals (issue 4): per-act cost independent of k; the whole run at least 10x faster
// than the peer; under 24 KiB of file growth per signature.
//
//   build/release/bench/sign_bench [AGREEMENT.xml] [RUNS] [PEER_CLASSPATH]
//
// PEER_CLASSPATH is what `bash bench/pdfbox/build.sh DIR` prints; without it the peer is skipped.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sto/pades.h"
#include "sto/render.h"
#include "sto/rules.h"
#include "support.h"

namespace fs = std::filesystem;
using sto::bench::spawn;
using sto::bench::summarise;
using Clock = std::chrono::steady_clock;

namespace {

const fs::path kTemplates = STO_SOURCE_DIR "/templates";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct RunFigures {
  std::vector<double> act_ms;  // per act, in order
  double total_ms = 0;
  std::size_t final_size = 0;
};

// One whole run of ours, in process: a fresh chain, then every tekenbevoegde in document order.
RunFigures our_run(const sto::Agreement& agreement, const sto::Contract& contract, const sto::Pki& pki,
                   sto::TimestampAuthority& tsa, const fs::path& dir) {
  fs::remove_all(dir);
  RunFigures r;
  const auto start = Clock::now();
  auto chain = sto::SignedContract::create(dir, contract.pdf);
  for (const auto& field : contract.layout.fields) {
    const auto act = sto::signing_act(agreement, field.tekenbevoegde_id, sto::system_time());
    const auto t = Clock::now();
    chain.sign(act, pki, tsa);
    r.act_ms.push_back(ms_since(t));
  }
  r.total_ms = ms_since(start);
  r.final_size = chain.size();
  return r;
}

// The peer's run: its stdout has "act <k> <ms> <size>" per act and "total <ms> <n>".
RunFigures peer_run(const std::string& classpath, const fs::path& in, const fs::path& out, const fs::path& pki,
                    const fs::path& acts, double* process_ms) {
  RunFigures r;
  const std::string command = "java -cp '" + classpath + "' StoPdfboxSigner '" + in.string() + "' '" + out.string() +
                              "' '" + pki.string() + "' '" + acts.string() + "' 2>/dev/null";
  const auto start = Clock::now();
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char line[256];
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    std::istringstream s(line);
    std::string word;
    s >> word;
    if (word == "act") {
      int k = 0;
      double ms = 0;
      std::size_t size = 0;
      s >> k >> ms >> size;
      r.act_ms.push_back(ms);
      r.final_size = size;
    } else if (word == "total") {
      s >> r.total_ms;
    }
  }
  const int status = pclose(pipe);
  *process_ms = ms_since(start);
  if (status != 0) r.act_ms.clear();
  return r;
}

double median(std::vector<double> v) { return summarise(std::move(v)).median_ms; }

void print(const char* who, const std::vector<RunFigures>& runs, std::size_t revision0, double process_ms) {
  std::vector<double> first, last, middle, total;
  for (const auto& r : runs) {
    first.push_back(r.act_ms.front());
    last.push_back(r.act_ms.back());
    middle.push_back(median(r.act_ms));
    total.push_back(r.total_ms);
  }
  const auto& r = runs.front();
  const double growth = static_cast<double>(r.final_size - revision0) / static_cast<double>(r.act_ms.size());
  std::printf("  %-22s act k=1 %8.2f ms   act k=%zu %8.2f ms   median act %7.2f ms   whole run %9.1f ms", who,
              median(first), r.act_ms.size(), median(last), median(middle), median(total));
  if (process_ms > 0) std::printf(" (process %.0f ms)", process_ms);
  std::printf("   growth %.0f B/signature\n", growth);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string file = argc > 1 ? argv[1] : STO_SOURCE_DIR "/samples/regio-groot-108.xml";
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const std::string classpath = argc > 3 ? argv[3] : "";

  const auto v = sto::validate_file(file, sto::load_rule_sets(kTemplates / "regelingen"));
  if (!v.valid()) {
    std::fprintf(stderr, "%s is not a valid agreement\n", file.c_str());
    return 1;
  }
  const sto::Contract contract = sto::render_contract(v.agreement, kTemplates);
  const fs::path dir = fs::temp_directory_path() / "sto-sign-bench";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto pki = sto::Pki::create(dir / "pki", "");
  const auto tsa = pki.local_tsa();
  {
    std::ofstream(dir / "contract.pdf", std::ios::binary) << contract.pdf;
    std::ofstream acts(dir / "acts.tsv", std::ios::binary);
    for (const auto& field : contract.layout.fields) {
      const auto a = sto::signing_act(v.agreement, field.tekenbevoegde_id, 0);
      acts << a.field << '\t' << a.signer.naam << '\t' << a.signer.functie << '\t' << a.signer.partner << '\t'
           << a.signer.email << '\n';
    }
  }
  std::printf("Signing %s: %zu tekenbevoegden, revision 0 %zu bytes, %d runs (median of runs)\n", file.c_str(),
              contract.layout.fields.size(), contract.pdf.size(), runs);

  std::vector<RunFigures> ours;
  for (int i = 0; i < runs; ++i) ours.push_back(our_run(v.agreement, contract, pki, *tsa, dir / "chain"));
  print("sto (in process)", ours, contract.pdf.size(), 0);
  // As a user runs it: validation, rendering and 140 acts in one `sto sign --all` process.
  std::vector<double> whole;
  for (int i = 0; i < runs; ++i) {
    fs::remove_all(dir / "cli");
    whole.push_back(
        spawn({STO_BINARY, "sign", file, "--contract", (dir / "cli").string(), "--all", "--home", dir.string()})
            .wall_ms);
  }
  std::printf("  %-22s whole process %.1f ms (validate + render + %zu acts)\n", "sto sign --all", median(whole),
              contract.layout.fields.size());

  const double act_ratio = median([&] {
    std::vector<double> v140;
    for (const auto& r : ours) v140.push_back(r.act_ms.back() / r.act_ms.front());
    return v140;
  }());
  std::printf("  sto per-act cost at k=%zu / k=1: %.2f\n", contract.layout.fields.size(), act_ratio);

  if (classpath.empty()) {
    std::printf("  PDFBox peer skipped (no classpath: bash bench/pdfbox/build.sh DIR)\n");
    return 0;
  }
  double process_ms = 0;
  const RunFigures peer =
      peer_run(classpath, dir / "contract.pdf", dir / "pdfbox.pdf", dir / "pki", dir / "acts.tsv", &process_ms);
  if (peer.act_ms.size() != contract.layout.fields.size()) {
    std::printf("  PDFBox peer failed\n");
    return 1;
  }
  print("PDFBox 2.0 + BC", {peer}, contract.pdf.size(), process_ms);
  const double our_total = median([&] {
    std::vector<double> t;
    for (const auto& r : ours) t.push_back(r.total_ms);
    return t;
  }());
  std::printf(
      "  whole run: sto %.1f ms vs PDFBox %.1f ms (in its JVM; %.0f ms as a process): %.1fx faster "
      "(goal >= 10x); as processes %.1fx\n",
      our_total, peer.total_ms, process_ms, peer.total_ms / our_total, process_ms / median(whole));
  const double our_act = median([&] {
    std::vector<double> m;
    for (const auto& r : ours) m.push_back(median(r.act_ms));
    return m;
  }());
  std::printf("  median act: sto %.2f ms vs PDFBox %.2f ms: %.1fx\n", our_act, median(peer.act_ms),
              median(peer.act_ms) / our_act);
  return 0;
}
