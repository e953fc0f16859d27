// The agreement format (docs/agreement-format.md) as code: which elements and attributes exist,
// in which order, and how their values parse. Regulation rules live in pipeline/rules.
#include <algorithm>
#include <array>
#include <cstring>

#include "schema.h"
#include "sto/utf8.h"

namespace sto {

namespace {

using detail::ChildSpec;
using detail::Walker;

bool is_ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 32 || !is_ascii_letter(id[0])) return false;
  for (char c : id) {
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '_' && c != '-') return false;
  }
  return true;
}

bool valid_kenmerk(std::string_view kenmerk) {
  if (kenmerk.empty() || kenmerk.size() > 64) return false;
  for (char c : kenmerk) {
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// Deliberately plain: one @, a non-empty local part, a dotted domain of letters, digits and
// hyphens, no white space. Whether the address works is learned when the mail is accepted.
bool valid_email(std::string_view email) {
  const auto at = email.find('@');
  if (email.size() > 254 || at == 0 || at == std::string_view::npos) return false;
  const auto local = email.substr(0, at);
  const auto domain = email.substr(at + 1);
  for (char c : local) {
    if (static_cast<unsigned char>(c) <= ' ' || std::strchr("@<>()[]\\,;:\"", c) != nullptr) return false;
  }
  if (domain.empty() || domain.find('.') == std::string_view::npos) return false;
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return false;
  for (char c : domain) {
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '-' && c != '.' && static_cast<unsigned char>(c) < 0x80) {
      return false;
    }
  }
  return true;
}

std::string lower_hex(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool hex = is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return {};
    out += static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  }
  return out;
}

// Digits only, any count (leading zeros allowed), value at most 2^31 - 1; std::nullopt otherwise.
std::optional<std::int64_t> whole_number(std::string_view text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), is_ascii_digit)) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    value = value * 10 + (c - '0');
    if (value > 2147483647) return std::nullopt;
  }
  return value;
}

class AgreementReader {
 public:
  AgreementReader(Walker& walker, Agreement& agreement) : w_(walker), a_(agreement) {}

  void root(pugi::xml_node node);

  // Also what an amendment reads (WijzigingReader).
  std::optional<Date> date(pugi::xml_node node, const char* attribute, bool required);
  std::optional<Cents> euros(pugi::xml_node node, const char* attribute, std::string_view subject = {});
  bool ja_nee(pugi::xml_node node, const char* attribute);
  template <typename Enum>
  std::optional<Enum> choice(pugi::xml_node node, const char* attribute, std::optional<Enum> (*parse)(std::string_view),
                             std::string_view allowed, std::string_view subject = {});
  std::string naam(pugi::xml_node node, std::string value, std::string_view subject = {});
  std::string id(pugi::xml_node node);
  std::string required_text(pugi::xml_node node, std::string_view subject);
  void opgesteld(pugi::xml_node node, Opgesteld& o);
  void partner(pugi::xml_node node);
  Tekenbevoegde tekenbevoegde(pugi::xml_node node, std::string_view partner_id);
  std::optional<std::int64_t> uren(pugi::xml_node node, std::string_view subject);

 private:
  void regeling(pugi::xml_node node);
  void regio(pugi::xml_node node);
  void looptijd(pugi::xml_node node);
  void verwijzingen(pugi::xml_node node);
  void partner_child(Partner& p, std::size_t index, pugi::xml_node node);
  void afspraak(pugi::xml_node node);

  Walker& w_;
  Agreement& a_;
};

std::optional<Date> AgreementReader::date(pugi::xml_node node, const char* attribute, bool required) {
  const auto text = required ? w_.required(node, attribute) : w_.optional(node, attribute);
  if (!text) return std::nullopt;
  auto parsed = parse_date(*text);
  if (!parsed) w_.report("datum.ongeldig", node, {}, {{"naam", attribute}, {"waarde", *text}});
  return parsed;
}

