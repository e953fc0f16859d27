#include "sample.h"

#include "scratch.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include <gtest/gtest.h>

namespace sto::test {

std::string read_file(const std::string& path) { return slurp(path); }

const std::string& klein() {
  static const std::string text = read_file(STO_SOURCE_DIR "/samples/regio-klein-8.xml");
  return text;
}

const std::vector<RuleSet>& shipped_rule_sets() {
  static const std::vector<RuleSet> sets = load_rule_sets(STO_SOURCE_DIR "/templates/regelingen");
  return sets;
}

std::string edit(std::string text, std::string_view from, std::string_view to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "not in the sample: " << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

int line_of(const std::string& text, std::string_view needle) {
  std::istringstream in(text);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.find(needle) != std::string::npos) return number;
  }
  ADD_FAILURE() << "no line contains " << needle;
  return -1;
}

namespace {
std::vector<RuleAt> collect(const std::string& text, bool errors_only) {
  const Validation v = validate(text, "test.xml", shipped_rule_sets());
  std::vector<RuleAt> out;
  for (const auto& f : v.findings) {
    EXPECT_EQ(f.file, "test.xml");
    if (!errors_only || f.severity == Severity::error) out.emplace_back(f.rule, f.line);
  }
  return out;
}
}  // namespace

std::vector<RuleAt> findings_of(const std::string& text) { return collect(text, false); }
std::vector<RuleAt> errors_of(const std::string& text) { return collect(text, true); }

}  // namespace sto::test
