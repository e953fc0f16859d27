#include "support.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>

extern char** environ;

namespace sto::bench {

Summary summarise(std::vector<double> ms) {
  if (ms.empty()) return {};
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)]};
}

Spawned spawn(std::vector<std::string> argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  Spawned result;
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) == 0) {
    int status = 0;
    rusage usage{};
    // Linux reports in ru_maxrss the larger of the child's own peak and its waited-for
    // children's: for soffice, the soffice.bin that oosplash starts.
    if (wait4(pid, &status, 0, &usage) == pid) {
      result.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      result.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
    }
  }
  posix_spawn_file_actions_destroy(&actions);
  return result;
}

void row(const char* what, Summary s) { std::printf("  %-62s %9.2f ms %9.2f ms\n", what, s.median_ms, s.p95_ms); }

}  // namespace sto::bench
