// Private: the values a template can use, derived from the agreement (the "view").
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sto/agreement.h"

namespace sto::detail {

// One level of names: plain values ("partner.naam") and lists to loop over ("partners").
// Flags are values that are "ja" when true and "" when false, for <als>.
struct Scope {
  std::map<std::string, std::string, std::less<>> values;
  std::map<std::string, std::vector<Scope>, std::less<>> lists;
};

// The template's <woorden>: labels the view needs (month names, soort labels, ...).
using Words = std::map<std::string, std::string, std::less<>>;

// Every word key the view looks up; a template must define them all.
std::vector<std::string> required_words();

// The root scope for `agreement`, with numbers, money and dates written the way `taal` writes
// them and labels from `words`.
// With `stuk` (an amendment's template), the amendment's own values besides.
Scope make_view(const Agreement& agreement, const Wijzigingsstuk* stuk, const Words& words, Taal taal);

}  // namespace sto::detail
