// How long validating the 108-partner agreement takes (issue: "well under 50 ms"), against a
// named peer in the same run: xmllint --noout (libxml2), which only checks well-formedness —
// the least any validator must do. Prints medians and 95th percentiles.
//
//   build/release/bench/validate_bench [AGREEMENT.xml] [RUNS]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sto/rules.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

struct Summary {
  double median_ms;
  double p95_ms;
};

Summary summarise(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)]};
}

template <typename F>
Summary time_runs(int runs, F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  return summarise(std::move(ms));
}

// Runs a program with stdout and stderr sent to /dev/null; returns its exit code.
int spawn(std::vector<std::string> argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  int status = -1;
  if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) == 0) waitpid(pid, &status, 0);
  posix_spawn_file_actions_destroy(&actions);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void row(const char* what, Summary s) { std::printf("  %-60s %8.2f ms %8.2f ms\n", what, s.median_ms, s.p95_ms); }

}  // namespace

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
        sto_exit = spawn({STO_BINARY, "validate", file});
      }));
  row("peer: xmllint --noout FILE (libxml2, well-formedness only)", time_runs(process_runs, [&] {
        xmllint_exit = spawn({"xmllint", "--noout", file});
      }));
  std::printf("  exit codes: sto %d, xmllint %d\n", sto_exit, xmllint_exit);
  return sto_exit == 0 || sto_exit == 1 ? 0 : 1;
}
