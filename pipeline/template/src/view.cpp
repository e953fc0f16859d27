// The view: every value a template may print, computed once from the agreement. Formatting
// (money, dates, labels) happens here so templates stay free of logic.
#include "view.h"

#include <numeric>

namespace sto::detail {

namespace {

constexpr std::string_view kPartnerSoorten[] = {"vmbo", "mbo", "po",      "vso",      "pro",
                                                "hbo",  "wo",  "bedrijf", "overheid", "overig"};

std::string money(Cents cents, Taal taal) {
  std::string nl = format_euros_nl(cents);
  // A no-break space: the amount never starts a line without its sign.
  if (taal == Taal::nl) return "€\u00A0" + nl;
  for (char& c : nl) c = c == '.' ? ',' : (c == ',' ? '.' : c);  // 4.200.000,00 -> 4,200,000.00
  return "€" + nl;
}

std::string whole_number(std::int64_t n, Taal taal) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += taal == Taal::nl ? '.' : ',';
    out += digits[i];
  }
  return out;
}

class ViewBuilder {
 public:
  ViewBuilder(const Words& words, Taal taal) : words_(words), taal_(taal) {}

  std::string word(const std::string& key) const { return words_.at(key); }

  std::string date(const std::optional<Date>& d) const {
    if (!d) return {};
    return std::to_string(d->day) + " " + word("maand." + std::to_string(d->month)) + " " + std::to_string(d->year);
  }

  Scope partner(const Partner& p, std::size_t index) const;
  Scope root(const Agreement& a) const;
  void wijziging(const Wijzigingsstuk& stuk, Scope& s) const;

 private:
  const Words& words_;
  Taal taal_;
};

Scope ViewBuilder::partner(const Partner& p, std::size_t index) const {
  Scope s;
  auto& v = s.values;
  const std::string soort(to_string(p.soort.value_or(PartnerSoort::overig)));
  v["partner.nummer"] = std::to_string(index + 1);
  v["partner.id"] = p.id;
  v["partner.naam"] = p.naam.value;
  v["partner.soort"] = word("soort." + soort);
  v["partner.rol"] = p.penvoerder ? word("rol.penvoerder") : word("rol." + soort);
  v["partner.penvoerder"] = p.penvoerder ? "ja" : "";
  v["partner.school"] = p.soort && is_school(*p.soort) ? "ja" : "";
  v["partner.brin"] = p.brin ? p.brin->value : "";
  v["partner.vestigingsnummer"] = p.vestigingsnummer ? p.vestigingsnummer->value : "";
  v["partner.brin_vestiging"] = p.brin && p.vestigingsnummer ? p.brin->value + " " + p.vestigingsnummer->value : "";
  v["partner.bevoegd_gezag"] = p.bevoegd_gezag ? p.bevoegd_gezag->naam : "";
  v["partner.bevoegd_gezag_nummer"] = p.bevoegd_gezag ? p.bevoegd_gezag->nummer : "";
  v["partner.kvk"] = p.kvk ? p.kvk->value : "";
  std::string postcode = p.adres ? p.adres->postcode : "";
  if (postcode.size() == 6) postcode.insert(4, " ");  // printed with the space
  v["partner.adres"] = p.adres ? p.adres->straat : "";
  v["partner.postcode_plaats"] = p.adres ? postcode + "  " + p.adres->plaats : "";
  const Bijdrage none{};
  const Bijdrage& b = p.bijdrage ? *p.bijdrage : none;
  v["partner.taken"] = b.taken;
  v["partner.geld"] = money(b.geld.value_or(0), taal_);
  v["partner.uren"] = whole_number(b.uren.value_or(0), taal_);
  auto& signers = s.lists["partner.tekenbevoegden"];
  for (const auto& t : p.tekenbevoegden) {
    Scope ts;
    ts.values["tekenbevoegde.id"] = t.id;
    ts.values["tekenbevoegde.naam"] = t.naam;
    ts.values["tekenbevoegde.functie"] = t.functie;
    ts.values["tekenbevoegde.hoedanigheid"] =
        word("hoedanigheid." + std::string(to_string(t.hoedanigheid.value_or(Hoedanigheid::bestuur))));
    ts.values["tekenbevoegde.machtiging"] = t.machtiging;
    ts.values["tekenbevoegde.email"] = t.email;
    signers.push_back(std::move(ts));
  }
  return s;
}

