// Private to pipeline/sheet: a spreadsheet file as cells (reading: xlsx.cpp, ods.cpp, csv.cpp)
// and as rows to write (writing: xlsx_writer.cpp, ods_writer.cpp, csv_writer.cpp). What the
// cells mean — the partner list — is partners.cpp's business, not the readers' and writers'.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sto/diagnostics.h"

namespace sto::detail {

enum class SheetFormat : std::uint8_t { xlsx, ods, csv };

// One cell as the file stores it.
struct Cell {
  enum class Kind : std::uint8_t {
    empty,    // no value (also a cell covered by a merge)
    text,     // a string (shared, inline or literal); `text` as stored, not trimmed
    number,   // a number; `text` is its shortest decimal form: "1234567", "1500.5", never an exponent
              // for magnitudes below 1e15
    date,     // a number shown as a date (xlsx: a date number format; ods: office:date-value);
              // `text` is "YYYY-MM-DD" (or "YYYY-MM-DDTHH:MM:SS" when it has a time)
    boolean,  // `text` is "TRUE" or "FALSE"
    error,    // a formula error such as #N/A; `text` is the error as shown
  };
  Kind kind = Kind::empty;
  std::string text;
  double number = 0;  // for number (and the serial value of a date in xlsx)
};

// A row that has at least one non-empty cell. `cells[c]` is column c (0 = A); trailing empty
// cells are dropped, so cells.size() may be less than the sheet's width.
struct SheetRow {
  int number = 0;  // 1-based, as the spreadsheet shows it
  std::vector<Cell> cells;
};

struct Sheet {
  std::string name;
  std::vector<SheetRow> rows;  // ascending by number; empty rows are not listed
};

struct Workbook {
  SheetFormat format = SheetFormat::xlsx;
  std::vector<Sheet> sheets;  // in the workbook's order (a CSV file is one sheet named after
                              // the file's stem)
};

// Limits that keep a hostile file cheap: exceeding one is a SheetError, never a partial read.
inline constexpr std::size_t kMaxSheetFileBytes = 32u * 1024 * 1024;       // the file itself
inline constexpr std::size_t kMaxSheetPartBytes = 64u * 1024 * 1024;       // one zip entry, inflated
inline constexpr std::size_t kMaxSheetInflatedBytes = 128u * 1024 * 1024;  // all entries read, inflated
inline constexpr int kMaxSheetRows = 20'000;                               // rows with content, all sheets
inline constexpr int kMaxSheetColumns = 256;
inline constexpr std::size_t kMaxCellBytes = 32u * 1024;

// A file that is not a spreadsheet we can read: a legacy .xls, an encrypted (password) workbook,
// a broken zip or XML, a limit exceeded. The message is a plain Dutch sentence for the
// penvoerder, without the file name (the caller adds it). Exit code 1 (bad input).
class SheetError : public Error {
 public:
  using Error::Error;
};

// The format by the file name's extension (case-insensitive): .xlsx, .ods, .csv. Throws
// SheetError for any other, naming the three.
SheetFormat sheet_format(const std::filesystem::path& path);

// Reads a workbook from its bytes. Never throws anything but SheetError for bad input
// (std::bad_alloc aside); never reads more than the limits above. `stem` names a CSV's sheet.
Workbook read_xlsx(std::string_view bytes);
Workbook read_ods(std::string_view bytes);
// CSV: UTF-8 with or without BOM, else Windows-1252 (converted to UTF-8); ',' or ';' as the
// separator (whichever the first line has more of outside quotes); RFC 4180 quoting; CR LF,
// LF or CR line ends. Every cell is text (a CSV has no types).
Workbook read_csv(std::string_view bytes, const std::string& stem);
// Reads the file (refusing more than kMaxSheetFileBytes before reading it) in the format its
// name says. Throws SheetError for bad input, sto::Error when the file cannot be read.
Workbook read_workbook(const std::filesystem::path& path);

// "A1" style name of a cell: column 0-based, row 1-based ("I57").
std::string cell_name(int column, int row);

// --- writing ---

// One column of a sheet to write.
struct ColumnSpec {
  std::string header;                // the header cell's text (row 1)
  std::string explanation;           // the "Toelichting" sheet's line for this column (Dutch)
  bool code = false;                 // stored as text whatever it looks like (BRIN, KvK, postcode)
  std::vector<std::string> choices;  // not empty: a drop-down list with exactly these values
  double width = 14;                 // in characters
};

// What to write: the first sheet `name` with a header row and `rows` (each row's cells as text,
// in column order; an empty string is an empty cell), and for xlsx and ods a second sheet
// "Toelichting" with, per column, its header and explanation. A cell of a column that is not a
// code and whose text is a plain decimal number ("1500.00", "1600") is written as a number in
// xlsx and ods, everything else as text. Deterministic: the same input gives the same bytes
// (no time stamps from the clock).
struct SheetToWrite {
  std::string name = "Partners";
  std::vector<ColumnSpec> columns;
  std::vector<std::vector<std::string>> rows;
  std::string explanation_title;  // first line of the Toelichting sheet
};

// What the xlsx and ods writers share: drop-downs on rows 2 to kLastDropDownRow (room for a
// region's partners and tekenbevoegden without validating every row the program has), the
// message for a value not in the list, and the Toelichting's two column widths in characters.
inline constexpr int kLastDropDownRow = 1000;
inline constexpr const char* kDropDownErrorTitle = "Keuzelijst";
inline constexpr const char* kDropDownErrorMessage = "Kies een waarde uit de lijst.";
inline constexpr double kToelichtingTermWidth = 30;
inline constexpr double kToelichtingTextWidth = 90;

// Whether xlsx and ods write `text` in `column` as a number: not a code, and a plain decimal
// ("1500.00", "1600", "-2.5") with no leading zero ("0612345678" would lose it), no exponent and
// at most 15 digits, so that a double holds it exactly and the spreadsheet shows what was written.
inline bool written_as_number(const ColumnSpec& column, std::string_view text) {
  if (column.code) return false;
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  const auto digits = [](std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; };
  if (whole.empty() || !digits(whole) || (whole.size() > 1 && whole.front() == '0')) return false;
  if (point != std::string_view::npos && (fraction.empty() || !digits(fraction))) return false;
  return whole.size() + fraction.size() <= 15;
}

std::string write_xlsx(const SheetToWrite& sheet);  // the file's bytes (libxlsxwriter)
std::string write_ods(const SheetToWrite& sheet);   // the file's bytes (Poco::Zip + XML)
std::string write_csv(const SheetToWrite& sheet);   // UTF-8 with BOM, ';'-separated, CR LF: what
                                                    // Dutch Excel reads without an import dialog

}  // namespace sto::detail
