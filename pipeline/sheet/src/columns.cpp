// The partner sheet's columns: their headers, the names import recognises, and the sheet
// export writes.
#include "columns.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "sto/atomic_file.h"

namespace sto {

const std::vector<PartnerColumn>& partner_columns() {
  static const std::vector<PartnerColumn> columns = {
      {"id", "Partner-id",
       "Korte code van de partner, uniek in de overeenkomst: een letter, dan letters, cijfers, - of _ (p01)."},
      {"soort", "Soort", "vmbo, mbo, po, vso, pro, hbo, wo (scholen), bedrijf, overheid of overig (keuzelijst)."},
      {"penvoerder", "Penvoerder",
       "ja bij precies één partner: de school die de subsidie aanvraagt; anders leeg of nee."},
      {"naam", "Naam partner", "De naam van de partner zoals hij in de overeenkomst komt (verplicht)."},
      {"brin", "BRIN", "Scholen: twee cijfers en twee hoofdletters (20AB). Als tekst, zodat een voorloopnul blijft."},
      {"vestigingsnummer", "Vestigingsnummer", "Scholen: twee cijfers (00). Als tekst."},
      {"bevoegd_gezag", "Bevoegd gezag", "Scholen: de naam van het bevoegd gezag (de stichting)."},
      {"bevoegd_gezag_nummer", "Bevoegd-gezagnummer",
       "Scholen: het nummer van het bevoegd gezag, meestal vijf cijfers. Als tekst."},
      {"kvk", "KvK-nummer",
       "Acht cijfers; verplicht voor bedrijf, overheid en overig. Als tekst, zodat een voorloopnul blijft."},
      {"straat", "Straat en huisnummer", "Verplicht voor bedrijf, overheid en overig."},
      {"postcode", "Postcode", "Vier cijfers en twee hoofdletters (2902 AA)."},
      {"plaats", "Plaats", "De vestigingsplaats."},
      {"geld", "Bijdrage geld (euro)",
       "De financiële bijdrage in euro, met punt of zonder decimalen (1500.00); leeg is 0."},
      {"uren", "Bijdrage uren", "De bijdrage in uren, een heel getal; leeg is 0."},
      {"bijdrage", "Taken en verantwoordelijkheden",
       "Wat de partner doet en waarvoor hij verantwoordelijk is (verplicht)."},
      {"tekenbevoegde_id", "Tekenbevoegde-id", "Korte code van de tekenbevoegde, uniek in de overeenkomst (s01)."},
      {"tekenbevoegde_naam", "Naam tekenbevoegde", "Zoals de tekenbevoegde de naam bij het ondertekenen typt."},
      {"functie", "Functie", "Wordt onder de handtekening gedrukt."},
      {"hoedanigheid", "Hoedanigheid",
       "bestuur, directeur, kvk (ingeschreven als tekenbevoegd) of gemachtigde (keuzelijst)."},
      {"machtiging", "Machtiging", "Alleen bij gemachtigde: het kenmerk van de schriftelijke machtiging."},
      {"email", "E-mailadres", "Het adres waar de persoonlijke ondertekenlink heen gaat."},
  };
  return columns;
}

namespace detail {

namespace {

std::string squeezed(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == ' ' || c == '-' || c == '_' || c == '.' || c == ':' || c == '\t') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Other names a person may give a column, squeezed.
constexpr std::array<std::pair<std::string_view, int>, 38> kAliases = {{
    {"id", kId},
    {"partner", kNaam},
    {"partnernaam", kNaam},
    {"naam", kNaam},
    {"organisatie", kNaam},
    {"brinnummer", kBrin},
    {"brincode", kBrin},
    {"vestiging", kVestigingsnummer},
    {"bevoegdgezagnaam", kBevoegdGezag},
    {"naambevoegdgezag", kBevoegdGezag},
    {"bestuur", kBevoegdGezag},
    {"bevoegdgezagnr", kBevoegdGezagNummer},
    {"bgnummer", kBevoegdGezagNummer},
    {"kvk", kKvk},
    {"kvknr", kKvk},
    {"kamervankoophandel", kKvk},
    {"adres", kStraat},
    {"straat", kStraat},
    {"vestigingsplaats", kPlaats},
    {"woonplaats", kPlaats},
    {"geld", kGeld},
    {"bijdragegeld", kGeld},
    {"bedrag", kGeld},
    {"euro", kGeld},
    {"uren", kUren},
    {"taken", kBijdrage},
    {"bijdrage", kBijdrage},
    {"takenenverantwoordelijkheid", kBijdrage},
    {"idtekenbevoegde", kTekenbevoegdeId},
    {"tekenbevoegde", kTekenbevoegdeNaam},
    {"ondertekenaar", kTekenbevoegdeNaam},
    {"naamondertekenaar", kTekenbevoegdeNaam},
    {"email", kEmail},
    {"mail", kEmail},
    {"emailtekenbevoegde", kEmail},
    {"mailadres", kEmail},
    {"machtigingskenmerk", kMachtiging},
    {"rol", kHoedanigheid},
}};

}  // namespace

bool is_code_column(int c) {
  return c == kBrin || c == kVestigingsnummer || c == kBevoegdGezagNummer || c == kKvk || c == kPostcode;
}

std::optional<int> column_named(std::string_view header) {
  const std::string name = squeezed(header);
  if (name.empty()) return std::nullopt;
  const auto& columns = partner_columns();
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (squeezed(columns[c].header) == name || squeezed(columns[c].key) == name) return static_cast<int>(c);
  }
  for (const auto& [alias, column] : kAliases) {
    if (alias == name) return column;
  }
  return std::nullopt;
}

SheetToWrite partner_sheet(const Agreement* agreement) {
  SheetToWrite sheet;
  sheet.name = "Partners";
  sheet.explanation_title =
      "Toelichting: één rij per tekenbevoegde; de gegevens van de partner op de eerste rij van "
      "die partner. Lees het blad in met: sto partners import BLAD --into OVEREENKOMST.xml";
  for (std::size_t c = 0; c < partner_columns().size(); ++c) {
    ColumnSpec spec;
    spec.header = std::string(partner_columns()[c].header);
    spec.explanation = std::string(partner_columns()[c].explanation);
    spec.code = is_code_column(static_cast<int>(c));
    if (c == kSoort) spec.choices = {"vmbo", "mbo", "po", "vso", "pro", "hbo", "wo", "bedrijf", "overheid", "overig"};
    if (c == kHoedanigheid) spec.choices = {"bestuur", "directeur", "kvk", "gemachtigde"};
    if (c == kPenvoerder) spec.choices = {"ja", "nee"};
    spec.width = c == kNaam || c == kBijdrage || c == kBevoegdGezag ? 36 : c == kEmail || c == kStraat ? 28 : 16;
    sheet.columns.push_back(std::move(spec));
  }
  if (agreement == nullptr) return sheet;
  for (const Partner& p : agreement->partners) {
    std::vector<std::string> first(kColumnCount);
    first[kId] = p.id;
    first[kSoort] = p.soort ? std::string(to_string(*p.soort)) : "";
    first[kPenvoerder] = p.penvoerder ? "ja" : "";
    first[kNaam] = p.naam.value;
    if (p.brin) first[kBrin] = p.brin->value;
    if (p.vestigingsnummer) first[kVestigingsnummer] = p.vestigingsnummer->value;
    if (p.bevoegd_gezag) {
      first[kBevoegdGezag] = p.bevoegd_gezag->naam;
      first[kBevoegdGezagNummer] = p.bevoegd_gezag->nummer;
    }
    if (p.kvk) first[kKvk] = p.kvk->value;
    if (p.adres) {
      first[kStraat] = p.adres->straat;
      first[kPostcode] = p.adres->postcode;
      first[kPlaats] = p.adres->plaats;
    }
    if (p.bijdrage) {
      if (p.bijdrage->geld) first[kGeld] = format_euros_plain(*p.bijdrage->geld);
      if (p.bijdrage->uren) first[kUren] = std::to_string(*p.bijdrage->uren);
      first[kBijdrage] = p.bijdrage->taken;
    }
    bool partner_row = true;
    for (const Tekenbevoegde& t : p.tekenbevoegden) {
      std::vector<std::string> row = partner_row ? first : std::vector<std::string>(kColumnCount);
      partner_row = false;
      row[kTekenbevoegdeId] = t.id;
      row[kTekenbevoegdeNaam] = t.naam;
      row[kFunctie] = t.functie;
      row[kHoedanigheid] = t.hoedanigheid ? std::string(to_string(*t.hoedanigheid)) : "";
      row[kMachtiging] = t.machtiging;
      row[kEmail] = t.email;
      sheet.rows.push_back(std::move(row));
    }
    if (partner_row) sheet.rows.push_back(std::move(first));  // a partner without tekenbevoegden
  }
  return sheet;
}

namespace {

std::string sheet_bytes(const SheetToWrite& sheet, const std::filesystem::path& path) {
  switch (sheet_format(path)) {
    case SheetFormat::xlsx:
      return write_xlsx(sheet);
    case SheetFormat::ods:
      return write_ods(sheet);
    case SheetFormat::csv:
      return write_csv(sheet);
  }
  return {};
}

}  // namespace

}  // namespace detail

void export_partner_sheet(const Agreement& agreement, const std::filesystem::path& path) {
  const detail::SheetToWrite sheet = detail::partner_sheet(&agreement);
  write_file_atomically(path, detail::sheet_bytes(sheet, path));
}

void write_empty_partner_sheet(const std::filesystem::path& path) {
  const detail::SheetToWrite sheet = detail::partner_sheet(nullptr);
  write_file_atomically(path, detail::sheet_bytes(sheet, path));
}

}  // namespace sto
