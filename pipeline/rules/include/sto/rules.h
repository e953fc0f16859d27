// The regulation's rules: whether an agreement may be handed in under its subsidy regulation.
//
// The numbers of a regulation (minimum partners per soort, who may sign, the co-financing
// percentage, the subsidy cap, identifier patterns) are data, not code: one file per regulation
// under templates/regelingen/ (format: docs/rules.md), selected by the agreement's
// regeling/@naam. The next regulation is a new file, not a new build.
//
// check_agreement() also checks what needs the whole file at once (unique ids, exactly one
// penvoerder, the fields each soort of partner must have); the reader (sto/agreement.h) has
// already checked each value on its own.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sto/agreement.h"
#include "sto/diagnostics.h"

namespace sto {

// Regulation rule 8: what an identifier must look like.
struct IdentifierPattern {
  std::string veld;                      // "brin", "vestigingsnummer", "kvk", "postcode", "bevoegdGezagNummer"
  std::string patroon;                   // ECMAScript regular expression, matched against the whole value
  std::vector<std::string> uitgesloten;  // endings that are never valid (postcode letters SA, SD, SS)
  std::string vorm_nl;                   // the expected form in words, for the finding
  std::string vorm_en;
};

// What an authorised signatory of a kind of partner must be (rules 2 and 3).
struct SignatoryRule {
  std::vector<PartnerSoort> soorten;
  std::vector<Hoedanigheid> hoedanigheden;  // at least one tekenbevoegde with one of these
};

// One regulation's numbers, as read from its data file.
struct RuleSet {
  std::string naam;                                            // matched against regeling/@naam
  std::filesystem::path file;                                  // where it was read from
  std::vector<std::pair<PartnerSoort, int>> minimum_partners;  // rule 1
  std::vector<PartnerSoort> penvoerder_soorten;
  SignatoryRule scholen;                                       // rule 2
  SignatoryRule organisaties;                                  // rule 3
  std::vector<PartnerSoort> cofinanciering_soorten;            // rule 4: whose geld counts
  std::int64_t cofinanciering_basispunten = 0;                 // rule 4: share of begroting, 1000 = 10 %
  std::vector<std::pair<RegioSoort, Cents>> maximum_subsidie;  // rule 4: cap per regio soort
  std::vector<IdentifierPattern> identificatie;                // rule 8
};

// Reads every *.xml regulation file in `dir`, ordered by file name.
// Throws sto::Error (naming file and line) when the directory or a file cannot be read or is
// not a valid regulation file, or when two files claim the same naam.
std::vector<RuleSet> load_rule_sets(const std::filesystem::path& dir);

// The rule set whose naam equals `regeling_naam` (ignoring case and runs of white space);
// nullptr when there is none.
const RuleSet* find_rule_set(const std::vector<RuleSet>& sets, std::string_view regeling_naam);

// Every finding of the regulation's rules and of the whole-file checks, in rule order.
// Findings carry no file name yet (validate() adds it).
Findings check_agreement(const Agreement& agreement, const RuleSet& rules);

// The whole-file checks alone, for an agreement whose regulation is unknown.
Findings check_structure(const Agreement& agreement);

struct Validation {
  Agreement agreement;
  Findings findings;  // format and rule findings, ordered by line, each with file and line
  bool valid() const { return !has_errors(findings); }
};

// Reads and checks an agreement: format, then (when the file could be read) the regulation it
// names among `sets` (an unknown regulation is a finding listing the known ones).
Validation validate(std::string_view bytes, std::string source, const std::vector<RuleSet>& sets);

// As validate(), reading the file first. Throws sto::Error when the file cannot be read.
Validation validate_file(const std::filesystem::path& path, const std::vector<RuleSet>& sets);

}  // namespace sto
