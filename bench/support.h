// What every benchmark needs: timing with medians, and running a program as a user would
// (wall time and the peak memory of it and everything it started).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sto::bench {

struct Summary {
  double median_ms = 0;
  double p95_ms = 0;
};

Summary summarise(std::vector<double> ms);

// Runs f() `runs` times and summarises the wall times.
template <typename F>
Summary time_runs(int runs, F&& f) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  return summarise(std::move(ms));
}

struct Spawned {
  int exit_code = -1;   // -1 when it did not start or did not exit normally
  double wall_ms = 0;   // from spawn to exit
  double peak_mib = 0;  // largest resident set of the process and of the children it waited for
};

// Runs argv[0] (looked up in PATH) with stdout and stderr sent to /dev/null.
Spawned spawn(std::vector<std::string> argv);

// Prints "  <what>   <median> ms   <p95> ms".
void row(const char* what, Summary s);

}  // namespace sto::bench
