#include "sto/diagnostics.h"

#include <algorithm>

#include "catalogue.h"

namespace sto {

namespace {

const detail::CatalogueEntry& entry_for(std::string_view rule) {
  for (const auto& entry : detail::catalogue()) {
    if (entry.rule == rule) return entry;
  }
  throw std::logic_error("rule id not in the catalogue: " + std::string(rule));
}

// Replaces every {name} in `text` by the finding's value for name. A placeholder without a value
// stays visible rather than vanishing, so a missing argument shows up in tests.
std::string fill(std::string_view text, const Finding& finding) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find('{', pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const auto it =
        std::find_if(finding.args.begin(), finding.args.end(), [&](const auto& arg) { return arg.first == name; });
    if (it != finding.args.end()) {
      out.append(it->second);
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    pos = close + 1;
  }
  out.append(text.substr(std::min(pos, text.size())));
  return out;
}

}  // namespace

Finding make_finding(std::string_view rule, int line, std::string element, std::string subject,
                     std::vector<std::pair<std::string, std::string>> args) {
  const auto& entry = entry_for(rule);
  Finding finding;
  finding.severity = entry.severity;
  finding.rule = std::string(rule);
  finding.line = line;
  finding.element = std::move(element);
  finding.subject = std::move(subject);
  finding.args = std::move(args);
  return finding;
}

bool has_errors(const Findings& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::error; });
}

void sort_by_line(Findings& findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.line < b.line; });
}

bool cap_findings(Findings& findings) {
  const auto marker = std::remove_if(findings.begin(), findings.end(),
                                     [](const Finding& f) { return f.rule == "bevindingen.te-veel"; });
  const bool marked = marker != findings.end();
  findings.erase(marker, findings.end());
  if (!marked && findings.size() <= kMaxFindings) return false;
  if (findings.size() > kMaxFindings) findings.resize(kMaxFindings);
  findings.push_back(make_finding("bevindingen.te-veel", 0, {}, {}, {{"maximum", std::to_string(kMaxFindings)}}));
  return true;
}

std::string message(const Finding& finding, Taal taal) {
  const auto& entry = entry_for(finding.rule);
  return fill(taal == Taal::nl ? entry.nl : entry.en, finding);
}

std::string_view severity_word(Severity severity, Taal taal) {
  if (severity == Severity::error) return taal == Taal::nl ? "fout" : "error";
  return taal == Taal::nl ? "waarschuwing" : "warning";
}

std::string summary_line(const Findings& findings, const std::string& file, Taal taal) {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const auto& f : findings) (f.severity == Severity::error ? errors : warnings) += 1;
  const bool nl = taal == Taal::nl;
  std::string out = file + ": ";
  if (errors == 0) {
    out += nl ? "geldig" : "valid";
  } else {
    out += std::string(nl ? "ongeldig, " : "invalid, ") + std::to_string(errors) +
           (nl ? (errors == 1 ? " fout" : " fouten") : (errors == 1 ? " error" : " errors"));
  }
  if (warnings > 0) {
    out += (errors == 0 ? " (" : ", ") + std::to_string(warnings) +
           (nl ? (warnings == 1 ? " waarschuwing" : " waarschuwingen") : (warnings == 1 ? " warning" : " warnings")) +
           (errors == 0 ? ")" : "");
  }
  return out;
}

std::string describe(const Finding& finding, Taal taal) {
  std::string out = finding.file;
  if (!finding.cell.empty()) {
    out += ":" + finding.sheet + "!" + finding.cell;
  } else if (finding.line > 0) {
    out += ":" + std::to_string(finding.line);
  }
  out += ": ";
  out += severity_word(finding.severity, taal);
  out += " [" + finding.rule + "] ";
  if (!finding.element.empty()) out += "<" + finding.element + "> ";
  if (!finding.subject.empty()) out += "(" + finding.subject + ") ";
  out += message(finding, taal);
  return out;
}

std::vector<std::string_view> known_rules() {
  std::vector<std::string_view> rules;
  for (const auto& entry : detail::catalogue()) rules.push_back(entry.rule);
  return rules;
}

}  // namespace sto
