// Test support: run the built `sto` as a user would, and capture what it says.
#pragma once

#include <string>
#include <vector>

namespace sto::test {

struct RunResult {
  int exit_code = -1;  // -1 when it did not exit normally (a crash or a sanitizer abort)
  std::string out;
  std::string err;
};

// Runs STO_BINARY with `args`; `env` entries ("NAME=value") are added to the environment.
RunResult run_sto(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// Runs any program (path + args) the same way.
RunResult run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

}  // namespace sto::test
