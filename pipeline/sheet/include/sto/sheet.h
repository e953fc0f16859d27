// The partner list as a spreadsheet: the sheet the penvoerder keeps and mails around, written
// from an agreement (export) and read back into one (import), with every finding about a value
// from the sheet located by its cell ("partners.xlsx:Partners!I57").
//
// The sheet (docs/partner-sheet.md): a first sheet "Partners" with a header row of Dutch column
// names (partner_columns()) and one row per tekenbevoegde; the partner's columns stand on the
// first row of each partner (later rows may leave them empty, repeat them or be merged cells).
// Files: .xlsx (Excel, LibreOffice, Google Sheets), .ods, and .csv (UTF-8 with or without BOM,
// or Windows-1252; ',' or ';'). In .xlsx and .ods export writes codes as text cells, drop-down
// lists for soort and hoedanigheid, and a second sheet "Toelichting" explaining every column.
//
// Import is tolerant where a person would be and says so: columns are found by their header
// (renamed within reason, reordered, extra columns a warning), trivial corrections (spaces, case
// of a BRIN or postcode) are warnings, and what a spreadsheet did to a value (a code that became
// a number and lost its leading zero, a date) is an error that says what happened. The imported
// partners then go through the same reader and rules as `sto validate`.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sto/agreement.h"
#include "sto/diagnostics.h"
#include "sto/rules.h"

namespace sto {

// One column of the partner sheet.
struct PartnerColumn {
  std::string_view key;          // stable, in the JSON of findings' arguments: "kvk", "email", ...
  std::string_view header;       // the header export writes: "KvK-nummer"
  std::string_view explanation;  // the Toelichting sheet's sentence
};
// Every column, in the order export writes them.
const std::vector<PartnerColumn>& partner_columns();

// Writes the partners of `agreement` (a valid one) to `path`: .xlsx, .ods or .csv by its
// extension, written atomically (temporary file, fsync, rename). Throws sto::Error for another
// extension or when the file cannot be written.
void export_partner_sheet(const Agreement& agreement, const std::filesystem::path& path);

// The sheet with its header, drop-downs and Toelichting but no partners (`sto new`).
void write_empty_partner_sheet(const std::filesystem::path& path);

struct PartnerImport {
  // The agreement with its <partners> replaced by the sheet's, every other byte as it was;
  // empty when the sheet could not be read at all.
  std::string agreement_xml;
  // The sheet's own findings and the validation of the result, in one list: findings about a
  // value from the sheet name `sheet_source`, the sheet and the cell; the others name
  // `agreement_source` and their line in the original file (whole-list rules, such as the
  // number of po schools, name the sheet's file without a cell).
  Validation validation;
};

// Reads the partner sheet at `sheet_path` (the sheet named "Partners", else the first) into
// `agreement_xml`, replacing its <partners>, and validates the result exactly as `sto
// validate` would. Bad sheets (a legacy .xls, a password, a zip bomb, too many rows, ...) are
// a finding "blad.onleesbaar", never an exception; an agreement that is not XML with one
// <partners> element gets its own findings (agreement_xml then stays empty). Throws sto::Error
// when a file cannot be read. `also`, when given, checks the validation further before its
// findings are located (sto validate's font check, sto/render.h check_printable, gets the
// result's XML): its findings by line name cells too.
PartnerImport import_partner_sheet(const std::filesystem::path& sheet_path, const std::string& sheet_source,
                                   std::string_view agreement_xml, const std::string& agreement_source,
                                   const std::vector<RuleSet>& rule_sets,
                                   const std::function<void(Validation&, std::string_view agreement_xml)>& also = {});

}  // namespace sto
