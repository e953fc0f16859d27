#include <string>

#include "sto/rules.h"

namespace sto {

namespace {

std::string known_names(const std::vector<RuleSet>& sets) {
  std::string out;
  for (const auto& set : sets) out += (out.empty() ? "\"" : ", \"") + set.naam + "\"";
  return out;
}

Validation finish(ReadResult read, const std::vector<RuleSet>& sets) {
  Validation v{std::move(read.agreement), std::move(read.findings)};
  if (read.parsed) {
    Findings more;
    const RuleSet* rules = find_rule_set(sets, v.agreement.regeling.naam);
    if (rules != nullptr) {
      more = check_agreement(v.agreement, *rules);
    } else {
      more = check_structure(v.agreement);
      if (!v.agreement.regeling.naam.empty()) {
        more.push_back(make_finding("regeling.onbekend", v.agreement.regeling.line, "regeling", {},
                                    {{"naam", v.agreement.regeling.naam}, {"bekend", known_names(sets)}}));
      }
    }
    v.findings.insert(v.findings.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }
  sort_by_line(v.findings);
  cap_findings(v.findings);
  for (auto& finding : v.findings) finding.file = v.agreement.source;
  return v;
}

}  // namespace

Validation validate(std::string_view bytes, std::string source, const std::vector<RuleSet>& sets) {
  return finish(read_agreement(bytes, std::move(source)), sets);
}

Validation validate_file(const std::filesystem::path& path, const std::vector<RuleSet>& sets) {
  return finish(read_agreement_file(path), sets);
}

}  // namespace sto
