// sto revoke: withdraws the open version.
#include <iostream>

#include "command.h"

namespace sto::cli {

namespace {

constexpr std::string_view kRevokeUsage =
    "Gebruik: sto revoke KENMERK [--reden TEKST] [werkruimte-opties]\n"
    "\n"
    "Trekt de open versie in: verzoeken die nog open staan worden ingetrokken, hun links zeggen dat.\n"
    "Handtekeningen die al gezet zijn blijven bestaan. Open daarna een nieuwe versie met sto open.\n"
    "\n";

int revoke_run(std::span<const std::string_view> args) {
  WorkspaceFlags flags;
  std::string reason;
  const std::string kenmerk = parse_one(args, flags, "kenmerk", [&](auto a, std::size_t& i) {
    if (a[i] != "--reden") return false;
    reason = option_value(a, i);
    return true;
  });
  Werkruimte w = open_workspace(flags);
  w.revoke(kenmerk, reason);
  std::cout << kenmerk << ": ingetrokken.\n";
  return kOk;
}

const std::string kRevokeText = std::string(kRevokeUsage) + "  --reden TEKST              waarom (in de auditlog)\n" +
                                std::string(kWorkspaceFlagsText) + std::string(kWorkflowExit);

}  // namespace

const Command kRevoke{"revoke", "trek de open versie in", kRevokeText, revoke_run};

}  // namespace sto::cli