Scope ViewBuilder::root(const Agreement& a) const {
  Scope s;
  auto& v = s.values;
  v["kenmerk"] = a.kenmerk;
  v["versie"] = std::to_string(a.versie);
  v["xml.sha256"] = a.xml_sha256;
  v["regeling.naam"] = a.regeling.naam;
  v["regeling.begin"] = date(a.regeling.begin);
  v["regeling.einde"] = date(a.regeling.einde);
  v["regio.naam"] = a.regio.naam;
  v["regio.nummer"] = a.regio.nummer;
  v["regio.soort"] = word("regiosoort." + std::string(to_string(a.regio.soort.value_or(RegioSoort::techniekregio))));
  v["regio.subsidie"] = a.regio.subsidie ? money(*a.regio.subsidie, taal_) : "";
  v["regio.begroting"] = a.regio.begroting ? money(*a.regio.begroting, taal_) : "";
  v["looptijd.einde"] = date(a.looptijd.einde);
  v["looptijd.verlenging"] = a.looptijd.verlenging ? "ja" : "";
  v["opgesteld.datum"] = date(a.opgesteld.datum);
  v["opgesteld.plaats"] = a.opgesteld.plaats;

  Cents geld = 0;
  Cents bedrijven = 0;
  std::int64_t uren = 0;
  std::size_t signatories = 0;
  auto& partners = s.lists["partners"];
  for (std::size_t i = 0; i < a.partners.size(); ++i) {
    const Partner& p = a.partners[i];
    if (p.penvoerder) v["penvoerder.naam"] = p.naam.value;
    const Cents g = p.bijdrage ? p.bijdrage->geld.value_or(0) : 0;
    // Each amount is below 10^14 cents, but a file may hold very many of them.
    if (__builtin_add_overflow(geld, g, &geld) ||
        (p.soort == PartnerSoort::bedrijf && __builtin_add_overflow(bedrijven, g, &bedrijven))) {
      throw Error("de som van de bijdragen is te groot om te drukken");
    }
    uren += p.bijdrage ? p.bijdrage->uren.value_or(0) : 0;
    signatories += p.tekenbevoegden.size();
    partners.push_back(partner(p, i));
  }
  v["aantal.partners"] = std::to_string(a.partners.size());
  v["aantal.tekenbevoegden"] = std::to_string(signatories);
  v["totaal.geld"] = money(geld, taal_);
  v["totaal.uren"] = whole_number(uren, taal_);
  v["totaal.geld_bedrijven"] = money(bedrijven, taal_);
  // Co-financing as a share of the budget, one decimal, rounded down (never overstated).
  if (a.regio.begroting && *a.regio.begroting > 0) {
    // In two steps: bedrijven * 1000 could overflow; the remainder (< begroting < 10^14) cannot.
    // A quotient so large that * 1000 overflows (a begroting of cents) is printed as whole
    // hundreds of percent: still rounded down.
    const Cents begroting = *a.regio.begroting;
    const std::int64_t whole = bedrijven / begroting;
    std::int64_t permille = 0;
    if (__builtin_mul_overflow(whole, 1000, &permille)) {
      v["cofinanciering.percentage"] = std::to_string(whole) + "00 %";
    } else {
      permille += bedrijven % begroting * 1000 / begroting;
      v["cofinanciering.percentage"] =
          std::to_string(permille / 10) + (taal_ == Taal::nl ? "," : ".") + std::to_string(permille % 10) + " %";
    }
  } else {
    v["cofinanciering.percentage"] = "";
  }

  auto& documents = s.lists["verwijzingen"];
  for (const auto& d : a.verwijzingen) {
    Scope ds;
    ds.values["document.soort"] =
        word("document." + std::string(to_string(d.soort.value_or(DocumentSoort::regiovisie))));
    ds.values["document.titel"] = d.titel;
    ds.values["document.datum"] = date(d.datum);
    ds.values["document.sha256"] = d.sha256;
    documents.push_back(std::move(ds));
  }
  auto& afspraken = s.lists["afspraken"];
  for (const auto& af : a.afspraken) {
    Scope as;
    as.values["afspraak.titel"] = af.titel;
    auto& alineas = as.lists["afspraak.alineas"];
    for (const auto& al : af.alineas) {
      Scope ps;
      ps.values["alinea.tekst"] = al.tekst;
      ps.values["alinea.is_lijst"] = al.is_lijst ? "ja" : "";
      auto& items = ps.lists["alinea.items"];
      for (const auto& item : al.items) items.push_back(Scope{{{"item.tekst", item}}, {}});
      alineas.push_back(std::move(ps));
    }
    afspraken.push_back(std::move(as));
  }
  return s;
}

