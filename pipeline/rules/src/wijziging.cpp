// Amendments: applied to the partner list in force, checked against their basis and against the
// regulation's rules on the list after the change.
#include <algorithm>
#include <set>
#include <tuple>

#include "sto/rules.h"

namespace sto {

namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

Partner* find_partner(Agreement& a, std::string_view id) {
  const auto it = std::find_if(a.partners.begin(), a.partners.end(), [&](const Partner& p) { return p.id == id; });
  return it == a.partners.end() ? nullptr : &*it;
}

const Partner* find_partner(const Agreement& a, std::string_view id) {
  const auto it = std::find_if(a.partners.begin(), a.partners.end(), [&](const Partner& p) { return p.id == id; });
  return it == a.partners.end() ? nullptr : &*it;
}

// Every line of `a` set to `line`: the list in force is not a file, so what the rules find in
// it is reported where the amendment changed it.
void relocate(Agreement& a, int line) {
  a.regeling.line = a.regio.line = a.looptijd.line = a.opgesteld.line = line;
  a.partners_line = a.verwijzingen_line = line;
  for (auto& d : a.verwijzingen) d.line = line;
  for (auto& p : a.partners) {
    p.line = p.naam.line = line;
    if (p.brin) p.brin->line = line;
    if (p.vestigingsnummer) p.vestigingsnummer->line = line;
    if (p.bevoegd_gezag) p.bevoegd_gezag->line = line;
    if (p.kvk) p.kvk->line = line;
    if (p.adres) p.adres->line = line;
    if (p.bijdrage) p.bijdrage->line = line;
    for (auto& t : p.tekenbevoegden) t.line = line;
  }
}

// A finding's identity across the lists before and after: the rule and what it is about.
auto identity(const Finding& f) { return std::tie(f.rule, f.element, f.subject); }

void add(Findings& out, std::string_view rule, int line, std::string element, std::string subject = {},
         Args args = {}) {
  out.push_back(make_finding(rule, line, std::move(element), std::move(subject), std::move(args)));
}

// That the amendment names its basis: the agreement, the amendment before it, its own number.
void check_basis(const Wijziging& w, const WijzigingBasis& basis, Findings& out) {
  const Agreement& a = basis.in_force;
  if (!w.kenmerk.empty() && w.versie > 0 && (w.kenmerk != a.kenmerk || w.versie != a.versie)) {
    add(out, "wijziging.overeenkomst", w.overeenkomst_line, "overeenkomst", {},
        {{"kenmerk", w.kenmerk},
         {"versie", std::to_string(w.versie)},
         {"basis_kenmerk", a.kenmerk},
         {"basis_versie", std::to_string(a.versie)}});
  }
  if (!basis.contract_sha256.empty() && !w.overeenkomst_sha256.empty() &&
      w.overeenkomst_sha256 != basis.contract_sha256) {
    add(out, "wijziging.hash", w.overeenkomst_line, "overeenkomst", {},
        {{"gevonden", w.overeenkomst_sha256}, {"verwacht", basis.contract_sha256}});
  }
  if (w.nummer > 0 && w.nummer <= basis.hoogste_nummer) {
    add(out, "wijziging.volgorde", w.line, "wijziging", {},
        {{"nummer", std::to_string(w.nummer)},
         {"hoogste", std::to_string(basis.hoogste_nummer)},
         {"verwacht", std::to_string(basis.hoogste_nummer + 1)}});
  }
  if (basis.vorige_nummer == 0) {
    if (w.vorige_line != 0) add(out, "wijziging.vorige-onnodig", w.vorige_line, "vorige");
    return;
  }
  const Args expected{{"verwacht", std::to_string(basis.vorige_nummer)},
                      {"sha256", basis.vorige_sha256.empty() ? "…" : basis.vorige_sha256}};
  if (w.vorige_line == 0) {
    add(out, "wijziging.vorige-ontbreekt", w.line, "wijziging", {}, expected);
  } else if (w.vorige_nummer != basis.vorige_nummer ||
             (!basis.vorige_sha256.empty() && !w.vorige_sha256.empty() && w.vorige_sha256 != basis.vorige_sha256)) {
    Args args = expected;
    args.emplace_back("nummer", std::to_string(w.vorige_nummer));
    args.emplace_back("gevonden", w.vorige_sha256);
    add(out, "wijziging.vorige", w.vorige_line, "vorige", {}, std::move(args));
  }
}

// That the partner and tekenbevoegde the change names exist (or, joining, do not yet).
void check_names(const Wijziging& w, const Agreement& voor, Findings& out) {
  if (!w.soort) return;
  const std::string element(to_string(*w.soort));
  if (*w.soort == WijzigingSoort::toetreding) {
    if (!w.partner) return;
    std::set<std::string> ids;
    for (const auto& p : voor.partners) {
      ids.insert(p.id);
      for (const auto& t : p.tekenbevoegden) ids.insert(t.id);
    }
    if (ids.contains(w.partner->id)) {
      add(out, "wijziging.id-bestaat", w.partner->line, "partner", w.partner->id, {{"waarde", w.partner->id}});
    }
    for (const auto& t : w.partner->tekenbevoegden) {
      if (ids.contains(t.id)) add(out, "wijziging.id-bestaat", t.line, "tekenbevoegde", t.id, {{"waarde", t.id}});
    }
    return;
  }
  if (w.partner_id.empty()) return;
  const Partner* p = find_partner(voor, w.partner_id);
  if (p == nullptr) {
    add(out, "wijziging.partner-onbekend", w.soort_line, element, w.partner_id, {{"waarde", w.partner_id}});
    return;
  }
  if (*w.soort == WijzigingSoort::uittreding) {
    if (p->penvoerder) add(out, "wijziging.penvoerder", w.soort_line, element, p->id, {{"naam", p->naam.value}});
    const auto& begin = w.opgesteld.datum;
    const auto& einde = voor.looptijd.einde;
    if (w.laatste_dag && ((begin && *w.laatste_dag < *begin) || (einde && *w.laatste_dag > *einde))) {
      add(out, "wijziging.laatste-dag", w.soort_line, element, p->id,
          {{"datum", w.laatste_dag->iso()},
           {"opgesteld", begin ? begin->iso() : "?"},
           {"einde", einde ? einde->iso() : "?"}});
    }
  } else if (*w.soort == WijzigingSoort::vervanging) {
    const bool known = std::any_of(p->tekenbevoegden.begin(), p->tekenbevoegden.end(),
                                   [&](const Tekenbevoegde& t) { return t.id == w.vertrekt; });
    if (!w.vertrekt.empty() && !known) {
      add(out, "wijziging.tekenbevoegde-onbekend", w.soort_line, element, w.vertrekt,
          {{"waarde", w.vertrekt}, {"partner", p->id}});
    }
    if (w.opvolger && w.opvolger->id != w.vertrekt) {
      for (const auto& q : voor.partners) {
        const bool taken =
            q.id == w.opvolger->id || std::any_of(q.tekenbevoegden.begin(), q.tekenbevoegden.end(),
                                                  [&](const Tekenbevoegde& t) { return t.id == w.opvolger->id; });
        if (taken) {
          add(out, "wijziging.id-bestaat", w.opvolger->line, "tekenbevoegde", w.opvolger->id,
              {{"waarde", w.opvolger->id}});
          break;
        }
      }
    }
  }
}

}  // namespace

