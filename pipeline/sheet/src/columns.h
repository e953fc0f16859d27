// Private to pipeline/sheet: the partner sheet's columns (columns.cpp) as import and export use
// them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sto/sheet.h"
#include "workbook.h"

namespace sto::detail {

// The columns by position in partner_columns().
enum Column : int {
  kId,
  kSoort,
  kPenvoerder,
  kNaam,
  kBrin,
  kVestigingsnummer,
  kBevoegdGezag,
  kBevoegdGezagNummer,
  kKvk,
  kStraat,
  kPostcode,
  kPlaats,
  kGeld,
  kUren,
  kBijdrage,
  kTekenbevoegdeId,
  kTekenbevoegdeNaam,
  kFunctie,
  kHoedanigheid,
  kMachtiging,
  kEmail,
  kColumnCount,
};

// The partner's own columns are kId .. kBijdrage; the tekenbevoegde's kTekenbevoegdeId .. kEmail.
inline bool is_partner_column(int c) { return c <= kBijdrage; }

// A code column: a value a spreadsheet must keep as text (BRIN, vestigingsnummer, bevoegd-
// gezagnummer, KvK, postcode).
bool is_code_column(int c);

// The column a header cell names: export's header, or a name a person would give it (case,
// spaces, '-', '_', '.' and ':' ignored; "KvK", "kvk-nummer", "E-mailadres", "Naam partner").
std::optional<int> column_named(std::string_view header);

// The sheet as export writes it: header, Toelichting, and for `agreement` one row per
// tekenbevoegde (none when null).
SheetToWrite partner_sheet(const Agreement* agreement);

}  // namespace sto::detail
