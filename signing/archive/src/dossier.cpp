// The bewijsdossier as a Document for our own pipeline (template -> layout -> render), so it looks
// like the contract it reports on and is as reproducible: every text below comes from
// DossierData or is fixed here.
#include "dossier.h"

#include <array>
#include <set>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "sto/diagnostics.h"
#include "sto/layout.h"
#include "sto/render.h"
#include "sto/template.h"
#include "sto/utf8.h"

namespace sto::detail {

namespace {

// Text from outside the agreement: a user agent is whatever a browser (or an attacker) sent, a
// decline reason whatever a person typed, a detail whatever a mail server answered. Unlike a name
// in the agreement (validated, and a contract must never print it wrongly), such text must not
// stop the report: what the fonts cannot draw becomes U+FFFD (or '?', should the font lack it),
// line breaks and tabs become spaces, and the text is cut at kMaxOutsideText code points. The
// archive's audit.jsonl keeps every byte.
class OutsideText {
 public:
  static constexpr std::size_t kMaxOutsideText = 1000;

  explicit OutsideText(const PdfRenderer& renderer)
      : renderer_(renderer), replacement_(renderer.printable(U'\uFFFD') ? U'\uFFFD' : U'?') {}

  std::string operator()(std::string_view text) const {
    std::string out;
    std::size_t count = 0;
    for (const char32_t c : decode_utf8(text)) {
      if (++count > kMaxOutsideText) return out + " … (ingekort)";
      if (c == U'\t' || c == U'\n' || c == U'\r') {
        out += ' ';
      } else {
        // Control characters have no glyph to draw; some fonts map them to one anyway.
        const bool control = c < 0x20 || (c >= 0x7F && c < 0xA0);
        out += encode_utf8(control || !renderer_.printable(c) ? replacement_ : c);
      }
    }
    return out;
  }
  char32_t replacement() const { return replacement_; }

