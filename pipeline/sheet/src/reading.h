// Private to pipeline/sheet's readers (xlsx.cpp, ods.cpp, csv.cpp): what the three share.
//
// WorkbookBuilder is the one place where cells found in a file become a Workbook. It enforces
// workbook.h's limits as each cell arrives, before the cell costs memory, so a hostile file is
// refused early and never read in part. number_text and the date functions give the same text
// for the same value whichever format it came from.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "sto/utf8.h"
#include "workbook.h"

namespace sto::detail {

// Text materialised over the whole workbook. A repeated ods cell or row, or an xlsx shared string
// used in many cells, lets a small file name the same long text millions of times.
inline constexpr std::size_t kMaxWorkbookTextBytes = 64u * 1024 * 1024;
// The last row Excel and LibreOffice have; content further down is refused.
inline constexpr std::int64_t kMaxRowNumber = 1'048'576;
// Each sheet costs at least one part read from the zip; thousands would only be an attack.
inline constexpr std::size_t kMaxSheets = 1'000;

// What both an encrypted (password) OOXML file and a legacy .xls are: an OLE2 compound file.
inline constexpr std::string_view kCompoundFileMagic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
inline constexpr std::string_view kLegacyOrEncrypted =
    "dit is een oud .xls-bestand of een met een wachtwoord beveiligd bestand: sla het op als .xlsx "
    "(Excel-werkmap) zonder wachtwoord";
inline constexpr std::string_view kPasswordProtected =
    "het bestand is met een wachtwoord beveiligd: sla het op zonder wachtwoord";

[[noreturn]] inline void refuse(const std::string& sentence) { throw SheetError(sentence); }

inline std::string megabytes(std::size_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MB"; }

// `text` for a message: at most 40 bytes, cut between characters, in quotes.
inline std::string cited(std::string_view text) {
  const std::size_t keep = utf8_prefix(text, 40);
  return "\"" + std::string(text.substr(0, keep)) + (keep < text.size() ? "…\"" : "\"");
}

// Collects the sheets, rows and cells a reader finds, in file order: sheets one after the other,
// rows ascending within a sheet, cells ascending within a row. Empty cells and rows are never
// stored; a reader skips them by advancing its own counters.
class WorkbookBuilder {
 public:
  explicit WorkbookBuilder(SheetFormat format) { book_.format = format; }

  void begin_sheet(std::string name) {
    if (book_.sheets.size() >= kMaxSheets) {
      refuse("het bestand heeft meer dan " + std::to_string(kMaxSheets) + " bladen");
    }
    if (name.size() > kMaxCellBytes || !is_utf8(name)) refuse("een blad heeft een onleesbare naam");
    book_.sheets.push_back(Sheet{std::move(name), {}});
    previous_row_ = 0;
  }

  // Starts row `number` (1-based); each row's number is above the previous one's.
  void begin_row(std::int64_t number) {
    if (number <= previous_row_) {
      refuse("rij " + std::to_string(number) + " staat niet op volgorde (blad " + sheet().name + ")");
    }
    previous_row_ = number;
    row_number_ = number;
    next_column_ = 0;
    cells_.clear();
    row_text_ = 0;
  }

  // Puts `cell` in columns column .. column + repeat - 1 of the current row (repeat: ods's
  // table:number-columns-repeated). An empty cell, or text that is empty, is skipped.
  void put(std::int64_t column, Cell cell, std::int64_t repeat = 1) {
    if (cell.kind == Cell::Kind::empty || (cell.kind == Cell::Kind::text && cell.text.empty())) return;
    if (column < next_column_) refuse("cel " + cell_at(column) + " staat dubbel of niet op volgorde" + where_sheet());
    if (column + repeat > kMaxSheetColumns) {
      refuse("meer dan " + std::to_string(kMaxSheetColumns) + " kolommen" +
             where(std::max(column, std::int64_t{kMaxSheetColumns})));
    }
    if (cell.text.size() > kMaxCellBytes) too_long(column);
    if (!is_utf8(cell.text)) refuse("een cel met tekst die geen geldige UTF-8 is" + where(column));
    spend(cell.text.size(), repeat);
    row_text_ += cell.text.size() * static_cast<std::size_t>(repeat);
    cells_.resize(static_cast<std::size_t>(column));
    for (std::int64_t i = 1; i < repeat; ++i) cells_.push_back(cell);
    cells_.push_back(std::move(cell));
    next_column_ = column + repeat;
  }

  // Ends the current row, listing it `repeat` times (ods's table:number-rows-repeated) when it
  // has content.
  void end_row(std::int64_t repeat = 1) {
    if (cells_.empty()) return;
    if (row_number_ + repeat - 1 > kMaxRowNumber) {
      refuse("een cel voorbij rij " + std::to_string(kMaxRowNumber) + where(0));
    }
    if (repeat > kMaxSheetRows - rows_) {
      refuse("het bestand heeft meer dan " + std::to_string(kMaxSheetRows) + " rijen met inhoud");
    }
    spend(row_text_, repeat - 1);
    rows_ += static_cast<int>(repeat);
    auto& rows = sheet().rows;
    for (std::int64_t i = 0; i + 1 < repeat; ++i) rows.push_back(SheetRow{static_cast<int>(row_number_ + i), cells_});
    rows.push_back(SheetRow{static_cast<int>(row_number_ + repeat - 1), std::move(cells_)});
    cells_.clear();
    previous_row_ = row_number_ + repeat - 1;
  }

  // Refuses the current cell: longer than kMaxCellBytes.
  [[noreturn]] void too_long(std::int64_t column) const {
    refuse("een cel met meer dan " + std::to_string(kMaxCellBytes) + " tekens" + where(column));
  }

  // " (blad Partners, cel B7)": the current row's cell in `column`, for a message.
  std::string where(std::int64_t column) const { return " (blad " + sheet().name + ", cel " + cell_at(column) + ")"; }

  // "B7": the current row's cell in `column`.
  std::string cell_at(std::int64_t column) const {
    return cell_name(static_cast<int>(std::clamp<std::int64_t>(column, 0, 1 << 20)),
                     static_cast<int>(std::clamp<std::int64_t>(row_number_, 1, 1 << 30)));
  }

  Sheet& sheet() { return book_.sheets.back(); }
  const Sheet& sheet() const { return book_.sheets.back(); }

  Workbook finish() && { return std::move(book_); }

 private:
  std::string where_sheet() const { return " (blad " + sheet().name + ")"; }

  void spend(std::size_t bytes, std::int64_t times) {
    if (times <= 0 || bytes == 0) return;
    const std::size_t left = kMaxWorkbookTextBytes - text_;
    if (bytes > left / static_cast<std::size_t>(times)) {
      refuse("het bestand heeft meer dan " + megabytes(kMaxWorkbookTextBytes) + " tekst in zijn cellen");
    }
    text_ += bytes * static_cast<std::size_t>(times);
  }

  Workbook book_;
  std::vector<Cell> cells_;        // the current row's
  std::int64_t row_number_ = 0;    // the current row's
  std::int64_t previous_row_ = 0;  // the last row begun or listed in this sheet
  std::int64_t next_column_ = 0;   // the first column a cell of the current row may take
  std::size_t row_text_ = 0;       // text bytes in the current row
  int rows_ = 0;                   // rows listed, all sheets
  std::size_t text_ = 0;           // text bytes listed, all sheets
};

// A number written in a file (xlsx <v>, ods office:value): decimal, perhaps with an exponent
// ("1E-005"), surrounding XML white space allowed. std::nullopt unless finite.
inline std::optional<double> parse_number(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// The shortest decimal that reads back as `value` ("1234567", "1500.5", "0.1"), never with an
// exponent below 1e15 ("0.00001"); above it, the shortest form std::to_chars gives ("1e+20").
inline std::string number_text(double value) {
  if (value == 0) return "0";    // also -0
  std::array<char, 400> text{};  // fixed notation of the smallest double needs about 330
  const auto format = std::fabs(value) < 1e15 ? std::chars_format::fixed : std::chars_format::general;
  const auto [end, error] = std::to_chars(text.data(), text.data() + text.size(), value, format);
  if (error != std::errc{}) return "0";  // not reached: the buffer fits every double
  return std::string(text.data(), end);
}

// Days since 1970-01-01 of a civil date and back (H. Hinnant's algorithms, proleptic Gregorian).
inline std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SS" when `second_of_day` is not 0; std::nullopt outside the
// years 1..9999.
inline std::optional<std::string> date_time_text(std::int64_t days, std::int64_t second_of_day) {
  days += second_of_day / 86'400;
  second_of_day %= 86'400;
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const std::int64_t y = yoe + era * 400 + (m <= 2);
  if (y < 1 || y > 9999) return std::nullopt;
  std::array<char, 32> text{};
  int n = std::snprintf(text.data(), text.size(), "%04d-%02d-%02d", static_cast<int>(y), m, d);
  if (second_of_day != 0) {
    n += std::snprintf(text.data() + n, text.size() - static_cast<std::size_t>(n), "T%02d:%02d:%02d",
                       static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
                       static_cast<int>(second_of_day % 60));
  }
  return std::string(text.data(), static_cast<std::size_t>(n));
}

// The date of an xlsx serial number, to the nearest second. The 1900 system counts 1900-01-01
// as 1 and, after Lotus 1-2-3, has a 29 February 1900 (serial 60) that never was: serials from
// 61 on are one day ahead, and 60 reads as 1900-02-28 like 59. The 1904 system (workbookPr
// date1904, old Mac Excel) counts 1904-01-01 as 0. std::nullopt for a negative serial or one
// past 9999-12-31: Excel shows those as ####, not as a date.
inline std::optional<std::string> serial_date_text(double serial, bool date1904) {
  if (!(serial >= 0 && serial < 3'000'000)) return std::nullopt;
  const auto seconds = static_cast<std::int64_t>(std::llround(serial * 86'400));
  const std::int64_t day = seconds / 86'400;
  std::int64_t epoch = days_from_civil(1899, 12, 30);
  if (date1904) {
    epoch = days_from_civil(1904, 1, 1);
  } else if (day < 61) {
    epoch = days_from_civil(1899, 12, 31) - (day == 60 ? 1 : 0);
  }
  return date_time_text(epoch + day, seconds % 86'400);
}

// An ISO 8601 date or date-time as ods's office:date-value and xlsx's t="d" hold it:
// "2024-09-01", "2024-09-01T13:45:00", with an optional fraction of a second (rounded) and an
// optional zone ("Z", "+01:00", which is dropped: a spreadsheet's dates are local). Returns the
// same text as serial_date_text would; std::nullopt when `text` is not such a date.
inline std::optional<std::string> iso_date_text(std::string_view text) {
  std::size_t at = 0;
  const auto number = [&](std::size_t digits, int low, int high) -> std::optional<int> {
    if (text.size() - at < digits) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const char c = text[at + i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    at += digits;
    if (value < low || value > high) return std::nullopt;
    return value;
  };
  const auto literal = [&](char c) { return at < text.size() && text[at] == c ? (++at, true) : false; };
  const auto y = number(4, 1, 9999);
  if (!y || !literal('-')) return std::nullopt;
  const auto m = number(2, 1, 12);
  if (!m || !literal('-')) return std::nullopt;
  const auto d = number(2, 1, 31);
  if (!d) return std::nullopt;
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  if (*d > kDays.at(static_cast<std::size_t>(*m - 1)) || (*m == 2 && *d == 29 && !leap)) return std::nullopt;
  std::int64_t second = 0;
  if (literal('T')) {
    const auto hh = number(2, 0, 23);
    if (!hh || !literal(':')) return std::nullopt;
    const auto mm = number(2, 0, 59);
    if (!mm || !literal(':')) return std::nullopt;
    const auto ss = number(2, 0, 59);
    if (!ss) return std::nullopt;
    second = *hh * 3600 + *mm * 60 + *ss;
    if (literal('.') || literal(',')) {
      const std::size_t first = at;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
      if (at == first) return std::nullopt;
      if (text[first] >= '5') ++second;
    }
    if (!literal('Z') && (literal('+') || literal('-'))) {
      if (!number(2, 0, 23) || !literal(':') || !number(2, 0, 59)) return std::nullopt;
    }
  }
  if (at != text.size()) return std::nullopt;
  return date_time_text(days_from_civil(*y, *m, *d), second);
}

}  // namespace sto::detail
