#include <cstdlib>
#include <ctime>
#include <fstream>

#include "command.h"
#include "sto/diagnostics.h"

namespace sto::cli {

std::filesystem::path workspace_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* configured = std::getenv("STO_HOME"); configured != nullptr && *configured != '\0') {
    return configured;
  }
  return "sto-werkruimte";
}

std::string first_line(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("kan het wachtwoordbestand " + file + " niet lezen");
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) throw Error("het wachtwoordbestand " + file + " is leeg");
  return line;
}

std::string passphrase(const std::string& file) {
  if (file.empty()) {
    const char* env = std::getenv("STO_PASSPHRASE");
    return env == nullptr ? "" : env;
  }
  return first_line(file);
}

Werkruimte open_workspace(const WorkspaceFlags& flags) {
  return Werkruimte::open(workspace_dir(flags.home), templates_dir(), passphrase(flags.passphrase_file),
                          flags.overrides);
}

}  // namespace sto::cli