// The amendment's own values: every key exists whatever its soort (the template's <als> picks).
void ViewBuilder::wijziging(const Wijzigingsstuk& stuk, Scope& s) const {
  const Wijziging& w = stuk.wijziging;
  auto& v = s.values;
  const auto soort = w.soort.value_or(WijzigingSoort::toetreding);
  v["wijziging.nummer"] = std::to_string(w.nummer);
  v["wijziging.soort"] = std::string(to_string(soort));
  for (const auto k :
       {WijzigingSoort::toetreding, WijzigingSoort::uittreding, WijzigingSoort::vervanging, WijzigingSoort::bijdrage}) {
    v["wijziging." + std::string(to_string(k))] = k == soort ? "ja" : "";
  }
  v["wijziging.iedereen"] = stuk.iedereen ? "ja" : "";
  v["wijziging.toelichting"] = w.toelichting;
  v["wijziging.reden"] = w.reden;
  v["wijziging.laatste_dag"] = date(w.laatste_dag);
  v["overeenkomst.sha256"] = w.overeenkomst_sha256;
  v["vorige.nummer"] = w.vorige_nummer > 0 ? std::to_string(w.vorige_nummer) : "";
  v["vorige.sha256"] = w.vorige_sha256;

  // The partner concerned: the joining one, or the one named as it was before the change.
  const Partner* concerned = w.partner ? &*w.partner : nullptr;
  for (const auto& p : stuk.voor.partners) {
    if (concerned == nullptr && p.id == w.partner_id) concerned = &p;
  }
  auto& partners = s.lists["wijziging.partners"];
  if (concerned != nullptr) partners.push_back(partner(*concerned, 0));

  const Tekenbevoegde none{};
  const Tekenbevoegde* vertrekt = &none;
  if (concerned != nullptr) {
    for (const auto& t : concerned->tekenbevoegden) {
      if (t.id == w.vertrekt) vertrekt = &t;
    }
  }
  v["vertrekt.naam"] = vertrekt->naam;
  v["vertrekt.functie"] = vertrekt->functie;
  const Tekenbevoegde& opvolger = w.opvolger ? *w.opvolger : none;
  v["opvolger.naam"] = opvolger.naam;
  v["opvolger.functie"] = opvolger.functie;
  v["opvolger.hoedanigheid"] =
      word("hoedanigheid." + std::string(to_string(opvolger.hoedanigheid.value_or(Hoedanigheid::bestuur))));
  v["opvolger.machtiging"] = opvolger.machtiging;
  v["opvolger.email"] = opvolger.email;

  const Bijdrage empty{};
  const Bijdrage& oud = concerned != nullptr && concerned->bijdrage ? *concerned->bijdrage : empty;
  const Bijdrage& nieuw = w.bijdrage ? *w.bijdrage : empty;
  v["bijdrage.oud.taken"] = oud.taken;
  v["bijdrage.oud.geld"] = money(oud.geld.value_or(0), taal_);
  v["bijdrage.oud.uren"] = whole_number(oud.uren.value_or(0), taal_);
  v["bijdrage.nieuw.taken"] = nieuw.taken;
  v["bijdrage.nieuw.geld"] = money(nieuw.geld.value_or(0), taal_);
  v["bijdrage.nieuw.uren"] = whole_number(nieuw.uren.value_or(0), taal_);

  // The agreement after the change, every value and list under "na.".
  Scope na = root(stuk.na);
  for (auto& [key, value] : na.values) v["na." + key] = std::move(value);
  s.lists["na.partners"] = std::move(na.lists["partners"]);
}

}  // namespace

std::vector<std::string> required_words() {
  std::vector<std::string> keys{"rol.penvoerder",      "regiosoort.techniekregio",  "regiosoort.techniekluw",
                                "document.regiovisie", "document.activiteitenplan", "document.begroting"};
  for (const auto soort : kPartnerSoorten) {
    keys.push_back("soort." + std::string(soort));
    keys.push_back("rol." + std::string(soort));
  }
  for (const char* h : {"bestuur", "directeur", "kvk", "gemachtigde"}) keys.push_back(std::string("hoedanigheid.") + h);
  for (int m = 1; m <= 12; ++m) keys.push_back("maand." + std::to_string(m));
  for (const char* l : {"naam", "functie", "hoedanigheid", "machtiging", "datum", "handtekening", "ondertekend"}) {
    keys.push_back(std::string("label.") + l);
  }
  return keys;
}

Scope make_view(const Agreement& agreement, const Wijzigingsstuk* stuk, const Words& words, Taal taal) {
  const ViewBuilder builder(words, taal);
  Scope s = builder.root(agreement);
  if (stuk != nullptr) builder.wijziging(*stuk, s);
  return s;
}

}  // namespace sto::detail
