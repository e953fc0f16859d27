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
  // Amendments of these kinds are signed by every partner in force; the others by the parties
  // concerned and the penvoerder, on the mandate of the contract's article "Wijzigingen".
  std::vector<WijzigingSoort> wijziging_iedereen;
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

// --- Amendments (wijziging.xml) -----------------------------------------------------------------

// What an amendment is checked against.
struct WijzigingBasis {
  Agreement in_force;  // the agreement with every earlier completed amendment applied
  // The SHA-256 of the completed signed contract; empty: not known here, not checked.
  std::string contract_sha256;
  // The last completed amendment (0: none) and its signed PDF's SHA-256 (empty: not checked).
  std::int64_t vorige_nummer = 0;
  std::string vorige_sha256;
  // The highest number opened so far, revoked ones included: a number is never used twice.
  std::int64_t hoogste_nummer = 0;
};

// `in_force` with `w` applied: a partner added (toetreding) or removed (uittreding), a tekenbevoegde
// replaced in place (vervanging), a bijdrage replaced (bijdrage). Nothing is checked here; a change
// naming an unknown partner changes nothing.
Agreement apply_wijziging(const Agreement& in_force, const Wijziging& w);

// `base` with `amendments` (the completed ones, in order) applied: the agreement in force.
Agreement in_force(const Agreement& base, const std::vector<Wijziging>& amendments);

// The amendment in context: voor, na and the document to render and sign (sto/agreement.h).
// Who signs: the penvoerder's tekenbevoegden (as in force after the change) and the parties
// concerned (the joining or leaving partner's tekenbevoegden, the new tekenbevoegde, the partner
// whose bijdrage changes); every partner in force when `rules` lists the soort in
// wijziging_iedereen.
Wijzigingsstuk prepare_wijziging(const Wijziging& w, const Agreement& in_force, const RuleSet& rules);

struct WijzigingValidation {
  Wijzigingsstuk stuk;
  Findings findings;  // format, fit with the basis, and the rules on the list after the change
  bool valid() const { return !has_errors(findings); }
};

// Reads and checks an amendment against `basis`: its format; that it names the basis's agreement,
// number and hashes; that the partner and tekenbevoegde it names exist (or, joining, do not);
// and the regulation's rules (the one the agreement names) on the partner list after the change.
// A rule broken after the change but not before is reported at the change's line: an uittreding
// that leaves the region without a po school is an R1.minimum error on <uittreding>.
WijzigingValidation validate_wijziging(std::string_view bytes, std::string source, const WijzigingBasis& basis,
                                       const std::vector<RuleSet>& sets);

}  // namespace sto
