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

std::string passphrase(const std::string& file) {
  if (file.empty()) {
    const char* env = std::getenv("STO_PASSPHRASE");
    return env == nullptr ? "" : env;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("kan het wachtwoordbestand " + file + " niet lezen");
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) throw Error("het wachtwoordbestand " + file + " is leeg");
  return line;
}

Werkruimte open_workspace(const WorkspaceFlags& flags) {
  return Werkruimte::open(workspace_dir(flags.home), templates_dir(), passphrase(flags.passphrase_file),
                          flags.overrides);
}

std::string utc_time(std::int64_t ms) {
  if (ms == 0) return "—";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace sto::cli
