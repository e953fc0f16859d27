// The regulation's rules 1-8 (shared/spec/agreement-xml.md, "Rules of the regulation") and the
// whole-file checks. Each function adds the findings of one rule; values the reader could not
// read are skipped here, since the reader has reported them already.
#include <algorithm>
#include <map>
#include <regex>

#include "sto/rules.h"
#include "text.h"

namespace sto {

namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

template <typename Enum>
bool contains(const std::vector<Enum>& values, Enum value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

template <typename Enum>
std::string join(const std::vector<Enum>& values) {
  std::string out;
  for (const auto value : values) out += (out.empty() ? "" : ", ") + std::string(to_string(value));
  return out;
}

std::string soort_name(const Partner& p) { return p.soort ? std::string(to_string(*p.soort)) : "?"; }

void add(Findings& out, std::string_view rule, int line, std::string element, std::string subject = {},
         Args args = {}) {
  out.push_back(make_finding(rule, line, std::move(element), std::move(subject), std::move(args)));
}

// --- Whole-file checks ----------------------------------------------------------------------

void unique_ids(const Agreement& a, Findings& out) {
  std::map<std::string, int> first_line;
  const auto see = [&](const std::string& id, int line, const char* element) {
    if (id.empty()) return;
    const auto [it, inserted] = first_line.emplace(id, line);
    if (!inserted) add(out, "id.dubbel", line, element, id, {{"waarde", id}, {"eerste", std::to_string(it->second)}});
  };
  for (const auto& p : a.partners) {
    see(p.id, p.line, "partner");
    for (const auto& t : p.tekenbevoegden) see(t.id, t.line, "tekenbevoegde");
  }
}

void penvoerder(const Agreement& a, const std::vector<PartnerSoort>* allowed, Findings& out) {
  if (a.partners_line == 0) return;  // no <partners> at all: reported by the reader
  const auto count = std::count_if(a.partners.begin(), a.partners.end(), [](const Partner& p) { return p.penvoerder; });
  if (count != 1) add(out, "penvoerder.aantal", a.partners_line, "partners", {}, {{"aantal", std::to_string(count)}});
  for (const auto& p : a.partners) {
    if (!p.penvoerder || !p.soort) continue;
    if (allowed != nullptr && !contains(*allowed, *p.soort)) {
      add(out, "penvoerder.soort", p.line, "partner", p.id, {{"soort", soort_name(p)}, {"toegestaan", join(*allowed)}});
    } else if (*p.soort == PartnerSoort::vso) {
      add(out, "penvoerder.vso", p.line, "partner", p.id);
    }
  }
}

// The "who" column of the spec's field table: what each soort of partner must (not) have.
void fields_per_soort(const Agreement& a, Findings& out) {
  for (const auto& p : a.partners) {
    if (!p.soort) continue;
    const auto need = [&](bool present, const char* veld) {
      if (!present) add(out, "partner.ontbreekt", p.line, "partner", p.id, {{"soort", soort_name(p)}, {"veld", veld}});
    };
    const auto surplus = [&](bool present, int line, const char* veld) {
      if (present) add(out, "partner.onverwacht", line, veld, p.id, {{"soort", soort_name(p)}, {"veld", veld}});
    };
    if (is_school(*p.soort)) {
      need(p.brin.has_value(), "brin");
      need(p.vestigingsnummer.has_value(), "vestigingsnummer");
      need(p.bevoegd_gezag.has_value(), "bevoegdGezag");
    } else {
      need(p.kvk.has_value(), "kvk");
      need(p.adres.has_value(), "adres");
      surplus(p.brin.has_value(), p.brin ? p.brin->line : 0, "brin");
      surplus(p.vestigingsnummer.has_value(), p.vestigingsnummer ? p.vestigingsnummer->line : 0, "vestigingsnummer");
      surplus(p.bevoegd_gezag.has_value(), p.bevoegd_gezag ? p.bevoegd_gezag->line : 0, "bevoegdGezag");
    }
    if (p.bijdrage && p.bijdrage->geld == Cents{0} && p.bijdrage->uren == std::int64_t{0}) {
      add(out, "bijdrage.leeg", p.bijdrage->line, "bijdrage", p.id);
    }
  }
}

void unique_brin_vestiging(const Agreement& a, Findings& out) {
  std::map<std::string, int> first_line;
  for (const auto& p : a.partners) {
    if (!p.brin || !p.vestigingsnummer || p.brin->value.empty()) continue;
    const auto [it, inserted] =
        first_line.emplace(p.brin->value + "/" + p.vestigingsnummer->value, p.vestigingsnummer->line);
    if (!inserted) {
      add(out, "brin.dubbel", p.vestigingsnummer->line, "vestigingsnummer", p.id,
          {{"brin", p.brin->value}, {"vestiging", p.vestigingsnummer->value}, {"eerste", std::to_string(it->second)}});
    }
  }
}

// --- The regulation's rules -------------------------------------------------------------------

void rule1_minimum_partners(const Agreement& a, const RuleSet& rules, Findings& out) {
  if (a.partners_line == 0) return;  // no <partners> at all: reported by the reader
  for (const auto& [soort, minimum] : rules.minimum_partners) {
    const auto found = std::count_if(a.partners.begin(), a.partners.end(),
                                     [soort = soort](const Partner& p) { return p.soort == soort; });
    if (found < minimum) {
      add(out, "R1.minimum", a.partners_line, "partners", {},
          {{"soort", std::string(to_string(soort))},
           {"minimum", std::to_string(minimum)},
           {"aantal", std::to_string(found)}});
    }
  }
}

void rules2_3_signatories(const Agreement& a, const SignatoryRule& rule, std::string_view rule_id, Findings& out) {
  for (const auto& p : a.partners) {
    if (!p.soort || !contains(rule.soorten, *p.soort)) continue;
    const bool authorised = std::any_of(p.tekenbevoegden.begin(), p.tekenbevoegden.end(), [&](const Tekenbevoegde& t) {
      return t.hoedanigheid && contains(rule.hoedanigheden, *t.hoedanigheid);
    });
    if (!authorised) {
      add(out, rule_id, p.line, "partner", p.id,
          {{"naam", p.naam.value}, {"soort", soort_name(p)}, {"toegestaan", join(rule.hoedanigheden)}});
    }
  }
}

void rule4_money(const Agreement& a, const RuleSet& rules, Findings& out) {
  if (a.regio.begroting && !a.partners.empty()) {
    // The least sum that meets the percentage, rounded up to a cent. Amounts are below 10^14
    // cents and basispunten at most 10 000 (the loader checks), so this cannot overflow.
    const Cents minimum = (*a.regio.begroting * rules.cofinanciering_basispunten + 9999) / 10000;
    Cents sum = 0;
    bool readable = true;  // an unreadable amount is reported already; a sum without it would mislead
    for (const auto& p : a.partners) {
      if (!p.soort || !contains(rules.cofinanciering_soorten, *p.soort) || !p.bijdrage) continue;
      readable = readable && p.bijdrage->geld.has_value();
      sum = std::min(sum + p.bijdrage->geld.value_or(0), minimum);  // saturates: never overflows
    }
    if (readable && sum < minimum) {
      std::string percentage = format_euros_nl(rules.cofinanciering_basispunten);  // "12,50"
      while (percentage.ends_with('0')) percentage.pop_back();
      if (percentage.ends_with(',')) percentage.pop_back();
      add(out, "R4.cofinanciering", a.regio.line, "regio", {},
          {{"som", format_euros_nl(sum)}, {"percentage", percentage}, {"minimum", format_euros_nl(minimum)}});
    }
  }
  for (const auto& [soort, maximum] : rules.maximum_subsidie) {
    if (a.regio.soort == soort && a.regio.subsidie && *a.regio.subsidie > maximum) {
      add(out, "R4.subsidie-maximum", a.regio.line, "regio", {},
          {{"soort", std::string(to_string(soort))},
           {"maximum", format_euros_nl(maximum)},
           {"subsidie", format_euros_nl(*a.regio.subsidie)}});
    }
  }
}

void rule5_period(const Agreement& a, Findings& out) {
  const auto& r = a.regeling;
  if (r.begin && r.einde && !(*r.begin < *r.einde)) {
    add(out, "R5.regeling-periode", r.line, "regeling", {}, {{"begin", r.begin->iso()}, {"einde", r.einde->iso()}});
  }
  if (a.looptijd.einde && r.einde && *a.looptijd.einde < *r.einde) {
    add(out, "R5.looptijd", a.looptijd.line, "looptijd", {},
        {{"einde", a.looptijd.einde->iso()}, {"regeling_einde", r.einde->iso()}});
  }
}

void rule6_one_signature_per_partner(const Agreement& a, Findings& out) {
  for (const auto& p : a.partners) {
    std::map<std::string, int> first_line;
    for (const auto& t : p.tekenbevoegden) {
      if (t.email.empty()) continue;
      const auto [it, inserted] = first_line.emplace(detail::lower_ascii(t.email), t.line);
      if (!inserted) {
        add(out, "R6.dubbele-ondertekenaar", t.line, "tekenbevoegde", t.id,
            {{"email", t.email}, {"eerste", std::to_string(it->second)}});
      }
    }
  }
}

void rule7_references(const Agreement& a, Findings& out) {
  if (a.verwijzingen_line == 0) return;  // no <verwijzingen> at all: reported by the reader
  std::map<DocumentSoort, int> first_line;
  for (const auto& d : a.verwijzingen) {
    if (!d.soort) continue;
    const auto [it, inserted] = first_line.emplace(*d.soort, d.line);
    if (!inserted) {
      add(out, "verwijzing.dubbel", d.line, "document", {},
          {{"soort", std::string(to_string(*d.soort))}, {"eerste", std::to_string(it->second)}});
    }
  }
  for (const auto soort : {DocumentSoort::regiovisie, DocumentSoort::activiteitenplan, DocumentSoort::begroting}) {
    if (!first_line.contains(soort)) {
      add(out, "R7.verwijzing", a.verwijzingen_line, "verwijzingen", {}, {{"soort", std::string(to_string(soort))}});
    }
  }
}

constexpr std::size_t kMaxIdentifier = 64;

class IdentifierCheck {
 public:
  IdentifierCheck(const IdentifierPattern& pattern, std::string rule_id)
      : pattern_(pattern), regex_(pattern.patroon, std::regex::ECMAScript), rule_(std::move(rule_id)) {}

  void check(const std::string& value, int line, const char* element, const std::string& subject, Findings& out) const {
    if (value.empty()) return;
    // No identifier is this long; std::regex recurses per character and must not see huge input.
    bool ok = value.size() <= kMaxIdentifier && std::regex_match(value, regex_);
    for (const auto& ending : pattern_.uitgesloten) ok = ok && !value.ends_with(ending);
    if (!ok) {
      add(out, rule_, line, element, subject,
          {{"waarde", value.size() <= kMaxIdentifier ? value : value.substr(0, kMaxIdentifier) + "…"},
           {"vorm_nl", pattern_.vorm_nl},
           {"vorm_en", pattern_.vorm_en}});
    }
  }

 private:
  const IdentifierPattern& pattern_;
  std::regex regex_;
  std::string rule_;
};

void rule8_identifiers(const Agreement& a, const RuleSet& rules, Findings& out) {
  // Field name in the data file -> rule id; a field the data file does not mention is not checked.
  static const std::map<std::string, std::string, std::less<>> kRuleIds{
      {"brin", "R8.brin"},
      {"vestigingsnummer", "R8.vestigingsnummer"},
      {"kvk", "R8.kvk"},
      {"postcode", "R8.postcode"},
      {"bevoegdGezagNummer", "R8.bevoegd-gezag-nummer"}};
  for (const auto& pattern : rules.identificatie) {
    const auto id = kRuleIds.find(pattern.veld);
    if (id == kRuleIds.end()) continue;
    const IdentifierCheck check(pattern, id->second);
    for (const auto& p : a.partners) {
      if (pattern.veld == "brin" && p.brin) check.check(p.brin->value, p.brin->line, "brin", p.id, out);
      if (pattern.veld == "vestigingsnummer" && p.vestigingsnummer) {
        check.check(p.vestigingsnummer->value, p.vestigingsnummer->line, "vestigingsnummer", p.id, out);
      }
      if (pattern.veld == "kvk" && p.kvk) check.check(p.kvk->value, p.kvk->line, "kvk", p.id, out);
      if (pattern.veld == "postcode" && p.adres) check.check(p.adres->postcode, p.adres->line, "adres", p.id, out);
      if (pattern.veld == "bevoegdGezagNummer" && p.bevoegd_gezag) {
        check.check(p.bevoegd_gezag->nummer, p.bevoegd_gezag->line, "bevoegdGezag", p.id, out);
      }
    }
  }
}

void structure(const Agreement& a, const std::vector<PartnerSoort>* penvoerder_soorten, Findings& out) {
  unique_ids(a, out);
  penvoerder(a, penvoerder_soorten, out);
  fields_per_soort(a, out);
  unique_brin_vestiging(a, out);
}

}  // namespace

Findings check_structure(const Agreement& agreement) {
  Findings out;
  structure(agreement, nullptr, out);
  rule7_references(agreement, out);
  return out;
}

Findings check_agreement(const Agreement& agreement, const RuleSet& rules) {
  Findings out;
  structure(agreement, &rules.penvoerder_soorten, out);
  rule1_minimum_partners(agreement, rules, out);
  rules2_3_signatories(agreement, rules.scholen, "R2.tekenbevoegde", out);
  rules2_3_signatories(agreement, rules.organisaties, "R3.tekenbevoegde", out);
  rule4_money(agreement, rules, out);
  rule5_period(agreement, out);
  rule6_one_signature_per_partner(agreement, out);
  rule7_references(agreement, out);
  rule8_identifiers(agreement, rules, out);
  return out;
}

}  // namespace sto