std::optional<Cents> AgreementReader::euros(pugi::xml_node node, const char* attribute, std::string_view subject) {
  const auto text = w_.optional(node, attribute);
  if (!text) return std::nullopt;
  auto parsed = parse_euros(*text);
  if (!parsed) w_.report("bedrag.ongeldig", node, std::string(subject), {{"naam", attribute}, {"waarde", *text}});
  return parsed;
}

bool AgreementReader::ja_nee(pugi::xml_node node, const char* attribute) {
  const auto text = w_.optional(node, attribute);
  if (!text || *text == "nee") return false;
  if (*text == "ja") return true;
  w_.report("waarde.keuze", node, {}, {{"naam", attribute}, {"waarde", *text}, {"toegestaan", "ja, nee"}});
  return false;
}

template <typename Enum>
std::optional<Enum> AgreementReader::choice(pugi::xml_node node, const char* attribute,
                                            std::optional<Enum> (*parse)(std::string_view), std::string_view allowed,
                                            std::string_view subject) {
  const auto text = w_.required(node, attribute, subject);
  if (!text) return std::nullopt;
  auto parsed = parse(*text);
  if (!parsed) {
    w_.report("waarde.keuze", node, std::string(subject),
              {{"naam", attribute}, {"waarde", *text}, {"toegestaan", std::string(allowed)}});
  }
  return parsed;
}

std::string AgreementReader::naam(pugi::xml_node node, std::string value, std::string_view subject) {
  const std::size_t length = count_code_points(value);
  if (length > 200) {
    w_.report("naam.lengte", node, std::string(subject), {{"lengte", std::to_string(length)}});
  }
  return value;
}

std::string AgreementReader::id(pugi::xml_node node) {
  auto value = w_.required(node, "id");
  if (!value) return {};
  if (!valid_id(*value)) w_.report("id.ongeldig", node, {}, {{"waarde", *value}});
  return *value;
}

std::string AgreementReader::required_text(pugi::xml_node node, std::string_view subject) {
  std::string value = w_.text(node);
  if (value.empty()) w_.report("waarde.leeg", node, std::string(subject), {{"naam", w_.name(node)}});
  return value;
}

void AgreementReader::root(pugi::xml_node node) {
  w_.check_attributes(node, {"kenmerk", "versie", "taal"});
  if (const auto kenmerk = w_.required(node, "kenmerk")) {
    a_.kenmerk = *kenmerk;
    if (!valid_kenmerk(*kenmerk)) w_.report("kenmerk.ongeldig", node, {}, {{"waarde", *kenmerk}});
  }
  if (const auto versie = w_.required(node, "versie")) {
    a_.versie = whole_number(*versie).value_or(0);
    if (a_.versie <= 0) w_.report("versie.ongeldig", node, {}, {{"waarde", *versie}});
  }
  if (const auto taal = w_.optional(node, "taal"); taal && *taal != "nl") {
    if (*taal == "en") {
      a_.taal = Taal::en;
    } else {
      w_.report("waarde.keuze", node, {}, {{"naam", "taal"}, {"waarde", *taal}, {"toegestaan", "nl, en"}});
    }
  }
  static constexpr std::array<ChildSpec, 7> kChildren{{{"regeling", 1, 1},
                                                       {"regio", 1, 1},
                                                       {"looptijd", 1, 1},
                                                       {"opgesteld", 1, 1},
                                                       {"verwijzingen", 1, 1},
                                                       {"partners", 1, 1},
                                                       {"afspraken", 0, 1}}};
  w_.children(node, kChildren, true, [&](std::size_t index, pugi::xml_node child) {
    switch (index) {
      case 0:
        return regeling(child);
      case 1:
        return regio(child);
      case 2:
        return looptijd(child);
      case 3:
        return opgesteld(child, a_.opgesteld);
      case 4:
        return verwijzingen(child);
      case 5: {
        a_.partners_line = w_.line(child);
        static constexpr std::array<ChildSpec, 1> kPartners{{{"partner", 1, -1}}};
        return w_.children(child, kPartners, false, [&](std::size_t, pugi::xml_node p) { partner(p); });
      }
      default: {
        static constexpr std::array<ChildSpec, 1> kAfspraken{{{"afspraak", 1, -1}}};
        return w_.children(child, kAfspraken, false, [&](std::size_t, pugi::xml_node x) { afspraak(x); });
      }
    }
  });
}

