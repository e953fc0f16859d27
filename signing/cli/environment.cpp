#include <cstdlib>
#include <system_error>

#include "command.h"

namespace sto::cli {

std::filesystem::path templates_dir() {
  if (const char* configured = std::getenv("STO_TEMPLATES"); configured != nullptr && *configured != '\0') {
    return configured;
  }
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "sto" / "templates";
    if (std::filesystem::is_directory(installed, ec)) return installed;
  }
  return STO_SOURCE_TEMPLATES_DIR;
}

std::string option_value(std::span<const std::string_view> args, std::size_t& i) {
  if (i + 1 >= args.size()) throw UsageError{std::string(args[i]) + " verwacht een waarde"};
  return std::string(args[++i]);
}

Taal parse_taal(std::string_view value) {
  if (value == "nl") return Taal::nl;
  if (value == "en") return Taal::en;
  throw UsageError{"--lang kent alleen nl en en, niet \"" + std::string(value) + "\""};
}

}  // namespace sto::cli
