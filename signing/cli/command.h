// The command line's parts: each subcommand is a function from arguments to an exit code.
// Commands parse and print; the work happens in the pipeline/ and signing/ modules.
#pragma once

#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "sto/diagnostics.h"
#include "sto/rules.h"
#include "sto/workflow.h"

namespace sto::cli {

// Exit codes, stable: scripts depend on them (docs/cli.md).
inline constexpr int kOk = 0;
inline constexpr int kInvalid = 1;
inline constexpr int kUsage = 2;
inline constexpr int kEnvironment = 3;

// A wrong command line; main prints the message and the verb's usage, and exits with kUsage.
struct UsageError {
  std::string message;
};

struct Command {
  std::string_view name;
  std::string_view summary;  // one line for `sto help`
  std::string_view usage;    // full text for `sto <verb> --help`
  int (*run)(std::span<const std::string_view> args);
};

extern const Command kValidate;
extern const Command kRender;
extern const Command kInit;
extern const Command kSign;
extern const Command kOpen;
extern const Command kInvite;
extern const Command kServe;
extern const Command kStatus;
extern const Command kRemind;
extern const Command kRevoke;
extern const Command kDemo;
extern const Command kExport;
extern const Command kVerify;
extern const Command kPartners;
extern const Command kBeheer;
extern const Command kNew;

// Prints the findings and a summary line (text), or the JSON document (json), on stdout.
void print_validation(const Validation& v, const std::string& file, Taal taal, bool json);
void print_findings(const Findings& findings, const std::string& file, Taal taal, bool json);

// An amendment checked outside a workspace (sto validate, sto render): against the agreement in
// `overeenkomst` with the earlier amendments `vorige` (in order) applied. What only a workspace
// knows (the signed PDFs' hashes) is not checked. Throws sto::Error naming the file when the
// agreement or an earlier amendment is itself not valid.
struct AmendmentBasis {
  std::string overeenkomst;
  std::vector<std::string> vorige;
};
WijzigingValidation validate_amendment(const std::string& file, const AmendmentBasis& basis,
                                       const std::vector<RuleSet>& sets);
// True when `file` holds an amendment (its root element is wijziging); false for anything else,
// which the agreement's reader then judges.
bool is_amendment_file(const std::string& file);

// Where sto finds its run-time data (templates/, templates/regelingen/): $STO_TEMPLATES, else
// ../share/sto/templates beside the executable, else the source tree it was built from.
std::filesystem::path templates_dir();

// The workspace: `flag` when given, else $STO_HOME, else ./sto-werkruimte.
std::filesystem::path workspace_dir(const std::string& flag);

// The first line of `file` (without its line end). Throws sto::Error when it cannot be read or is
// empty.
std::string first_line(const std::string& file);

// The PKI's passphrase: the first line of `file` when given, else $STO_PASSPHRASE, else none.
// Throws sto::Error when the file cannot be read or is empty.
std::string passphrase(const std::string& file);

// The value of the option at args[i], which is args[i + 1]; advances i past it. Throws
// UsageError when the option is the last argument.
std::string option_value(std::span<const std::string_view> args, std::size_t& i);

// The flags every workflow command shares: where the workspace is, its passphrase, and settings
// that override its sto.conf for this run.
struct WorkspaceFlags {
  std::string home;
  std::string passphrase_file;
  std::map<std::string, std::string> overrides;  // sto.conf key → value
};
inline constexpr std::string_view kWorkspaceFlagsText =
    "  --home MAP                 de werkruimte (anders $STO_HOME, anders ./sto-werkruimte)\n"
    "  --passphrase-file BESTAND  het wachtwoord van de sleutels (anders $STO_PASSPHRASE)\n"
    "  --database URL             sqlite:PAD of postgresql:VERBINDING (anders uit sto.conf)\n"
    "  --base-url URL             het begin van de links in de mail (anders uit sto.conf)\n"
    "  --smtp HOST:POORT          verstuur mail via deze SMTP-server (anders uit sto.conf)\n";
// Takes the shared flag at args[i] (and its value) into `flags`; false when args[i] is not one.
bool workspace_flag(std::span<const std::string_view> args, std::size_t& i, WorkspaceFlags& flags);

// The workspace the flags name (workspace_dir), opened with their overrides.
Werkruimte open_workspace(const WorkspaceFlags& flags);

// Parses `verb [flags] ONE_ARGUMENT`: the workspace flags, and those `extra(args, i)` takes
// (returning true); anything else starting with '-' is a UsageError, and so is no argument or
// more than one. Returns the argument; `what` names it in the messages ("kenmerk").
template <class Extra>
std::string parse_one(std::span<const std::string_view> args, WorkspaceFlags& flags, const char* what, Extra extra) {
  std::string positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (workspace_flag(args, i, flags) || extra(args, i)) continue;
    if (args[i].starts_with("-")) throw UsageError{"onbekende optie \"" + std::string(args[i]) + "\""};
    if (!positional.empty()) throw UsageError{std::string("geef precies één ") + what};
    positional = std::string(args[i]);
  }
  if (positional.empty()) throw UsageError{std::string("geef ") + what};
  return positional;
}
inline constexpr auto no_extra = [](std::span<const std::string_view>, std::size_t&) { return false; };

// The exit codes' line closing the workflow commands' usage texts.
inline constexpr std::string_view kWorkflowExit =
    "\nAfsluitcode: 0 gelukt, 1 ongeldige invoer of een mislukte mail, 2 verkeerd gebruik, 3 omgevingsfout.\n";

// --lang nl|en, default nl. Throws UsageError for anything else.
Taal parse_taal(std::string_view value);

}  // namespace sto::cli
