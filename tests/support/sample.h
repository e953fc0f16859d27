// Test support: agreements made by editing a known-valid sample, and their findings as
// (rule, line) pairs so a test can assert exactly what was reported where.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sto/rules.h"

namespace sto::test {

std::string read_file(const std::string& path);

// samples/regio-klein-8.xml: valid, 8 partners, every kind of field present.
const std::string& klein();

// The regulations shipped in templates/regelingen.
const std::vector<RuleSet>& shipped_rule_sets();

// `text` with the first occurrence of `from` replaced by `to`; fails the test when absent.
std::string edit(std::string text, std::string_view from, std::string_view to);

// 1-based line of the first line of `text` containing `needle`; fails the test when absent.
int line_of(const std::string& text, std::string_view needle);

using RuleAt = std::pair<std::string, int>;

// Every finding of validating `text`, as (rule, line).
std::vector<RuleAt> findings_of(const std::string& text);

// Only the errors, as (rule, line).
std::vector<RuleAt> errors_of(const std::string& text);

}  // namespace sto::test