 private:
  const PdfRenderer& renderer_;
  char32_t replacement_;
};

DocumentInfo document_info(const DossierData& data) {
  // The export time is ISO 8601 UTC; its date is the PDF's creation date (never a clock).
  const auto created =
      data.exported.size() >= 10 ? parse_date(std::string_view(data.exported).substr(0, 10)) : std::optional<Date>{};
  if (!created) throw Error("bewijsdossier: exporttijd is geen ISO-datum: \"" + data.exported + "\"");
  DocumentInfo info;
  info.title = "Bewijsdossier " + data.kenmerk;
  info.subject = "Bewijsdossier van de samenwerkingsovereenkomst " + data.title + "; kenmerk " + data.kenmerk +
                 ", versie " + data.versie;
  info.author = "sto";
  info.created = *created;
  info.header = "Bewijsdossier " + data.regio + " · kenmerk " + data.kenmerk + " · versie " + data.versie;
  info.footer = "pagina {pagina} van {paginas}";
  info.fingerprint = "Contract-vingerafdruk (SHA-256 van contract.pdf): " + data.contract_sha256;
  // The labels of templates/nl/overeenkomst.xml: the installation's block reads like a contract's.
  info.label_naam = "Naam";
  info.label_functie = "Functie";
  info.label_hoedanigheid = "Hoedanigheid";
  info.label_machtiging = "Machtiging";
  info.label_datum = "Datum";
  info.label_handtekening = "Handtekening";
  info.label_ondertekend = "Digitaal ondertekend door";
  return info;
}

void add_agreement(Document& doc, const DossierData& data) {
  doc.blocks.emplace_back(Heading{1, "1.", "Overeenkomst"});
  const std::string effective =
      data.effective.empty() ? std::string("nog niet: niet alle partners zijn gebonden") : data.effective;
  doc.blocks.emplace_back(Fields{{
      {"Regio", data.regio},
      {"Kenmerk", data.kenmerk},
      {"Versie", data.versie},
      {"Titel", data.title},
      {"SHA-256 agreement.xml", data.agreement_sha256},
      {"SHA-256 ongetekend contract (revisie 0)", data.revision0_sha256},
      {"SHA-256 contract.pdf", data.contract_sha256},
      {"Grootte contract.pdf", std::to_string(data.contract_bytes) + " bytes"},
      {"Handtekeningen (revisies)", std::to_string(data.revisions)},
      {"Audit-keten: lengte", std::to_string(data.audit_length) + " gebeurtenissen"},
      {"Audit-keten: kop (SHA-256)", data.audit_head},
      {"CA-vingerafdruk (SHA-256)", data.ca_fingerprint},
  }});
  Fields& identity = std::get<Fields>(doc.blocks.back());
  // Every TSA whose tokens the archive holds (tsa.pem, taken from the tokens).
  for (const std::string& tsa : data.tsa_fingerprints) identity.rows.emplace_back("TSA-vingerafdruk (SHA-256)", tsa);
  identity.rows.insert(identity.rows.end(), {
                                                {"Datum van inwerkingtreding", effective},
                                                {"Oordeel", data.verdict},
                                                {"Geëxporteerd", data.exported},
                                                {"Opgesteld door", data.producer},
                                            });
  if (!data.audit_timestamps.empty()) {
    Fields stamps;
    for (const std::string& t : data.audit_timestamps) stamps.rows.emplace_back("Tijdstempel over de audit-keten", t);
    doc.blocks.emplace_back(std::move(stamps));
  }
  Fields files;
  for (const auto& [name, sha256] : data.files) files.rows.emplace_back("SHA-256 " + name, sha256);
  if (!files.rows.empty()) doc.blocks.emplace_back(std::move(files));
}

void add_partners(Document& doc, const DossierData& data) {
  doc.blocks.emplace_back(Heading{1, "2.", "Partners"});
  doc.blocks.emplace_back(Paragraph{
      "Een partner is gebonden zodra al zijn tekenbevoegden hebben ondertekend; de overeenkomst treedt in werking "
      "wanneer alle partners gebonden zijn."});
  Table table{{{"Partner", 0.5}, {"Rol", 0.28}, {"Gebonden", 0.22}}, {}, {}};
  std::size_t bound = 0;
  for (const DossierPartner& p : data.partners) {
    table.rows.push_back({p.naam, p.rol, p.bound ? "ja" : "nee"});
    if (p.bound) ++bound;
  }
  table.footer = {"Totaal: " + std::to_string(data.partners.size()) + " partners", "",
                  std::to_string(bound) + " van " + std::to_string(data.partners.size()) + " gebonden"};
  doc.blocks.emplace_back(std::move(table));
}

// The amendments, when the archive has any: what each changed, its hashes and its signatures.
void add_wijzigingen(Document& doc, const DossierData& data) {
  if (data.wijzigingen.empty()) return;
  doc.blocks.emplace_back(Heading{1, "", "Wijzigingen"});
  doc.blocks.emplace_back(Paragraph{
      "Na de inwerkingtreding is de overeenkomst gewijzigd met de volgende ondertekende wijzigingen, elk gebonden aan "
      "het ondertekende contract en aan de wijziging ervoor met hun SHA-256 (wijzigingen/<nummer>/ in het archief)."});
  for (const DossierWijziging& w : data.wijzigingen) {
    doc.blocks.emplace_back(Heading{2, "", "Wijziging " + w.nummer + ": " + w.soort});
    Fields fields;
    fields.rows = {{"Handtekeningen", w.verdict},
                   {"In werking sinds", w.effective.empty() ? "niet in werking" : w.effective},
                   {"SHA-256 wijziging.xml", w.xml_sha256},
                   {"SHA-256 ondertekende wijziging", w.pdf_sha256}};
    doc.blocks.emplace_back(std::move(fields));
    doc.blocks.emplace_back(ItemList{false, w.signatures});
  }
}

// The audit log's event names (sto/audit.h audit_event) in Dutch; an unknown one as it is.
std::string event_name(const std::string& event) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kNames{{
      {"opened", "ter ondertekening geopend"},
      {"invited", "uitgenodigd"},
      {"reminded", "herinnerd"},
      {"viewed", "bekeken"},
      {"pdf-downloaded", "pdf gedownload"},
      {"signed", "ondertekend"},
      {"declined", "geweigerd"},
      {"expired", "verlopen"},
      {"revoked", "ingetrokken"},
      {"mail-failed", "mail mislukt"},
      {"completed", "voltooid"},
      {"email-changed", "e-mailadres gewijzigd"},
      {"schedule-changed", "herinneringsschema gewijzigd"},
  }};
  for (const auto& [kind, name] : kNames) {
    if (event == kind) return std::string(name);
  }
  return event;
}

Table event_table(const std::vector<DossierEvent>& events, const OutsideText& outside) {
  // Widths for an ISO time with milliseconds on one line, and an IPv4 address.
  Table table{
      {{"Tijd (UTC)", 0.25}, {"Gebeurtenis", 0.15}, {"IP-adres", 0.16}, {"User agent / toelichting", 0.44}}, {}, {}};
  for (const DossierEvent& e : events) {
    std::string text = outside(e.user_agent);
    if (!e.detail.empty()) text += (text.empty() ? "" : " — ") + outside(e.detail);
    table.rows.push_back({e.time, event_name(e.event), outside(e.ip), std::move(text)});
  }
  return table;
}

void add_signatory(Document& doc, const DossierSignatory& s, const OutsideText& outside) {
  doc.blocks.emplace_back(Heading{2, "", s.naam + " — " + s.partner});
  Fields fields{{
      {"Functie", s.functie},
      {"Hoedanigheid", s.hoedanigheid},
      {"E-mail", s.email},
      {"Status", s.state},
  }};
  if (s.revision > 0) {
    fields.rows.insert(fields.rows.end(), {
                                              {"Revisie", std::to_string(s.revision)},
                                              {"SHA-256 revisie", s.revision_sha256},
                                              {"Certificaat", s.certificate_subject},
                                              {"SHA-256 certificaat", s.certificate_sha256},
                                              {"Tijd volgens handtekening (/M)", s.claimed_time},
                                              {"Tijdstempel (TSA)", s.timestamp},
                                          });
    fields.rows.emplace_back("Ondertekende audit-keten",
                             s.anchor.empty() ? std::string("geen (niet aan de audit-log gebonden)") : s.anchor);
  }
  doc.blocks.emplace_back(std::move(fields));
  if (s.events.empty()) {
    doc.blocks.emplace_back(Paragraph{"Geen gebeurtenissen in de audit-log.", ParagraphStyle::small});
  } else {
    doc.blocks.emplace_back(event_table(s.events, outside));
  }
}

void add_signatories(Document& doc, const DossierData& data, const OutsideText& outside) {
  doc.blocks.emplace_back(Heading{1, "3.", "Ondertekenaars"});
  doc.blocks.emplace_back(Paragraph{
      "Per tekenbevoegde, in de volgorde van het contract: de gegevens uit de overeenkomst, de handtekening als die "
      "er is, en de gebeurtenissen uit de audit-log. IP-adres en user agent zijn wat de verbinding en de browser "
      "meldden; tekens die het lettertype niet heeft, staan hier als " +
      encode_utf8(outside.replacement()) + ", de audit-log bewaart ze onverkort."});
  for (const DossierSignatory& s : data.signatories) add_signatory(doc, s, outside);
}

void add_eidas(Document& doc) {
  doc.blocks.emplace_back(Heading{1, "4.", "Hoe elke handtekening voldoet aan eIDAS artikel 26"});
  doc.blocks.emplace_back(Paragraph{
      "Artikel 26 van de eIDAS-verordening (EU) nr. 910/2014 stelt vier eisen aan een geavanceerde elektronische "
      "handtekening. Zo voldoet elke handtekening in contract.pdf eraan."});
  doc.blocks.emplace_back(Paragraph{
      "a) Op unieke wijze aan de ondertekenaar verbonden. Voor elke ondertekening maakt sto een nieuw sleutelpaar en "
      "een certificaat op naam van die ene tekenbevoegde uit de overeenkomst (CN: naam, title: functie, O: partner, "
      "en het e-mailadres). Het certificaat wordt pas uitgegeven nadat de tekenbevoegde de persoonlijke link heeft "
      "geopend (een geheim van 256 bits, alleen naar het eigen e-mailadres gestuurd) en de eigen naam heeft getypt. "
      "Direct na het ondertekenen wordt de private sleutel vernietigd."});
  doc.blocks.emplace_back(Paragraph{
      "b) Maakt het mogelijk de ondertekenaar te identificeren. Het certificaat noemt de tekenbevoegde zoals de "
      "overeenkomst die vermeldt; de audit-log legt vast hoe die persoon tot de handtekening kwam: de e-mail met de "
      "link, en bij elke stap het IP-adres, de user agent en de tijd (hoofdstuk 3)."});
  doc.blocks.emplace_back(Paragraph{
      "c) Aangemaakt met middelen die de ondertekenaar onder uitsluitende controle heeft. De link is alleen bekend "
      "aan wie de mailbox van de tekenbevoegde leest: sto bewaart er alleen de SHA-256-hash van, de link werkt één "
      "keer (ondertekenen of weigeren) en verloopt. De ondertekeningssleutel bestaat alleen in het geheugen, voor die "
      "ene handeling."});
  doc.blocks.emplace_back(Paragraph{
      "d) Zo aan de ondertekende gegevens verbonden dat elke latere wijziging ervan opspoorbaar is. Elke handtekening "
      "is een CAdES-handtekening over de byte-range van de hele revisie, met het attribuut ESS "
      "signing-certificate-v2 dat het certificaat vastlegt, en met een RFC 3161-tijdstempel over de "
      "handtekeningwaarde. De audit-log is een hash-keten waarvan de kop in dit dossier staat. Elke latere revisie "
      "mag alleen één nog leeg handtekeningveld vullen en verder niets veranderen; sto verify controleert dat."});
  doc.blocks.emplace_back(Paragraph{
      "Dit zijn geavanceerde elektronische handtekeningen (AdES), geen gekwalificeerde: de sleutels staan niet op "
      "een gekwalificeerd middel voor het aanmaken van elektronische handtekeningen (QSCD) en de certificaten zijn "
      "geen gekwalificeerde certificaten.",
      ParagraphStyle::bold});
}

void add_controle(Document& doc, const DossierData& data) {
  doc.blocks.emplace_back(Heading{1, "5.", "Controle"});
  doc.blocks.emplace_back(Paragraph{
      "Alles in dit dossier is na te rekenen uit de bestanden van het archief; README.txt in het archief beschrijft "
      "de stappen. Kort:"});
  doc.blocks.emplace_back(ItemList{
      false,
      {"Alles opnieuw (handtekeningen, tijdstempels, revisies, de audit-keten en dit dossier): sto verify MAP "
       "--ca-fingerprint " +
           data.ca_fingerprint,
       "Elke handtekening, los van sto: pdfsig contract.pdf (poppler), met ca.pem als vertrouwde CA.",
       "De CMS-handtekening van een revisie, los van sto: openssl cms -verify -cades, met ca.pem als vertrouwde CA."}});
  // The archive brings its own CA: only a fingerprint known from elsewhere makes it a trust anchor.
  doc.blocks.emplace_back(Paragraph{
      "De CA-vingerafdruk bewijst pas iets als u hem vergelijkt met een kopie die u langs een andere weg dan dit "
      "archief hebt gekregen, bijvoorbeeld van de penvoerder: wie een heel archief vervalst, kan ook een eigen CA "
      "meeleveren."});
}

// The one empty signature field, which the export signs. Its explanation ends "Controle" rather
// than heading a section of its own: a signature block moves whole to the next page when it does
// not fit, and a heading would stay behind alone.
void add_installation(Document& doc) {
  doc.blocks.emplace_back(Paragraph{
      "Bij de export ondertekent de installatie dit bewijsdossier in het handtekeningveld hierna, zoals een "
      "tekenbevoegde het contract (PAdES met tijdstempel). Revisie 0 van dit bestand, zonder die handtekening, bouwt "
      "sto verify opnieuw op uit het archief en vergelijkt het byte voor byte."});
  doc.blocks.emplace_back(
      SignatureBlock{"installatie",
                     "Installatie",
                     "sto",
                     {Signatory{kDossierField, "sto-installatie", "bewijsdossier", "installatie", ""}}});
}

}  // namespace