void AgreementReader::regeling(pugi::xml_node node) {
  auto& r = a_.regeling;
  r.line = w_.line(node);
  w_.check_attributes(node, {"naam", "begin", "einde"});
  r.naam = w_.required(node, "naam").value_or("");
  r.begin = date(node, "begin", true);
  r.einde = date(node, "einde", true);
  w_.children(node, {}, false, [](std::size_t, pugi::xml_node) {});
}

void AgreementReader::regio(pugi::xml_node node) {
  auto& r = a_.regio;
  r.line = w_.line(node);
  w_.check_attributes(node, {"nummer", "naam", "soort", "subsidie", "begroting"});
  r.nummer = w_.required(node, "nummer").value_or("");
  r.naam = naam(node, w_.required(node, "naam").value_or(""));
  r.soort = choice(node, "soort", parse_regio_soort, "techniekregio, techniekluw");
  r.subsidie = euros(node, "subsidie");
  r.begroting = euros(node, "begroting");
  w_.children(node, {}, false, [](std::size_t, pugi::xml_node) {});
}

void AgreementReader::looptijd(pugi::xml_node node) {
  auto& l = a_.looptijd;
  l.line = w_.line(node);
  w_.check_attributes(node, {"einde", "verlenging"});
  l.einde = date(node, "einde", true);
  l.verlenging = ja_nee(node, "verlenging");
  w_.children(node, {}, false, [](std::size_t, pugi::xml_node) {});
}

void AgreementReader::opgesteld(pugi::xml_node node, Opgesteld& o) {
  o.line = w_.line(node);
  w_.check_attributes(node, {"datum", "plaats"});
  o.datum = date(node, "datum", true);
  o.plaats = w_.required(node, "plaats").value_or("");
  w_.children(node, {}, false, [](std::size_t, pugi::xml_node) {});
}

void AgreementReader::verwijzingen(pugi::xml_node node) {
  a_.verwijzingen_line = w_.line(node);
  // Which documents must be there is regulation rule 7 (pipeline/rules), so min is 0 here.
  static constexpr std::array<ChildSpec, 1> kDocument{{{"document", 0, -1}}};
  w_.children(node, kDocument, false, [&](std::size_t, pugi::xml_node child) {
    Verwijzing d;
    d.line = w_.line(child);
    w_.check_attributes(child, {"soort", "titel", "datum", "sha256"});
    d.soort = choice(child, "soort", parse_document_soort, "regiovisie, activiteitenplan, begroting");
    d.titel = w_.required(child, "titel").value_or("");
    d.datum = date(child, "datum", true);
    if (const auto sha = w_.optional(child, "sha256")) {
      d.sha256 = lower_hex(*sha);
      if (d.sha256.size() != 64) {
        w_.report("sha256.ongeldig", child, {},
                  {{"lengte", std::to_string(count_code_points(*sha))}, {"waarde", *sha}});
        d.sha256.clear();
      }
    }
    w_.children(child, {}, false, [](std::size_t, pugi::xml_node) {});
    a_.verwijzingen.push_back(std::move(d));
  });
}

void AgreementReader::partner(pugi::xml_node node) {
  Partner p;
  p.line = w_.line(node);
  w_.check_attributes(node, {"id", "soort", "penvoerder"});
  p.id = id(node);
  p.soort =
      choice(node, "soort", parse_partner_soort, "vmbo, mbo, po, vso, pro, hbo, wo, bedrijf, overheid, overig", p.id);
  p.penvoerder = ja_nee(node, "penvoerder");
  // The spec gives no order for a partner's children; the example's order is printed.
  static constexpr std::array<ChildSpec, 8> kChildren{{{"naam", 1, 1},
                                                       {"brin", 0, 1},
                                                       {"vestigingsnummer", 0, 1},
                                                       {"bevoegdGezag", 0, 1},
                                                       {"kvk", 0, 1},
                                                       {"adres", 0, 1},
                                                       {"bijdrage", 1, 1},
                                                       {"tekenbevoegde", 1, -1}}};
  w_.children(node, kChildren, false, [&](std::size_t index, pugi::xml_node child) { partner_child(p, index, child); });
  a_.partners.push_back(std::move(p));
}