Agreement apply_wijziging(const Agreement& in_force, const Wijziging& w) {
  Agreement after = in_force;
  if (!w.soort) return after;
  switch (*w.soort) {
    case WijzigingSoort::toetreding:
      if (w.partner) after.partners.push_back(*w.partner);
      break;
    case WijzigingSoort::uittreding:
      std::erase_if(after.partners, [&](const Partner& p) { return p.id == w.partner_id; });
      break;
    case WijzigingSoort::vervanging:
      if (Partner* p = find_partner(after, w.partner_id); p != nullptr && w.opvolger) {
        for (auto& t : p->tekenbevoegden) {
          if (t.id == w.vertrekt) t = *w.opvolger;
        }
      }
      break;
    case WijzigingSoort::bijdrage:
      if (Partner* p = find_partner(after, w.partner_id); p != nullptr && w.bijdrage) p->bijdrage = *w.bijdrage;
      break;
  }
  return after;
}

Agreement in_force(const Agreement& base, const std::vector<Wijziging>& amendments) {
  Agreement a = base;
  for (const auto& w : amendments) a = apply_wijziging(a, w);
  return a;
}

Wijzigingsstuk prepare_wijziging(const Wijziging& w, const Agreement& in_force, const RuleSet& rules) {
  Wijzigingsstuk stuk;
  stuk.wijziging = w;
  stuk.voor = in_force;
  stuk.na = apply_wijziging(in_force, w);
  stuk.iedereen = w.soort && std::find(rules.wijziging_iedereen.begin(), rules.wijziging_iedereen.end(), *w.soort) !=
                                 rules.wijziging_iedereen.end();

  Agreement& d = stuk.document;
  d.source = w.source;
  d.xml_sha256 = w.xml_sha256;
  d.kenmerk = in_force.kenmerk;
  d.versie = in_force.versie;
  d.taal = w.taal;
  d.regeling = in_force.regeling;
  d.regio = in_force.regio;
  d.looptijd = in_force.looptijd;
  d.opgesteld = w.opgesteld;
  d.partners_line = w.soort_line;

  // Who signs, in the order of the list after the change (a leaving partner last).
  const auto signs = [&](const Partner& p, const Tekenbevoegde& t) {
    if (stuk.iedereen || p.penvoerder) return true;
    if (!w.soort) return false;
    switch (*w.soort) {
      case WijzigingSoort::toetreding:
      case WijzigingSoort::uittreding:
      case WijzigingSoort::bijdrage:
        return p.id == w.partner_id;
      case WijzigingSoort::vervanging:
        return p.id == w.partner_id && w.opvolger && t.id == w.opvolger->id;
    }
    return false;
  };
  const auto take = [&](const Partner& p) {
    Partner signing = p;
    std::erase_if(signing.tekenbevoegden, [&](const Tekenbevoegde& t) { return !signs(p, t); });
    if (!signing.tekenbevoegden.empty()) d.partners.push_back(std::move(signing));
  };
  for (const auto& p : stuk.na.partners) take(p);
  if (w.soort == WijzigingSoort::uittreding) {
    if (const Partner* leaving = find_partner(in_force, w.partner_id)) {
      Partner signing = *leaving;
      signing.penvoerder = false;
      d.partners.push_back(std::move(signing));
    }
  }
  return stuk;
}

