// The error model at sto's boundaries.
//
// Two kinds of trouble, kept apart on purpose:
//  * A Finding is something wrong with the user's input (the agreement file): it names the file,
//    the line, the XML element and a stable rule id, and it reads as a plain sentence in Dutch or
//    English. Validation collects every finding instead of stopping at the first.
//  * An Error is trouble with the environment or with sto itself (a file that cannot be read, a
//    broken regulation data file, a bug). It is thrown, and `main` maps it to exit code 3.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sto {

enum class Severity : std::uint8_t {
  error,    // the regulation or the format is broken: exit code 1, nothing is rendered
  warning,  // a reviewer would ask about it, but the regulation allows it
};

// Language of the sentences people read (messages, and later the contract text).
enum class Taal : std::uint8_t { nl, en };

struct Finding {
  Severity severity = Severity::error;
  std::string rule;  // stable id from the catalogue, e.g. "R8.kvk"; scripts depend on it
  std::string file;  // as the user named it
  int line = 0;      // 1-based; 0 when the finding concerns the file as a whole (or a cell)
  // A value that came from a spreadsheet (sto/sheet.h) is located by its cell instead of a line:
  // the sheet's name and the cell ("Partners", "I57"); `file` then names the spreadsheet file.
  // Empty for findings about an XML file.
  std::string sheet;
  std::string cell;
  std::string element;  // the XML element concerned, e.g. "kvk"; empty for whole-file findings
  std::string subject;  // id of the partner or tekenbevoegde concerned, when there is one
  // Values the sentence is built from, e.g. {"waarde", "1234567"}; names match the catalogue.
  std::vector<std::pair<std::string, std::string>> args;
};

using Findings = std::vector<Finding>;

// More findings than this are not collected: the file is refused with the first ones and a
// "bevindingen.te-veel" finding, so a hostile file cannot make validation slow or huge.
inline constexpr std::size_t kMaxFindings = 1000;

// Cuts `findings` (already in line order) to kMaxFindings and appends one "bevindingen.te-veel"
// when it was longer or already held that marker (moved to the end). Returns whether it did.
bool cap_findings(Findings& findings);

// Builds a finding for `rule`, taking its severity from the catalogue.
// Throws std::logic_error when `rule` is not in the catalogue: every id we emit is documented.
Finding make_finding(std::string_view rule, int line, std::string element, std::string subject = {},
                     std::vector<std::pair<std::string, std::string>> args = {});

// True when any finding is an error (warnings alone leave a file valid).
bool has_errors(const Findings& findings);

// Orders findings by line (whole-file findings first), keeping the order of equal lines.
void sort_by_line(Findings& findings);

// The finding as one plain sentence, without location, in the given language.
std::string message(const Finding& finding, Taal taal);

// The finding as one line a person reads, compiler style:
//   "file.xml:42: fout [R8.kvk] <kvk> (p05) Regel 8: KvK-nummer "1234567" moet bestaan uit 8 cijfers."
// or, for a value from a spreadsheet, with the cell in place of the line:
//   "partners.xlsx:Partners!I57: fout [R8.kvk] <kvk> (p05) Regel 8: ..."
std::string describe(const Finding& finding, Taal taal);

// The line that ends a validation's output, as `sto validate` prints it:
//   "file.xml: geldig", "file.xml: geldig (2 waarschuwingen)", "file.xml: ongeldig, 3 fouten, 1 waarschuwing"
std::string summary_line(const Findings& findings, const std::string& file, Taal taal);

// Word for a severity in a language ("fout"/"waarschuwing", "error"/"warning").
std::string_view severity_word(Severity severity, Taal taal);

// Every rule id in the catalogue, in catalogue order (for documentation and tests).
std::vector<std::string_view> known_rules();

// Trouble with the environment or with sto itself; never about the user's agreement.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sto