void AgreementReader::partner_child(Partner& p, std::size_t index, pugi::xml_node node) {
  const int line = w_.line(node);
  switch (index) {
    case 0:
      p.naam = {naam(node, required_text(node, p.id), p.id), line};
      return;
    case 1:
      p.brin = Located{required_text(node, p.id), line};
      return;
    case 2:
      p.vestigingsnummer = Located{required_text(node, p.id), line};
      return;
    case 3:
      w_.check_attributes(node, {"naam", "nummer"});
      p.bevoegd_gezag = BevoegdGezag{w_.required(node, "naam", p.id).value_or(""),
                                     w_.required(node, "nummer", p.id).value_or(""), line};
      w_.children(node, {}, false, [](std::size_t, pugi::xml_node) {});
      return;
    case 4:
      p.kvk = Located{required_text(node, p.id), line};
      return;
    case 5:
      w_.check_attributes(node, {"straat", "postcode", "plaats"});
      p.adres = Adres{w_.required(node, "straat", p.id).value_or(""), w_.required(node, "postcode", p.id).value_or(""),
                      w_.required(node, "plaats", p.id).value_or(""), line};
      w_.children(node, {}, false, [](std::size_t, pugi::xml_node) {});
      return;
    case 6: {
      w_.check_attributes(node, {"geld", "uren"});
      Bijdrage b;
      b.line = line;
      b.taken = required_text(node, p.id);
      // Absent means nothing of that kind is contributed (0); only an unreadable value is nullopt.
      b.geld = node.attribute("geld") ? euros(node, "geld", p.id) : Cents{0};
      b.uren = uren(node, p.id);
      p.bijdrage = std::move(b);
      return;
    }
    default:
      p.tekenbevoegden.push_back(tekenbevoegde(node, p.id));
      return;
  }
}

std::optional<std::int64_t> AgreementReader::uren(pugi::xml_node node, std::string_view subject) {
  const auto text = w_.optional(node, "uren");
  if (!text) return 0;
  auto value = whole_number(*text);
  if (!value) w_.report("uren.ongeldig", node, std::string(subject), {{"waarde", *text}});
  return value;
}

Tekenbevoegde AgreementReader::tekenbevoegde(pugi::xml_node node, std::string_view partner_id) {
  Tekenbevoegde t;
  t.line = w_.line(node);
  w_.check_attributes(node, {"id", "naam", "functie", "hoedanigheid", "machtiging", "email"});
  t.id = id(node);
  const std::string_view subject = t.id.empty() ? partner_id : std::string_view(t.id);
  t.naam = naam(node, w_.required(node, "naam", subject).value_or(""), subject);
  t.functie = w_.required(node, "functie", subject).value_or("");
  t.hoedanigheid = choice(node, "hoedanigheid", parse_hoedanigheid, "bestuur, directeur, kvk, gemachtigde", subject);
  t.machtiging = w_.optional(node, "machtiging").value_or("");
  if (t.hoedanigheid == Hoedanigheid::gemachtigde && t.machtiging.empty()) {
    w_.report("machtiging.ontbreekt", node, std::string(subject));
  } else if (t.hoedanigheid && t.hoedanigheid != Hoedanigheid::gemachtigde && !t.machtiging.empty()) {
    w_.report("machtiging.onnodig", node, std::string(subject),
              {{"hoedanigheid", std::string(to_string(*t.hoedanigheid))}});
  }
  if (const auto email = w_.required(node, "email", subject)) {
    t.email = *email;
    if (!valid_email(*email)) w_.report("email.ongeldig", node, std::string(subject), {{"waarde", *email}});
  }
  w_.children(node, {}, false, [](std::size_t, pugi::xml_node) {});
  return t;
}

