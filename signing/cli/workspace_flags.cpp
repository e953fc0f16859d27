#include "command.h"

namespace sto::cli {

bool workspace_flag(std::span<const std::string_view> args, std::size_t& i, WorkspaceFlags& flags) {
  const std::string_view arg = args[i];
  if (arg == "--home") {
    flags.home = option_value(args, i);
  } else if (arg == "--passphrase-file") {
    flags.passphrase_file = option_value(args, i);
  } else if (arg == "--database") {
    flags.overrides["database"] = option_value(args, i);
  } else if (arg == "--base-url") {
    flags.overrides["base_url"] = option_value(args, i);
  } else if (arg == "--listen") {
    flags.overrides["listen"] = option_value(args, i);
  } else if (arg == "--smtp") {
    const std::string value = option_value(args, i);
    const auto colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0) throw UsageError{"--smtp verwacht HOST:POORT"};
    flags.overrides["mail.transport"] = "smtp";
    flags.overrides["smtp.host"] = value.substr(0, colon);
    flags.overrides["smtp.port"] = value.substr(colon + 1);
  } else {
    return false;
  }
  return true;
}

}  // namespace sto::cli
