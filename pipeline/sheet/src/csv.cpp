// read_csv: a CSV file as Excel ("CSV UTF-8" with BOM and ';' in a Dutch Windows, plain "CSV"
// in Windows-1252), LibreOffice Calc and Google Sheets (UTF-8, ',') save it; and what all three
// readers share with their callers: sheet_format, read_workbook, cell_name.
#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "reading.h"
#include "sto/utf8.h"
#include "workbook.h"

namespace sto::detail {
namespace {

// Windows-1252's bytes 0x80..0x9F (WHATWG Encoding Standard, index windows-1252); the five it
// leaves undefined map to the C1 control of the same number, as Windows itself does. Bytes
// 0xA0..0xFF are Latin-1, the same code point.
constexpr std::array<char16_t, 32> kWindows1252High = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                                       0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                                       0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                                       0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

std::string windows_1252_to_utf8(std::string_view bytes) {
  std::string text;
  text.reserve(bytes.size() + bytes.size() / 8);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      text += c;
    } else if (byte < 0xA0) {
      text += encode_utf8(kWindows1252High.at(byte - 0x80u));
    } else {
      text += encode_utf8(byte);
    }
  }
  return text;
}

// The file's text in UTF-8: UTF-8 with or without a BOM, else Windows-1252 (what Excel's plain
// "CSV" is in a Dutch Windows). Refuses what is no CSV text at all.
std::string csv_text(std::string_view bytes) {
  if (bytes.size() > kMaxSheetFileBytes) refuse("het bestand is groter dan " + megabytes(kMaxSheetFileBytes));
  if (bytes.starts_with(kCompoundFileMagic)) refuse(std::string(kLegacyOrEncrypted));
  if (bytes.starts_with("PK\x03\x04")) {
    refuse("het bestand is geen CSV-tekst maar een zip-archief (een .xlsx of .ods?): geef het de juiste extensie");
  }
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    refuse("het bestand is in UTF-16 opgeslagen (Unicode-tekst): sla het op als CSV UTF-8");
  }
  if (bytes.find('\0') != std::string_view::npos) refuse("het bestand bevat nul-bytes: het is geen CSV-tekst");
  if (bytes.starts_with("\xEF\xBB\xBF")) {
    bytes.remove_prefix(3);
    if (!is_utf8(bytes)) refuse("het bestand begint als UTF-8 (met BOM) maar is geen geldige UTF-8");
    return std::string(bytes);
  }
  return is_utf8(bytes) ? std::string(bytes) : windows_1252_to_utf8(bytes);
}

// ';' when the first record has more of them than ',' outside quotes (Excel in a Dutch
// Windows), else ','.
char separator_of(std::string_view text) {
  std::size_t commas = 0;
  std::size_t semicolons = 0;
  bool quoted = false;
  for (const char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    commas += c == ',';
    semicolons += c == ';';
  }
  return semicolons > commas ? ';' : ',';
}

// RFC 4180 records: a field that starts with '"' runs to the next lone '"' ("" is one quote) and
// may hold separators and line breaks (CR LF and CR become "\n"); what follows the closing
// quote up to the separator is kept, as Excel keeps it. Records end at CR LF, LF or CR.
class CsvParser {
 public:
  CsvParser(std::string_view text, WorkbookBuilder& book) : text_(text), separator_(separator_of(text)), book_(book) {}

  void parse() {
    std::int64_t row = 0;
    while (at_ < text_.size()) {
      book_.begin_row(++row);
      std::int64_t column = 0;
      for (bool more = true; more; ++column) {
        std::string field;
        more = read_field(field, column, row);
        book_.put(column, Cell{Cell::Kind::text, std::move(field), 0});
      }
      book_.end_row();
    }
  }

 private:
  // Reads one field into `field`; returns whether another field of the same record follows.
  bool read_field(std::string& field, std::int64_t column, std::int64_t row) {
    if (at_ < text_.size() && text_[at_] == '"') {
      const std::size_t opened = at_++;
      for (;;) {
        if (at_ >= text_.size()) {
          refuse("een aanhalingsteken (\") in rij " + std::to_string(row) + " wordt niet afgesloten (begin op byte " +
                 std::to_string(opened) + ")");
        }
        const char c = text_[at_++];
        if (c == '"') {
          if (at_ < text_.size() && text_[at_] == '"') {
            field += '"';
            ++at_;
          } else {
            break;
          }
        } else if (c == '\r') {
          if (at_ < text_.size() && text_[at_] == '\n') ++at_;
          field += '\n';
        } else {
          field += c;
        }
        if (field.size() > kMaxCellBytes) book_.too_long(column);
      }
    }
    while (at_ < text_.size()) {
      const char c = text_[at_++];
      if (c == separator_) return true;
      if (c == '\n') return false;
      if (c == '\r') {
        if (at_ < text_.size() && text_[at_] == '\n') ++at_;
        return false;
      }
      field += c;
      if (field.size() > kMaxCellBytes) book_.too_long(column);
    }
    return false;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  char separator_;
  WorkbookBuilder& book_;
};

std::string lowercase(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

Workbook read_csv(std::string_view bytes, const std::string& stem) {
  const std::string text = csv_text(bytes);
  WorkbookBuilder book(SheetFormat::csv);
  book.begin_sheet(is_utf8(stem) ? stem : "CSV");
  CsvParser(text, book).parse();
  return std::move(book).finish();
}

SheetFormat sheet_format(const std::filesystem::path& path) {
  const std::string extension = lowercase(path.extension().string());
  if (extension == ".xlsx") return SheetFormat::xlsx;
  if (extension == ".ods") return SheetFormat::ods;
  if (extension == ".csv") return SheetFormat::csv;
  if (extension == ".xls") {
    refuse("een oud .xls-bestand wordt niet gelezen: sla het op als .xlsx (Excel-werkmap), .ods of .csv");
  }
  const std::string named = extension.empty() ? "zonder extensie" : cited(extension);
  refuse("een bestand " + named + " wordt niet gelezen: gebruik .xlsx, .ods of .csv");
}

Workbook read_workbook(const std::filesystem::path& path) {
  const SheetFormat format = sheet_format(path);
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw Error("kan " + path.string() + " niet lezen: " + error.message());
  if (size > kMaxSheetFileBytes) refuse("het bestand is groter dan " + megabytes(kMaxSheetFileBytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("kan " + path.string() + " niet openen");
  // The file may grow after its size was asked: one byte more than that is read, and a file
  // past the limit then is refused all the same.
  std::string bytes(static_cast<std::size_t>(size) + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) throw Error("kan " + path.string() + " niet lezen");
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (bytes.size() > kMaxSheetFileBytes) refuse("het bestand is groter dan " + megabytes(kMaxSheetFileBytes));
  switch (format) {
    case SheetFormat::xlsx:
      return read_xlsx(bytes);
    case SheetFormat::ods:
      return read_ods(bytes);
    case SheetFormat::csv:
      break;
  }
  return read_csv(bytes, path.stem().string());
}

std::string cell_name(int column, int row) {
  std::string letters;
  for (int n = std::max(column, 0) + 1; n > 0; n = (n - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return letters + std::to_string(row);
}

}  // namespace sto::detail