WijzigingValidation validate_wijziging(std::string_view bytes, std::string source, const WijzigingBasis& basis,
                                       const std::vector<RuleSet>& sets) {
  WijzigingRead read = read_wijziging(bytes, std::move(source));
  WijzigingValidation v;
  v.findings = std::move(read.findings);
  const Wijziging& w = read.wijziging;
  const RuleSet* rules = find_rule_set(sets, basis.in_force.regeling.naam);
  if (read.parsed) {
    check_basis(w, basis, v.findings);
    Agreement voor = basis.in_force;
    relocate(voor, w.soort_line != 0 ? w.soort_line : w.line);
    check_names(w, voor, v.findings);
    if (rules == nullptr) {
      v.findings.push_back(make_finding("regeling.onbekend", w.overeenkomst_line, "overeenkomst", {},
                                        {{"naam", basis.in_force.regeling.naam}, {"bekend", "—"}}));
    } else if (w.soort && !has_errors(v.findings)) {
      // The rules on the list after the change; what already held before is not this change's doing.
      const Agreement na = apply_wijziging(voor, w);
      const Findings before = check_agreement(voor, *rules);
      for (auto& f : check_agreement(na, *rules)) {
        const bool old =
            std::any_of(before.begin(), before.end(), [&](const Finding& b) { return identity(b) == identity(f); });
        if (!old) v.findings.push_back(std::move(f));
      }
    }
  }
  sort_by_line(v.findings);
  cap_findings(v.findings);
  for (auto& finding : v.findings) finding.file = w.source;
  if (rules != nullptr) {
    v.stuk = prepare_wijziging(w, basis.in_force, *rules);
  } else {
    v.stuk.wijziging = w;
  }
  return v;
}

}  // namespace sto
