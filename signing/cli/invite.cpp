// sto invite and sto remind: the same mailing of new links, to other requests.
#include <iostream>

#include "command.h"

namespace sto::cli {

namespace {

void print_outcomes(const std::vector<MailOutcome>& outcomes, const char* done) {
  std::size_t sent = 0;
  std::size_t skipped = 0;
  for (const MailOutcome& o : outcomes) {
    std::cout << (o.sent      ? "  verstuurd     "
                  : o.skipped ? "  overgeslagen  "
                              : "  MISLUKT       ")
              << o.tekenbevoegde << " <" << o.email << ">  " << o.detail << "\n";
    sent += o.sent ? 1 : 0;
    skipped += o.skipped ? 1 : 0;
  }
  std::cout << sent << " van " << outcomes.size() << " " << done;
  if (skipped > 0)
    std::cout << "; " << skipped << " overgeslagen (minder dan 24 uur geleden gemaild; --force stuurt toch)";
  std::cout << "\n";
}

constexpr std::string_view kInviteUsage =
    "Gebruik: sto invite KENMERK [werkruimte-opties]\n"
    "\n"
    "Mailt iedere tekenbevoegde die nog geen uitnodiging kreeg (ook wie een mislukte mail had) een\n"
    "persoonlijke link. Tijdelijke SMTP-fouten worden herhaald; een blijvende fout staat in sto status.\n"
    "Afsluitcode 1 als er een mail niet verstuurd kon worden.\n"
    "\n";

// invite and remind: the same mailing of new links, to other requests.
int mail_links(std::span<const std::string_view> args, bool reminder) {
  WorkspaceFlags flags;
  RemindOptions options;
  const std::string kenmerk = parse_one(args, flags, "kenmerk", [&](auto a, std::size_t& i) {
    if (!reminder) return false;
    if (a[i] == "--tekenbevoegde") {
      options.tekenbevoegde = option_value(a, i);
      if (options.tekenbevoegde.empty()) throw UsageError{"--tekenbevoegde verwacht een id"};
      return true;
    }
    if (a[i] == "--force") {
      options.force = true;
      return true;
    }
    return false;
  });
  Werkruimte w = open_workspace(flags);
  const auto outcomes = reminder ? w.remind(kenmerk, options) : w.invite(kenmerk);
  print_outcomes(outcomes, reminder ? "herinneringen verstuurd" : "uitnodigingen verstuurd");
  for (const auto& o : outcomes) {
    if (!o.sent && !o.skipped) return kInvalid;
  }
  return kOk;
}
int invite_run(std::span<const std::string_view> args) { return mail_links(args, false); }

constexpr std::string_view kRemindUsage =
    "Gebruik: sto remind KENMERK [--tekenbevoegde ID] [--force] [werkruimte-opties]\n"
    "\n"
    "Mailt wie uitgenodigd is maar nog niet tekende of weigerde een herinnering met een nieuwe link,\n"
    "ook wie zijn link liet verlopen (die wordt weer uitgenodigd). Wie minder dan 24 uur geleden een\n"
    "uitnodiging of herinnering kreeg, wordt overgeslagen (zonder --force). Afsluitcode 1 als er een\n"
    "mail niet verstuurd kon worden, of als de tekenbevoegde onbekend is of niets te herinneren heeft.\n"
    "\n"
    "  --tekenbevoegde ID         alleen deze tekenbevoegde (het id uit de overeenkomst)\n"
    "  --force                    ook wie minder dan 24 uur geleden gemaild is\n";

int remind_run(std::span<const std::string_view> args) { return mail_links(args, true); }

const std::string kInviteText =
    std::string(kInviteUsage) + std::string(kWorkspaceFlagsText) + std::string(kWorkflowExit);
const std::string kRemindText =
    std::string(kRemindUsage) + std::string(kWorkspaceFlagsText) + std::string(kWorkflowExit);

}  // namespace

const Command kInvite{"invite", "mail iedere tekenbevoegde zijn persoonlijke link", kInviteText, invite_run};
const Command kRemind{"remind", "herinner wie nog niet tekende", kRemindText, remind_run};

}  // namespace sto::cli
