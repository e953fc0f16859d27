// How long validating the 108-partner agreement takes (issue: "well under 50 ms"), against a
// named peer in the same run: xmllint --noout (libxml2), which only checks well-formedness —
// the least any validator must do. Prints medians and 95th percentiles.
//
//   build/release/bench/validate_bench [AGREEMENT.xml] [RUNS]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "sto/rules.h"
#include "support.h"

using sto::bench::row;
using sto::bench::spawn;
using sto::bench::time_runs;

int main(int argc, char** argv) {
  const std::string file = argc > 1 ? argv[1] : STO_SOURCE_DIR "/samples/regio-groot-108.xml";
  const int runs = argc > 2 ? std::max(5, std::atoi(argv[2])) : 200;
  std::ifstream in(file, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto sets = sto::load_rule_sets(STO_SOURCE_DIR "/templates/regelingen");
  const auto check = sto::validate(bytes, file, sets);
  std::size_t signatories = 0;
  for (const auto& p : check.agreement.partners) signatories += p.tekenbevoegden.size();
  std::printf("validate: %s (%zu bytes, %zu partners, %zu tekenbevoegden, %s)\n", file.c_str(), bytes.size(),
              check.agreement.partners.size(), signatories, check.valid() ? "valid" : "INVALID");
  std::printf("  %-60s %11s %11s\n", "", "median", "p95");

  row("sto, in process: read + rules (bytes in memory)",
      time_runs(runs, [&] { (void)sto::validate(bytes, file, sets); }));
  row("sto, in process: load regulations + file + validate", time_runs(runs, [&] {
        const auto fresh = sto::load_rule_sets(STO_SOURCE_DIR "/templates/regelingen");
        (void)sto::validate_file(file, fresh);
      }));
  const int process_runs = std::max(5, runs / 5);
  int sto_exit = 0;
  int xmllint_exit = 0;
  row("sto validate FILE (whole process)", time_runs(process_runs, [&] {
        sto_exit = spawn({STO_BINARY, "validate", file}).exit_code;
      }));
  row("peer: xmllint --noout FILE (libxml2, well-formedness only)", time_runs(process_runs, [&] {
        xmllint_exit = spawn({"xmllint", "--noout", file}).exit_code;
      }));
  std::printf("  exit codes: sto %d, xmllint %d\n", sto_exit, xmllint_exit);
  return sto_exit == 0 || sto_exit == 1 ? 0 : 1;
}
