// The agreement: what a penvoerder writes in agreement.xml, as plain C++ values.
//
// Format: docs/agreement-format.md (our reference, written from shared/spec/agreement-xml.md).
// The reader checks the *format* (well-formed UTF-8 XML, the right namespace, known elements in
// the right order, required attributes, values that parse: dates, euro amounts, ids, enums).
// The *regulation's* rules (partner counts, co-financing, identifier patterns, ...) are checked
// downstream by sto/rules.h, which needs the model this reader builds.
//
// Every entity keeps the 1-based source line of its element so findings can point at it.
// A value the reader could not read (missing or malformed, reported as a finding) is left empty
// or std::nullopt; when validation reports no errors, every required value is present.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sto/diagnostics.h"

namespace sto {

// Euro amounts, exact: integer cents, never floating point.
using Cents = std::int64_t;

// "4200000.00" -> 420000000. Accepts digits with at most 2 decimals after a dot and at most 12
// digits before it; no sign, no thousands separators, no comma. std::nullopt otherwise.
std::optional<Cents> parse_euros(std::string_view text);

// 420000000 -> "4200000.00" (machine form, as in the XML).
std::string format_euros_plain(Cents cents);

// 420000000 -> "4.200.000,00" (Dutch form, as printed for people).
std::string format_euros_nl(Cents cents);

struct Date {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  auto operator<=>(const Date&) const = default;
  std::string iso() const;  // "2028-12-31"
};

// Strict ISO date "YYYY-MM-DD" that exists in the calendar; std::nullopt otherwise.
std::optional<Date> parse_date(std::string_view text);

// A text value together with the line of the element it came from.
struct Located {
  std::string value;
  int line = 0;
};

enum class PartnerSoort : std::uint8_t { vmbo, mbo, po, vso, pro, hbo, wo, bedrijf, overheid, overig };
enum class Hoedanigheid : std::uint8_t { bestuur, directeur, kvk, gemachtigde };
enum class RegioSoort : std::uint8_t { techniekregio, techniekluw };
enum class DocumentSoort : std::uint8_t { regiovisie, activiteitenplan, begroting };

// The XML spelling of each enum value ("vmbo", "gemachtigde", ...), and back.
std::string_view to_string(PartnerSoort soort);
std::string_view to_string(Hoedanigheid hoedanigheid);
std::string_view to_string(RegioSoort soort);
std::string_view to_string(DocumentSoort soort);
std::optional<PartnerSoort> parse_partner_soort(std::string_view text);
std::optional<Hoedanigheid> parse_hoedanigheid(std::string_view text);
std::optional<RegioSoort> parse_regio_soort(std::string_view text);
std::optional<DocumentSoort> parse_document_soort(std::string_view text);

// vmbo, mbo, po, vso, pro, hbo and wo are schools: they have a BRIN and a bevoegd gezag.
bool is_school(PartnerSoort soort);

struct Regeling {
  std::string naam;  // selects the regulation's rule data (templates/regelingen)
  std::optional<Date> begin;
  std::optional<Date> einde;
  int line = 0;
};

struct Regio {
  std::string nummer;
  std::string naam;
  std::optional<RegioSoort> soort;
  std::optional<Cents> subsidie;   // subsidy requested for the whole period
  std::optional<Cents> begroting;  // subsidiable part of the budget; base of co-financing
  int line = 0;
};

struct Looptijd {
  std::optional<Date> einde;
  bool verlenging = false;  // partners may extend it
  int line = 0;
};

struct Opgesteld {
  std::optional<Date> datum;  // also the PDF's creation date
  std::string plaats;
  int line = 0;
};

struct Verwijzing {  // a document the agreement refers to
  std::optional<DocumentSoort> soort;
  std::string titel;
  std::optional<Date> datum;
  std::string sha256;  // lower-case hex, empty when not given
  int line = 0;
};

struct BevoegdGezag {
  std::string naam;
  std::string nummer;
  int line = 0;
};

struct Adres {
  std::string straat;
  std::string postcode;  // as written; the space is optional on input
  std::string plaats;
  int line = 0;
};

struct Bijdrage {
  std::string taken;  // tasks and responsibilities
  // geld and uren are optional in the XML, meaning 0; std::nullopt only when unreadable.
  std::optional<Cents> geld;
  std::optional<std::int64_t> uren;
  int line = 0;
};

struct Tekenbevoegde {
  std::string id;
  std::string naam;
  std::string functie;
  std::optional<Hoedanigheid> hoedanigheid;
  std::string machtiging;  // reference of the written mandate; empty when none
  std::string email;
  int line = 0;
};

struct Partner {
  std::string id;
  std::optional<PartnerSoort> soort;
  bool penvoerder = false;
  Located naam;
  std::optional<Located> brin;
  std::optional<Located> vestigingsnummer;
  std::optional<BevoegdGezag> bevoegd_gezag;
  std::optional<Located> kvk;
  std::optional<Adres> adres;
  std::optional<Bijdrage> bijdrage;
  std::vector<Tekenbevoegde> tekenbevoegden;
  int line = 0;
};

// An item of an afspraak: a paragraph, or a list of items.
struct Alinea {
  std::string tekst;               // set for a paragraph <p>
  std::vector<std::string> items;  // set for a list <lijst>
  bool is_lijst = false;
  int line = 0;
};

struct Afspraak {
  std::string titel;
  std::vector<Alinea> alineas;
  int line = 0;
};

struct Agreement {
  std::string source;      // file name as given, for findings
  std::string xml_sha256;  // SHA-256 of the file's bytes, lower-case hex: binds paper to data
  std::string kenmerk;
  std::int64_t versie = 0;
  Taal taal = Taal::nl;
  Regeling regeling;
  Regio regio;
  Looptijd looptijd;
  Opgesteld opgesteld;
  std::vector<Verwijzing> verwijzingen;
  std::vector<Partner> partners;
  std::vector<Afspraak> afspraken;
  int partners_line = 0;      // line of <partners>; 0 when the element is missing
  int verwijzingen_line = 0;  // line of <verwijzingen>; 0 when the element is missing
};

inline constexpr std::size_t kMaxAgreementBytes = 16u * 1024u * 1024u;

struct ReadResult {
  Agreement agreement;
  Findings findings;  // format findings, in document order
  // False when the bytes were not XML we could read at all, or reading stopped at kMaxFindings:
  // then the model is incomplete and the regulation's rules must not be checked against it.
  bool parsed = false;
};

// Reads an agreement from bytes. `source` names the file in findings. Never throws for bad
// input: not UTF-8, not well-formed, a DOCTYPE, over kMaxAgreementBytes, wrong namespace,
// unknown elements, ... each become findings.
ReadResult read_agreement(std::string_view bytes, std::string source);

// Reads the file at `path` (refusing more than kMaxAgreementBytes before reading them).
// Throws sto::Error when the file cannot be opened or read.
ReadResult read_agreement_file(const std::filesystem::path& path);

// --- Amendments: wijziging.xml (format: docs/amendment-format.md) -------------------------------
//
// A change to a completed agreement during the subsidy period, signed by the parties it concerns
// and the penvoerder: it names the agreement (kenmerk, versie, SHA-256 of the signed contract)
// and the amendment before it, and makes exactly one change. The same reader reads it, with the
// same findings by line; its `partner` and `tekenbevoegde` elements are the agreement's own.
enum class WijzigingSoort : std::uint8_t { toetreding, uittreding, vervanging, bijdrage };
std::string_view to_string(WijzigingSoort soort);
std::optional<WijzigingSoort> parse_wijziging_soort(std::string_view text);

struct Wijziging {
  std::string source;       // file name as given, for findings
  std::string xml_sha256;   // SHA-256 of the file's bytes: printed on every page
  std::int64_t nummer = 0;  // 1, 2, ...: the amendments of one agreement in order
  Taal taal = Taal::nl;
  int line = 0;  // of the root element
  // The agreement it changes: its kenmerk and versie, and the SHA-256 of its completed signed PDF.
  std::string kenmerk;
  std::int64_t versie = 0;
  std::string overeenkomst_sha256;
  int overeenkomst_line = 0;
  // The amendment before it (nummer - 1) and the SHA-256 of its signed PDF; 0 and empty for the first.
  std::int64_t vorige_nummer = 0;
  std::string vorige_sha256;
  int vorige_line = 0;
  Opgesteld opgesteld;
  std::string toelichting;  // why, as printed; empty when none
  std::optional<WijzigingSoort> soort;
  int soort_line = 0;  // of the change's element
  // toetreding: the joining partner, complete. The others name a partner in force.
  std::optional<Partner> partner;
  std::string partner_id;
  // uittreding
  std::string reden;
  std::optional<Date> laatste_dag;
  // vervanging: the tekenbevoegde who leaves (id), and who replaces them
  std::string vertrekt;
  std::optional<Tekenbevoegde> opvolger;
  // bijdrage: the partner's new bijdrage
  std::optional<Bijdrage> bijdrage;
};

struct WijzigingRead {
  Wijziging wijziging;
  Findings findings;
  bool parsed = false;  // as ReadResult::parsed
};

// Reads an amendment from bytes (same limits and findings as read_agreement). Never throws for
// bad input.
WijzigingRead read_wijziging(std::string_view bytes, std::string source);
WijzigingRead read_wijziging_file(const std::filesystem::path& path);

// What a file holds, from its root element alone: "samenwerkingsovereenkomst", "wijziging", or
// empty when it is neither (the readers then say why).
std::string document_kind(std::string_view bytes);

// An amendment in its context (sto/rules.h prepare_wijziging makes it): the agreement as in force
// before and after the change, and the document that is rendered and signed.
struct Wijzigingsstuk {
  Wijziging wijziging;
  Agreement voor;  // the partner list in force before the change
  Agreement na;    // ... and after it
  // What is rendered and signed: the base's kenmerk, versie, regeling and regio; the amendment's
  // opgesteld, taal and xml_sha256; as partners only those who sign, each with only the
  // tekenbevoegden who sign (the penvoerder's and the parties concerned, or everyone).
  Agreement document;
  bool iedereen = false;  // every partner in force signs (the regulation says so for this soort)
};

}  // namespace sto