void AgreementReader::afspraak(pugi::xml_node node) {
  Afspraak afspraak;
  afspraak.line = w_.line(node);
  w_.check_attributes(node, {"titel"});
  afspraak.titel = w_.required(node, "titel").value_or("");
  static constexpr std::array<ChildSpec, 2> kChildren{{{"p", 1, -1}, {"lijst", 0, -1}}};
  w_.children(node, kChildren, false, [&](std::size_t index, pugi::xml_node child) {
    Alinea alinea;
    alinea.line = w_.line(child);
    if (index == 0) {
      alinea.tekst = required_text(child, {});
    } else {
      alinea.is_lijst = true;
      static constexpr std::array<ChildSpec, 1> kItems{{{"item", 1, -1}}};
      w_.children(child, kItems, false,
                  [&](std::size_t, pugi::xml_node item) { alinea.items.push_back(required_text(item, {})); });
    }
    afspraak.alineas.push_back(std::move(alinea));
  });
  a_.afspraken.push_back(std::move(afspraak));
}

// An amendment: its own elements, and the agreement's partner and tekenbevoegde read by the
// agreement's reader (into a scratch agreement), so both files obey one format.
class WijzigingReader {
 public:
  WijzigingReader(Walker& walker, Wijziging& wijziging) : w_(walker), x_(wijziging), r_(walker, scratch_) {}

  void root(pugi::xml_node node);

 private:
  std::string sha256(pugi::xml_node node);
  std::string partner_ref(pugi::xml_node node);
  void change(std::size_t index, pugi::xml_node node);

  Walker& w_;
  Wijziging& x_;
  Agreement scratch_;
  AgreementReader r_;
};

std::string WijzigingReader::sha256(pugi::xml_node node) {
  const auto text = w_.required(node, "sha256");
  if (!text) return {};
  std::string hex = lower_hex(*text);
  if (hex.size() != 64) {
    w_.report("sha256.ongeldig", node, {}, {{"lengte", std::to_string(count_code_points(*text))}, {"waarde", *text}});
    return {};
  }
  return hex;
}

std::string WijzigingReader::partner_ref(pugi::xml_node node) {
  auto value = w_.required(node, "partner");
  if (!value) return {};
  if (!valid_id(*value)) w_.report("id.ongeldig", node, {}, {{"waarde", *value}});
  return *value;
}

void WijzigingReader::root(pugi::xml_node node) {
  x_.line = w_.line(node);
  w_.check_attributes(node, {"nummer", "taal"});
  if (const auto nummer = w_.required(node, "nummer")) {
    x_.nummer = whole_number(*nummer).value_or(0);
    if (x_.nummer <= 0) w_.report("wijziging.nummer", node, {}, {{"waarde", *nummer}});
  }
  if (const auto taal = w_.optional(node, "taal"); taal && *taal != "nl") {
    if (*taal == "en") {
      x_.taal = Taal::en;
    } else {
      w_.report("waarde.keuze", node, {}, {{"naam", "taal"}, {"waarde", *taal}, {"toegestaan", "nl, en"}});
    }
  }
  static constexpr std::array<ChildSpec, 8> kChildren{{{"overeenkomst", 1, 1},
                                                       {"vorige", 0, 1},
                                                       {"opgesteld", 1, 1},
                                                       {"toelichting", 0, 1},
                                                       {"toetreding", 0, 1},
                                                       {"uittreding", 0, 1},
                                                       {"vervanging", 0, 1},
                                                       {"bijdrage", 0, 1}}};
  int changes = 0;
  w_.children(node, kChildren, true, [&](std::size_t index, pugi::xml_node child) {
    switch (index) {
      case 0:
        x_.overeenkomst_line = w_.line(child);
        w_.check_attributes(child, {"kenmerk", "versie", "sha256"});
        x_.kenmerk = w_.required(child, "kenmerk").value_or("");
        if (!x_.kenmerk.empty() && !valid_kenmerk(x_.kenmerk)) {
          w_.report("kenmerk.ongeldig", child, {}, {{"waarde", x_.kenmerk}});
        }
        if (const auto versie = w_.required(child, "versie")) {
          x_.versie = whole_number(*versie).value_or(0);
          if (x_.versie <= 0) w_.report("versie.ongeldig", child, {}, {{"waarde", *versie}});
        }
        x_.overeenkomst_sha256 = sha256(child);
        w_.children(child, {}, false, [](std::size_t, pugi::xml_node) {});
        return;
      case 1:
        x_.vorige_line = w_.line(child);
        w_.check_attributes(child, {"nummer", "sha256"});
        if (const auto nummer = w_.required(child, "nummer")) {
          x_.vorige_nummer = whole_number(*nummer).value_or(0);
          if (x_.vorige_nummer <= 0) w_.report("wijziging.nummer", child, {}, {{"waarde", *nummer}});
        }
        x_.vorige_sha256 = sha256(child);
        w_.children(child, {}, false, [](std::size_t, pugi::xml_node) {});
        return;
      case 2:
        r_.opgesteld(child, x_.opgesteld);
        return;
      case 3:
        x_.toelichting = r_.required_text(child, {});
        return;
      default:
        ++changes;
        x_.soort = static_cast<WijzigingSoort>(index - 4);
        x_.soort_line = w_.line(child);
        change(index - 4, child);
        return;
    }
  });
  if (changes != 1 && !w_.overflowed()) {
    w_.report("wijziging.soort", node, {}, {{"aantal", std::to_string(changes)}});
    if (changes > 1) x_.soort.reset();
  }
}

