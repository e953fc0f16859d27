// sto: the command line. Hands the arguments to a command and maps what escapes to exit codes;
// no logic lives here (README.md, "Command line", describes the interface).
#include <array>
#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

#include "command.h"
#include "sto/workflow.h"

namespace {

using sto::cli::Command;

constexpr std::array<const Command*, 16> kCommands{
    &sto::cli::kNew,    &sto::cli::kValidate, &sto::cli::kPartners, &sto::cli::kRender,
    &sto::cli::kInit,   &sto::cli::kOpen,     &sto::cli::kInvite,   &sto::cli::kServe,
    &sto::cli::kStatus, &sto::cli::kRemind,   &sto::cli::kBeheer,   &sto::cli::kRevoke,
    &sto::cli::kExport, &sto::cli::kVerify,   &sto::cli::kDemo,     &sto::cli::kSign};

const Command* find_command(std::string_view name) {
  for (const Command* command : kCommands) {
    if (command->name == name) return command;
  }
  return nullptr;
}

void print_overview(std::ostream& out) {
  out << "sto " STO_VERSION
         " — samenwerkingsovereenkomsten Sterk Techniekonderwijs\n\n"
         "Gebruik: sto <opdracht> [opties] [argumenten]\n\n"
         "Opdrachten:\n";
  for (const Command* command : kCommands) {
    out << "  " << command->name << std::string(12 - command->name.size(), ' ') << command->summary << "\n";
  }
  out << "  help        deze tekst, of `sto help <opdracht>` voor één opdracht\n\n"
         "Afsluitcodes: 0 gelukt, 1 ongeldige invoer (bevindingen staan erbij), 2 verkeerd gebruik,\n"
         "3 omgevings- of interne fout.\n";
}

int run(std::span<const std::string_view> args) {
  if (args.empty()) {
    print_overview(std::cerr);
    return sto::cli::kUsage;
  }
  const std::string_view verb = args[0];
  if (verb == "help" || verb == "--help" || verb == "-h") {
    if (args.size() > 1) {
      if (const Command* command = find_command(args[1])) {
        std::cout << command->usage;
        return sto::cli::kOk;
      }
      std::cerr << "sto: onbekende opdracht \"" << args[1] << "\"\n";
      return sto::cli::kUsage;
    }
    print_overview(std::cout);
    return sto::cli::kOk;
  }
  if (verb == "--version") {
    std::cout << "sto " STO_VERSION "\n";
    return sto::cli::kOk;
  }
  const Command* command = find_command(verb);
  if (command == nullptr) {
    std::cerr << "sto: onbekende opdracht \"" << verb << "\"; `sto help` toont de opdrachten\n";
    return sto::cli::kUsage;
  }
  const auto rest = args.subspan(1);
  for (const auto arg : rest) {
    if (arg == "--help" || arg == "-h") {
      std::cout << command->usage;
      return sto::cli::kOk;
    }
  }
  try {
    return command->run(rest);
  } catch (const sto::cli::UsageError& e) {
    std::cerr << "sto " << verb << ": " << e.message << "\n\n" << command->usage;
    return sto::cli::kUsage;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    return run(args);
  } catch (const sto::Refusal& e) {
    std::cerr << "sto: " << e.what() << "\n";
    return sto::cli::kInvalid;
  } catch (const sto::Error& e) {
    std::cerr << "sto: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "sto: interne fout: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "sto: interne fout\n";
  }
  return sto::cli::kEnvironment;
}
