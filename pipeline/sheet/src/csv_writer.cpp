// Writing a sheet as CSV the way Dutch Excel opens it without an import dialog: UTF-8 with a BOM
// (without it Excel reads Windows-1252), ';' between cells (Excel's list separator in the Dutch
// locale, where ',' is the decimal comma), CR LF after every row, RFC 4180 quoting.
//
// A CSV has no types: a spreadsheet decides what a cell is when it opens the file, and Excel
// turns a code such as KvK "01234567" into the number 1234567. No plain-CSV spelling keeps it
// text in every program (="01234567" is a formula to Excel and literal text to others), so codes
// are written as they are; the importer reports a code that lost its leading zero.
// Nor are cells starting with '=', '+', '-' or '@' escaped against formula injection: a prefix
// would change the value import reads back, and the sheet holds the penvoerder's own data.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "workbook.h"

namespace sto::detail {

namespace {

// RFC 4180 quotes a cell holding the separator, a quote or a line break; a leading or trailing
// space is quoted too (Excel and LibreOffice may trim it otherwise), and so is ',' for a program
// that guesses the separator.
bool needs_quotes(std::string_view cell) {
  if (cell.empty()) return false;
  return cell.find_first_of(";,\"\r\n") != std::string_view::npos || cell.front() == ' ' || cell.back() == ' ';
}

void append_cell(std::string& out, std::string_view cell) {
  if (!needs_quotes(cell)) {
    out += cell;
    return;
  }
  out += '"';
  for (const char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_row(std::string& out, const std::vector<std::string>& cells, std::size_t width) {
  for (std::size_t c = 0; c < std::max(width, cells.size()); ++c) {
    if (c > 0) out += ';';
    if (c < cells.size()) append_cell(out, cells[c]);
  }
  out += "\r\n";
}

}  // namespace

std::string write_csv(const SheetToWrite& sheet) {
  std::string out = "\xEF\xBB\xBF";
  std::vector<std::string> header;
  for (const ColumnSpec& spec : sheet.columns) header.push_back(spec.header);
  // Every row as wide as the header, so that a program sees a rectangle.
  append_row(out, header, header.size());
  for (const std::vector<std::string>& row : sheet.rows) append_row(out, row, header.size());
  return out;
}

}  // namespace sto::detail