void WijzigingReader::change(std::size_t index, pugi::xml_node node) {
  switch (static_cast<WijzigingSoort>(index)) {
    case WijzigingSoort::toetreding: {
      w_.check_attributes(node, {});
      static constexpr std::array<ChildSpec, 1> kPartner{{{"partner", 1, 1}}};
      w_.children(node, kPartner, false, [&](std::size_t, pugi::xml_node p) {
        r_.partner(p);
        x_.partner = std::move(scratch_.partners.back());
        x_.partner_id = x_.partner->id;
      });
      return;
    }
    case WijzigingSoort::uittreding: {
      w_.check_attributes(node, {"partner", "laatsteDag"});
      x_.partner_id = partner_ref(node);
      x_.laatste_dag = r_.date(node, "laatsteDag", true);
      static constexpr std::array<ChildSpec, 1> kReden{{{"reden", 1, 1}}};
      w_.children(node, kReden, false,
                  [&](std::size_t, pugi::xml_node r) { x_.reden = r_.required_text(r, x_.partner_id); });
      return;
    }
    case WijzigingSoort::vervanging: {
      w_.check_attributes(node, {"partner", "vertrekt"});
      x_.partner_id = partner_ref(node);
      if (const auto vertrekt = w_.required(node, "vertrekt")) {
        x_.vertrekt = *vertrekt;
        if (!valid_id(*vertrekt)) w_.report("id.ongeldig", node, {}, {{"waarde", *vertrekt}});
      }
      static constexpr std::array<ChildSpec, 1> kOpvolger{{{"tekenbevoegde", 1, 1}}};
      w_.children(node, kOpvolger, false,
                  [&](std::size_t, pugi::xml_node t) { x_.opvolger = r_.tekenbevoegde(t, x_.partner_id); });
      return;
    }
    case WijzigingSoort::bijdrage: {
      w_.check_attributes(node, {"partner", "geld", "uren"});
      x_.partner_id = partner_ref(node);
      Bijdrage b;
      b.line = w_.line(node);
      b.taken = r_.required_text(node, x_.partner_id);
      b.geld = node.attribute("geld") ? r_.euros(node, "geld", x_.partner_id) : Cents{0};
      b.uren = r_.uren(node, x_.partner_id);
      x_.bijdrage = std::move(b);
      return;
    }
  }
}

}  // namespace

namespace detail {
void read_schema(Walker& walker, pugi::xml_node root, Agreement& agreement) {
  AgreementReader(walker, agreement).root(root);
}
void read_wijziging_schema(Walker& walker, pugi::xml_node root, Wijziging& wijziging) {
  WijzigingReader(walker, wijziging).root(root);
}
}  // namespace detail

}  // namespace sto