std::string render_dossier(const DossierData& data, const std::filesystem::path& templates_dir) {
  PdfRenderer renderer(templates_dir / "fonts");
  const OutsideText outside(renderer);
  Document doc;
  doc.info = document_info(data);
  doc.title = "Bewijsdossier";
  doc.subtitle = data.regio + " · kenmerk " + data.kenmerk + " · versie " + data.versie;
  doc.blocks.emplace_back(Paragraph{
      "Dit bewijsdossier is door sto opgesteld uit de bestanden van het archief: agreement.xml, contract.pdf, "
      "audit.jsonl, audit-tijdstempels.jsonl, ca.pem, tsa.pem, templates/ en manifest.json; het legt ook README.txt "
      "vast. Het vermeldt niets wat die bestanden niet bewijzen; tijden zijn UTC. Elke handtekening bevat de kop "
      "van de audit-keten zoals die vlak voor haar stond, en bij elke voltooiing zette de tijdstempeldienst een "
      "tijdstempel over de kop: zo is de audit-log gebonden aan wat alleen de sleutels van de installatie en de "
      "tijdstempeldienst kunnen maken."});
  add_agreement(doc, data);
  add_partners(doc, data);
  add_signatories(doc, data, outside);
  add_wijzigingen(doc, data);
  add_eidas(doc);
  add_controle(doc, data);
  add_installation(doc);

  return renderer.render(lay_out_printable(doc, renderer));
}

}  // namespace sto::detail
