// The sheet readers (pipeline/sheet/src: xlsx.cpp, ods.cpp, csv.cpp, zip.cpp): each file in
// tests/data/sheets (made by LibreOffice Calc, or by hand, with make.sh) read with its exact
// cells, and each way a file can be bad refused with its exact sentence.
#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "scratch.h"
#include "workbook.h"
#include "zip.h"

namespace sto::detail {
namespace {

const std::filesystem::path kData = std::filesystem::path(STO_SOURCE_DIR) / "tests/data/sheets";

std::string data(const std::string& name) { return test::slurp(kData / name); }

std::string_view kind_name(Cell::Kind kind) {
  switch (kind) {
    case Cell::Kind::empty:
      return "empty";
    case Cell::Kind::text:
      return "text";
    case Cell::Kind::number:
      return "number";
    case Cell::Kind::date:
      return "date";
    case Cell::Kind::boolean:
      return "boolean";
    case Cell::Kind::error:
      return "error";
  }
  return "?";
}

// A sheet as text a test compares whole: a line "row 7 (2 cells)" for each row, then a line
// 'B7 text "Regel"' for each non-empty cell (a line break in it shown as \n, a tab as \t), so row
// numbers, columns, kinds, texts and the trailing cells dropped are all asserted at once.
std::string lines_of(const Sheet& sheet) {
  const auto shown = [](const std::string& text) {
    std::string out;
    for (const char c : text) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out += c;
      }
    }
    return out;
  };
  std::string lines = "\n";
  for (const SheetRow& row : sheet.rows) {
    lines += "row " + std::to_string(row.number) + " (" + std::to_string(row.cells.size()) + " cells)\n";
    for (std::size_t c = 0; c < row.cells.size(); ++c) {
      const Cell& cell = row.cells[c];
      if (cell.kind == Cell::Kind::empty) continue;
      lines += cell_name(static_cast<int>(c), row.number) + " " + std::string(kind_name(cell.kind)) + " \"" +
               shown(cell.text) + "\"\n";
    }
  }
  return lines;
}

std::vector<std::string> names_of(const Workbook& book) {
  std::vector<std::string> names;
  for (const Sheet& sheet : book.sheets) names.push_back(sheet.name);
  return names;
}

// Runs f() and expects a SheetError (nothing else) whose message contains `text`.
template <typename F>
void expect_refused(F&& f, std::string_view text) {
  try {
    f();
    ADD_FAILURE() << "not refused; expected \"" << text << "\"";
  } catch (const SheetError& e) {
    EXPECT_NE(std::string_view(e.what()).find(text), std::string_view::npos) << e.what();
  }
}

// A stream of `size` zero bytes, made as it is read: the zip bomb's content never exists whole.
class Zeros : public std::streambuf {
 public:
  explicit Zeros(std::size_t size) : left_(size) {}

 protected:
  int_type underflow() override {
    if (left_ == 0) return traits_type::eof();
    const std::size_t n = std::min(left_, chunk_.size());
    left_ -= n;
    setg(chunk_.data(), chunk_.data(), chunk_.data() + n);
    return traits_type::to_int_type(chunk_[0]);
  }

 private:
  std::size_t left_;
  std::array<char, 1 << 16> chunk_{};
};

struct Part {
  std::string name;
  std::string content;
  std::size_t zeros = 0;  // when not 0: the content is this many zero bytes
};

// A zip of `parts`, made with Poco::Zip (sizes in the local headers, as Python and Excel write them).
std::string zip_of(const std::vector<Part>& parts) {
  std::ostringstream out;
  Poco::Zip::Compress compress(out, true);
  for (const Part& part : parts) {
    Zeros zeros(part.zeros);
    std::istringstream text(part.content);
    std::istream zero_stream(&zeros);
    std::istream& in = part.zeros != 0 ? zero_stream : static_cast<std::istream&>(text);
    compress.addFile(in, Poco::DateTime(2024, 9, 1), Poco::Path(part.name), Poco::Zip::ZipCommon::CM_DEFLATE,
                     Poco::Zip::ZipCommon::CL_SUPERFAST);
  }
  compress.close();
  return out.str();
}

// The parts of tests/data/sheets/src/inline (inline.xlsx), to be changed by a test and zipped.
std::map<std::string, std::string> inline_parts() {
  const std::filesystem::path folder = kData / "src/inline";
  std::map<std::string, std::string> parts;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) {
      parts[std::filesystem::relative(entry.path(), folder).generic_string()] = test::slurp(entry.path());
    }
  }
  return parts;
}

std::string xlsx_of(const std::map<std::string, std::string>& parts) {
  std::vector<Part> list;
  for (const auto& [name, content] : parts) list.push_back({name, content});
  return zip_of(list);
}

// inline.xlsx with its first sheet's part replaced by `sheet_data` in a worksheet.
std::string xlsx_with_sheet(const std::string& sheet_data) {
  auto parts = inline_parts();
  parts["xl/worksheets/sheet1.xml"] =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" +
      sheet_data + "</sheetData></worksheet>";
  return xlsx_of(parts);
}

// An .ods whose one table has `rows` (table:table-row elements).
std::string ods_with_rows(const std::string& rows) {
  return zip_of({{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
                 {"content.xml",
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
                  "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" "
                  "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:spreadsheet>"
                  "<table:table table:name=\"Blad1\">" +
                      rows + "</table:table></office:spreadsheet></office:body></office:document-content>"}});
}

// ---- files saved by LibreOffice Calc from src/partners.fods ----

const std::string kPartners = R"cells(
row 1 (8 cells)
A1 text "Naam"
B1 text "Soort"
C1 text "BRIN"
D1 text "KvK-nummer"
E1 text "Postcode"
F1 text "Bijdrage"
G1 text "Startdatum"
H1 text "Penvoerder"
row 2 (8 cells)
A2 text "Vakcollege Noord"
B2 text "vmbo"
C2 text "04AB"
E2 text "9712 AB"
F2 number "1500.5"
G2 date "2024-09-01"
H2 boolean "TRUE"
row 3 (8 cells)
A3 text "Bouwbedrijf De Vries B.V."
B3 text "bedrijf"
D3 number "1234567"
E3 text "0123 AB"
F3 number "1600"
G3 date "2024-09-01T13:45:00"
H3 boolean "FALSE"
row 6 (6 cells)
A6 text "Samenwerking Noord"
C6 number "0.1"
D6 number "-3.25"
E6 error "#DIV/0!"
F6 number "0.3"
row 7 (7 cells)
A7 text "Techniek  & Zo"
B7 text "Regel één\nRegel twee"
C7 text "Vet en gewoon"
D7 text "’s-Hertogenbosch é ë €"
E7 number "0.00001"
F7 number "1.23456789012346e+17"
G7 text " spatie ervoor en erna "
)cells";
const std::string kToelichting = R"cells(
row 1 (2 cells)
A1 text "Kolom"
B1 text "Uitleg"
row 2 (2 cells)
A2 text "BRIN"
B2 text "vier tekens, zoals 04AB"
)cells";

TEST(SheetRead, ReadsTheXlsxLibreOfficeSaved) {
  const Workbook book = read_workbook(kData / "partners.xlsx");
  EXPECT_EQ(book.format, SheetFormat::xlsx);
  EXPECT_EQ(names_of(book), (std::vector<std::string>{"Partners", "Toelichting"}));
  EXPECT_EQ(lines_of(book.sheets.at(0)), kPartners);
  EXPECT_EQ(lines_of(book.sheets.at(1)), kToelichting);
}

TEST(SheetRead, ReadsTheOdsLibreOfficeSavedWithTheSameCells) {
  const Workbook book = read_workbook(kData / "partners.ods");
  EXPECT_EQ(book.format, SheetFormat::ods);
  EXPECT_EQ(names_of(book), (std::vector<std::string>{"Partners", "Toelichting"}));
  EXPECT_EQ(lines_of(book.sheets.at(0)), kPartners);
  EXPECT_EQ(lines_of(book.sheets.at(1)), kToelichting);
}

TEST(SheetRead, ReadsTheCsvLibreOfficeSavedAsText) {
  const Workbook book = read_workbook(kData / "partners.csv");
  EXPECT_EQ(book.format, SheetFormat::csv);
  EXPECT_EQ(names_of(book), (std::vector<std::string>{"partners"}));
  EXPECT_EQ(lines_of(book.sheets.at(0)), R"cells(
row 1 (8 cells)
A1 text "Naam"
B1 text "Soort"
C1 text "BRIN"
D1 text "KvK-nummer"
E1 text "Postcode"
F1 text "Bijdrage"
G1 text "Startdatum"
H1 text "Penvoerder"
row 2 (8 cells)
A2 text "Vakcollege Noord"
B2 text "vmbo"
C2 text "04AB"
E2 text "9712 AB"
F2 text "1500.5"
G2 text "2024-09-01"
H2 text "TRUE"
row 3 (8 cells)
A3 text "Bouwbedrijf De Vries B.V."
B3 text "bedrijf"
D3 text "1234567"
E3 text "0123 AB"
F3 text "€ 1,600.00"
G3 text "01-09-2024 13:45"
H3 text "FALSE"
row 6 (6 cells)
A6 text "Samenwerking Noord"
C6 text "10%"
D6 text "-3.25"
E6 text "#DIV/0!"
F6 text "0.3"
row 7 (7 cells)
A7 text "Techniek  & Zo"
B7 text "Regel één\nRegel twee"
C7 text "Vet en gewoon"
D7 text "’s-Hertogenbosch é ë €"
E7 text "0.00001"
F7 text "1.23456789012346E+017"
G7 text " spatie ervoor en erna "
)cells");
}

TEST(SheetRead, NumberThatLostItsLeadingZeroReadsAsTheNumber) {
  const Workbook book = read_workbook(kData / "partners.xlsx");
  const Cell& kvk = book.sheets.at(0).rows.at(2).cells.at(3);  // D3: 01234567 typed as a number
  EXPECT_EQ(kvk.kind, Cell::Kind::number);
  EXPECT_EQ(kvk.text, "1234567");
  EXPECT_EQ(kvk.number, 1234567.0);
}

TEST(SheetRead, DateSerialReadsAsIsoDateWithItsSerial) {
  const Workbook book = read_workbook(kData / "partners.xlsx");
  const Cell& date = book.sheets.at(0).rows.at(1).cells.at(6);  // G2
  EXPECT_EQ(date.kind, Cell::Kind::date);
  EXPECT_EQ(date.text, "2024-09-01");
  EXPECT_EQ(date.number, 45536.0);
}

TEST(SheetRead, Date1904SystemCountsFrom1904) {
  const Workbook book = read_workbook(kData / "datum1904.xlsx");
  EXPECT_EQ(lines_of(book.sheets.at(0)), R"cells(
row 1 (2 cells)
A1 date "2024-09-01"
B1 number "44074"
)cells");
}

TEST(SheetRead, MergedCellInOdsCoversItsNeighbourAsEmpty) {
  const Workbook book = read_workbook(kData / "partners.ods");
  const SheetRow& row = book.sheets.at(0).rows.at(3);  // row 6: A6:B6 merged
  ASSERT_EQ(row.number, 6);
  EXPECT_EQ(row.cells.at(1).kind, Cell::Kind::empty);
}

TEST(SheetRead, OdsEmptyRowRepeatedToTheSheetsEndIsNotMaterialised) {
  // partners.ods ends its first sheet with an empty row repeated 1048559 times, as Calc saves it.
  const std::string bytes = data("partners.ods");
  ASSERT_NE(bytes.size(), 0u);
  const auto start = std::chrono::steady_clock::now();
  const Workbook book = read_ods(bytes);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(book.sheets.at(0).rows.size(), 5u);
  EXPECT_EQ(book.sheets.at(0).rows.back().number, 7);
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), 1000);
}

// ---- hand-made edge cases ----

TEST(SheetRead, XlsxWithInlineStringsAndWithoutReferences) {
  const Workbook book = read_workbook(kData / "inline.xlsx");
  EXPECT_EQ(names_of(book), (std::vector<std::string>{"Blad1", "Voorvoegsel"}));
  EXPECT_EQ(lines_of(book.sheets.at(0)), R"cells(
row 1 (3 cells)
A1 text "Naam"
B1 text "BRIN"
C1 text "KvK-nummer"
row 2 (3 cells)
A2 text "gedeeld"
B2 text "04AB"
C2 number "1234567"
row 5 (5 cells)
B5 text "formule"
C5 boolean "TRUE"
E5 error "#N/A"
row 6 (6 cells)
A6 date "2024-09-01"
B6 date "2024-09-01T12:00:00"
C6 number "12.5"
D6 number "7"
E6 date "2024-09-01"
F6 text " "
row 7 (2 cells)
A7 text "rijk opgemaakt"
B7 text "regel\r\ntwee en _x0041_"
row 9 (256 cells)
IV9 text "laatste kolom"
row 10 (4 cells)
A10 text "samengevoegd"
D10 number "0.1"
)cells");
}

TEST(SheetRead, XlsxSharedAndInlineStringsReadAlike) {
  const Workbook book = read_workbook(kData / "inline.xlsx");
  const auto& rows = book.sheets.at(0).rows;
  EXPECT_EQ(rows.at(1).cells.at(0).kind, Cell::Kind::text);  // A2: shared string
  EXPECT_EQ(rows.at(0).cells.at(0).kind, Cell::Kind::text);  // A1: inline string
  EXPECT_EQ(rows.at(1).cells.at(0).text, "gedeeld");
  EXPECT_EQ(rows.at(0).cells.at(0).text, "Naam");
}

TEST(SheetRead, XlsxMergedRangeEmptiesTheCellsItCovers) {
  // B10 holds "verborgen" in the file (Calc keeps a covered cell's value), but A10:C10 is merged.
  const Workbook book = read_workbook(kData / "inline.xlsx");
  const SheetRow& row = book.sheets.at(0).rows.back();
  ASSERT_EQ(row.number, 10);
  EXPECT_EQ(row.cells.at(1).kind, Cell::Kind::empty);
  EXPECT_EQ(row.cells.at(1).text, "");
}

TEST(SheetRead, XlsxWithPrefixedNamespaceAndAbsoluteTarget) {
  const Workbook book = read_workbook(kData / "inline.xlsx");
  EXPECT_EQ(lines_of(book.sheets.at(1)), R"cells(
row 1 (2 cells)
A1 text "met voorvoegsel"
B1 number "3"
)cells");
}

TEST(SheetRead, OdsTextFromParagraphsSpacesTabsAndSpans) {
  const Workbook book = read_workbook(kData / "tekst.ods");
  EXPECT_EQ(names_of(book), (std::vector<std::string>{"Tekst"}));
  EXPECT_EQ(lines_of(book.sheets.at(0)), R"cells(
row 1 (1 cells)
A1 text "Kop"
row 2 (8 cells)
A2 text "a   b\tc\nd"
B2 text "eerste\ntweede\n"
C2 text "veel witruimte wordt één spatie"
D2 text "rood blauw link"
E2 text "met opmerking"
F2 text "13:45:00"
G2 text "xy"
H2 text "zonder type"
row 3 (4 cells)
A3 number "7"
B3 number "7"
C3 number "7"
D3 text "samen"
row 4 (4 cells)
A4 number "7"
B4 number "7"
C4 number "7"
D4 text "samen"
)cells");
}

TEST(SheetRead, CsvGoogleSheetsStyleWithQuotesAndCommas) {
  const Workbook book = read_workbook(kData / "komma.csv");
  EXPECT_EQ(names_of(book), (std::vector<std::string>{"komma"}));
  EXPECT_EQ(lines_of(book.sheets.at(0)),
            R"cells(
row 1 (4 cells)
A1 text "Naam"
B1 text "BRIN"
C1 text "KvK-nummer"
D1 text "Opmerking"
row 2 (4 cells)
A2 text "Vakcollege Noord"
B2 text "04AB"
C2 text "01234567"
D2 text "Noord, Oost en West"
row 3 (4 cells)
A3 text "Bouwbedrijf "De Vries""
C3 text "1234567"
D3 text "regel één\nregel twee"
row 5 (1 cells)
A5 text "Lege regel hierboven"
row 7 (2 cells)
A7 text "Laatste"
B7 text "  spaties  "
)cells");
}

TEST(SheetRead, CsvDutchExcelWithBomAndSemicolons) {
  const Workbook book = read_workbook(kData / "puntkomma-bom.csv");
  EXPECT_EQ(lines_of(book.sheets.at(0)),
            R"cells(
row 1 (4 cells)
A1 text "Naam"
B1 text "Plaats"
C1 text "Bijdrage"
D1 text "Opmerking"
row 2 (4 cells)
A2 text "Vakcollege Noord"
B2 text "Groningen"
C2 text "1500,50"
D2 text "a;b"
row 3 (4 cells)
A3 text "Techniek & Zo"
B3 text "'s-Hertogenbosch"
D3 text "zei "ja""
row 5 (2 cells)
A5 text "Één"
B5 text "Zwolle"
)cells");
}

TEST(SheetRead, CsvInWindows1252IsConvertedToUtf8) {
  const Workbook book = read_workbook(kData / "windows-1252.csv");
  EXPECT_EQ(lines_of(book.sheets.at(0)),
            R"cells(
row 1 (3 cells)
A1 text "Naam"
B1 text "Plaats"
C1 text "Bedrag"
row 2 (3 cells)
A2 text "Café ’t Hoekje"
B2 text "Enschedé"
C2 text "€ 12,50"
row 3 (3 cells)
A3 text "Ëlla"
B3 text "Zoë"
C3 text "“citaat”"
)cells");
}

TEST(SheetRead, CsvSeparatorIsTheOneTheFirstRecordHasMoreOf) {
  // A tie is ','.
  EXPECT_EQ(lines_of(read_csv("a;b,c\n1;2,3\n", "x").sheets.at(0)),
            R"cells(
row 1 (2 cells)
A1 text "a;b"
B1 text "c"
row 2 (2 cells)
A2 text "1;2"
B2 text "3"
)cells");
  EXPECT_EQ(lines_of(read_csv("\"a,b\";c;d\n", "x").sheets.at(0)),
            R"cells(
row 1 (3 cells)
A1 text "a,b"
B1 text "c"
C1 text "d"
)cells");
  EXPECT_EQ(lines_of(read_csv("a;b,c,d\n", "x").sheets.at(0)),
            R"cells(
row 1 (3 cells)
A1 text "a;b"
B1 text "c"
C1 text "d"
)cells");
}

TEST(SheetRead, CsvQuotedFieldsKeepSeparatorsNewlinesAndDoubledQuotes) {
  EXPECT_EQ(lines_of(read_csv("\"a,b\",\"r1\r\nr2\",\"zei \"\"ja\"\"\"\r\n\"cr\rend\"\r", "x").sheets.at(0)),
            R"cells(
row 1 (3 cells)
A1 text "a,b"
B1 text "r1\nr2"
C1 text "zei "ja""
row 2 (1 cells)
A2 text "cr\nend"
)cells");
}

TEST(SheetRead, CsvLineEndsCrLfLfAndCr) {
  EXPECT_EQ(lines_of(read_csv("a\r\nb\nc\rd", "x").sheets.at(0)),
            R"cells(
row 1 (1 cells)
A1 text "a"
row 2 (1 cells)
A2 text "b"
row 3 (1 cells)
A3 text "c"
row 4 (1 cells)
A4 text "d"
)cells");
}

// ---- numbers and dates ----

// The cells of the first sheet of inline.xlsx with `sheet_data` as its rows.
std::string xlsx_cells(const std::string& sheet_data) {
  return lines_of(read_xlsx(xlsx_with_sheet(sheet_data)).sheets.at(0));
}

TEST(SheetRead, NumberTextIsTheShortestThatRoundTrips) {
  EXPECT_EQ(xlsx_cells("<row><c><v>1234567</v></c><c><v>1500.50</v></c><c><v>0.30000000000000004</v></c>"
                       "<c><v>1E-005</v></c><c><v> -3.25 </v></c><c><v>-0</v></c><c><v>999999999999999</v></c>"
                       "<c><v>1E+20</v></c></row>"),
            R"cells(
row 1 (8 cells)
A1 number "1234567"
B1 number "1500.5"
C1 number "0.30000000000000004"
D1 number "0.00001"
E1 number "-3.25"
F1 number "0"
G1 number "999999999999999"
H1 number "1e+20"
)cells");
}

TEST(SheetRead, SerialDatesFollowExcelsLeapYearBug) {
  // Style 1 of inline.xlsx is built-in format 14 (a date).
  EXPECT_EQ(xlsx_cells("<row><c s=\"1\"><v>1</v></c><c s=\"1\"><v>59</v></c><c s=\"1\"><v>60</v></c>"
                       "<c s=\"1\"><v>61</v></c><c s=\"1\"><v>45536.5729166667</v></c><c s=\"1\"><v>2958465</v></c>"
                       "<c s=\"1\"><v>2958466</v></c><c s=\"1\"><v>-1</v></c></row>"),
            R"cells(
row 1 (8 cells)
A1 date "1900-01-01"
B1 date "1900-02-28"
C1 date "1900-02-28"
D1 date "1900-03-01"
E1 date "2024-09-01T13:45:00"
F1 date "9999-12-31"
G1 number "2958466"
H1 number "-1"
)cells");
}

TEST(SheetRead, IsoDatesAreCheckedAndNormalised) {
  EXPECT_EQ(xlsx_cells("<row><c t=\"d\"><v>2024-09-01</v></c><c t=\"d\"><v>2024-09-01T13:45:00.6</v></c>"
                       "<c t=\"d\"><v>2024-12-31T23:59:59.9+01:00</v></c><c t=\"d\"><v>2024-02-29</v></c></row>"),
            R"cells(
row 1 (4 cells)
A1 date "2024-09-01"
B1 date "2024-09-01T13:45:01"
C1 date "2025-01-01"
D1 date "2024-02-29"
)cells");
  expect_refused([] { xlsx_cells("<row><c t=\"d\"><v>2023-02-29</v></c></row>"); },
                 "blad Blad1: cel A1 heeft een ongeldige datum \"2023-02-29\"");
}

TEST(SheetRead, CellNamesAreA1Style) {
  EXPECT_EQ(cell_name(8, 57), "I57");
  EXPECT_EQ(cell_name(25, 1), "Z1");
  EXPECT_EQ(cell_name(26, 1), "AA1");
  EXPECT_EQ(cell_name(255, 9), "IV9");
  EXPECT_EQ(cell_name(16383, 1048576), "XFD1048576");
}

TEST(SheetRead, FormatIsTheExtensionInAnyCase) {
  EXPECT_EQ(sheet_format("lijst.XLSX"), SheetFormat::xlsx);
  EXPECT_EQ(sheet_format("lijst.ods"), SheetFormat::ods);
  EXPECT_EQ(sheet_format("lijst.Csv"), SheetFormat::csv);
  expect_refused([] { sheet_format("lijst.txt"); },
                 "een bestand \".txt\" wordt niet gelezen: gebruik .xlsx, .ods of .csv");
  expect_refused([] { sheet_format("lijst.xls"); }, "een oud .xls-bestand wordt niet gelezen");
}

// ---- refused files ----

constexpr std::string_view kLegacy =
    "dit is een oud .xls-bestand of een met een wachtwoord beveiligd bestand: sla het op als .xlsx (Excel-werkmap) "
    "zonder wachtwoord";

TEST(SheetRead, RefusesLegacyXlsBytesInEveryReader) {
  const std::string xls = data("partners.xls");
  ASSERT_TRUE(xls.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"));
  expect_refused([&] { read_xlsx(xls); }, kLegacy);
  expect_refused([&] { read_ods(xls); }, kLegacy);
  expect_refused([&] { read_csv(xls, "x"); }, kLegacy);
}

TEST(SheetRead, RefusesPasswordProtectedOds) {
  expect_refused([] { read_workbook(kData / "beveiligd.ods"); },
                 "het bestand is met een wachtwoord beveiligd: sla het op zonder wachtwoord");
}

TEST(SheetRead, ZipBombStopsAtThePartLimit) {
  // 200 MB of zeros deflates to about 200 KB; the reader stops inflating at 64 MB.
  auto parts = inline_parts();
  std::vector<Part> list;
  for (const auto& [name, content] : parts) {
    if (name != "xl/worksheets/sheet1.xml") list.push_back({name, content});
  }
  list.push_back({"xl/worksheets/sheet1.xml", "", std::size_t{200} << 20});
  const std::string bomb = zip_of(list);
  EXPECT_LT(bomb.size(), std::size_t{1} << 20);
  expect_refused([&] { read_xlsx(bomb); },
                 "het bestand is uitgepakt te groot: xl/worksheets/sheet1.xml is meer dan 64 MB (een zip-bom?)");
}

TEST(SheetRead, ZipBombStopsAtTheTotalLimit) {
  // Every part read counts, the same one read again too (sheets may share a part).
  const std::string zip = zip_of({{"a", "", std::size_t{50} << 20}});
  ZipPackage package(zip, ".xlsx");
  EXPECT_EQ(package.read("a")->size(), std::size_t{50} << 20);
  EXPECT_EQ(package.read("a")->size(), std::size_t{50} << 20);
  expect_refused([&] { package.read("a"); }, "het bestand is uitgepakt te groot: samen meer dan 128 MB (een zip-bom?)");
}

TEST(SheetRead, RefusesMoreRowsThanTheLimit) {
  std::string csv;
  for (int i = 0; i <= kMaxSheetRows; ++i) csv += "x\n";
  expect_refused([&] { read_csv(csv, "x"); }, "het bestand heeft meer dan 20000 rijen met inhoud");
}

TEST(SheetRead, RefusesARepeatedOdsRowBeyondTheLimitWithoutListingIt) {
  expect_refused(
      [] {
        read_ods(
            ods_with_rows("<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell "
                          "office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>"));
      },
      "het bestand heeft meer dan 20000 rijen met inhoud");
}

TEST(SheetRead, RefusesARepeatedOdsCellBeyondTheColumnLimit) {
  expect_refused(
      [] {
        read_ods(
            ods_with_rows("<table:table-row><table:table-cell table:number-columns-repeated=\"300\" "
                          "office:value-type=\"float\" office:value=\"1\"/></table:table-row>"));
      },
      "meer dan 256 kolommen (blad Blad1, cel IW1)");
}

TEST(SheetRead, RefusesACellBeyondColumnIV) {
  expect_refused([] { read_xlsx(xlsx_with_sheet("<row r=\"3\"><c r=\"IW3\"><v>1</v></c></row>")); },
                 "meer dan 256 kolommen (blad Blad1, cel IW3)");
}

TEST(SheetRead, RefusesACellLongerThanTheLimit) {
  const std::string text(kMaxCellBytes + 1, 'x');
  expect_refused([&] { read_xlsx(xlsx_with_sheet("<row><c t=\"inlineStr\"><is><t>" + text + "</t></is></c></row>")); },
                 "een cel met meer dan 32768 tekens (blad Blad1, cel A1)");
  expect_refused([&] { read_csv("a," + text + "\n", "x"); }, "een cel met meer dan 32768 tekens (blad x, cel B1)");
}

TEST(SheetRead, RefusesDoctypeAndEntityInSheetXml) {
  expect_refused(
      [] {
        auto parts = inline_parts();
        parts["xl/worksheets/sheet1.xml"] =
            "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY e \"x\">]><worksheet><sheetData><row><c "
            "t=\"inlineStr\"><is><t>&e;</t></is></c></row></sheetData></worksheet>";
        read_xlsx(xlsx_of(parts));
      },
      "het bestand is geen geldige .xlsx (xl/worksheets/sheet1.xml heeft een <!DOCTYPE of <!ENTITY)");
}

TEST(SheetRead, RefusesBytesThatAreNoZip) {
  expect_refused([] { read_xlsx("Naam;BRIN\n"); }, "het bestand is geen geldige .xlsx (onleesbare zip)");
  expect_refused([] { read_ods(""); }, "het bestand is leeg");
}

TEST(SheetRead, RefusesAZipWithADamagedPart) {
  std::string bytes = data("partners.xlsx");
  // A few bytes inside the deflated data of the first sheet (LibreOffice writes its local header
  // with no extra field, so the data starts right after the name).
  const std::size_t name = bytes.find("xl/worksheets/sheet1.xml");
  ASSERT_NE(name, std::string::npos);
  for (std::size_t i = 40; i < 48; ++i) bytes[name + i] = static_cast<char>(bytes[name + i] ^ 0x5A);
  expect_refused([&] { read_xlsx(bytes); },
                 "het bestand is geen geldige .xlsx (onleesbare zip: xl/worksheets/sheet1.xml is beschadigd)");
}

TEST(SheetRead, RefusesATruncatedFile) {
  const std::string bytes = data("partners.xlsx");
  expect_refused([&] { read_xlsx(std::string_view(bytes).substr(0, bytes.size() / 2)); },
                 "het bestand is geen geldige .xlsx (onleesbare zip: het einde ontbreekt, het bestand is afgebroken)");
}

TEST(SheetRead, RefusesXmlThatIsNotUtf8) {
  expect_refused([] { read_xlsx(xlsx_with_sheet("<row><c t=\"inlineStr\"><is><t>caf\xE9</t></is></c></row>")); },
                 "het bestand is geen geldige .xlsx (xl/worksheets/sheet1.xml is geen geldige UTF-8)");
}

TEST(SheetRead, RefusesACharacterReferenceThatIsNoCharacter) {
  expect_refused([] { read_xlsx(xlsx_with_sheet("<row><c t=\"inlineStr\"><is><t>&#xD800;</t></is></c></row>")); },
                 "een cel met tekst die geen geldige UTF-8 is (blad Blad1, cel A1)");
}

TEST(SheetRead, RefusesAMissingSharedString) {
  expect_refused([] { read_xlsx(xlsx_with_sheet("<row r=\"4\"><c r=\"B4\" t=\"s\"><v>99</v></c></row>")); },
                 "het bestand is geen geldige .xlsx (blad Blad1: cel B4 verwijst naar gedeelde tekst \"99\", die niet "
                 "bestaat)");
}

TEST(SheetRead, RefusesRowsOutOfOrder) {
  expect_refused([] { read_xlsx(xlsx_with_sheet("<row r=\"5\"><c><v>1</v></c></row><row r=\"2\"/>")); },
                 "rij 2 staat niet op volgorde (blad Blad1)");
}

TEST(SheetRead, RefusesAnOdsUnderTheXlsxName) {
  expect_refused([] { read_xlsx(data("tekst.ods")); },
                 "dit is een OpenDocument-bestand (.ods) met de extensie .xlsx: geef het de extensie .ods");
  expect_refused([] { read_ods(data("inline.xlsx")); },
                 "dit is een Excel-bestand (.xlsx) met de extensie .ods: geef het de extensie .xlsx");
}

TEST(SheetRead, RefusesAnUnterminatedCsvQuote) {
  expect_refused([] { read_csv("a,\"b\nc\n", "x"); }, "een aanhalingsteken (\") in rij 1 wordt niet afgesloten");
}

TEST(SheetRead, RefusesUtf16Csv) {
  expect_refused(
      [] {
        read_csv(std::string("\xFF\xFE"
                             "a\0;\0",
                             6),
                 "x");
      },
      "het bestand is in UTF-16 opgeslagen (Unicode-tekst): sla het op als CSV UTF-8");
}

TEST(SheetRead, RefusesAFileLargerThanTheLimitBeforeReadingIt) {
  const std::string big(kMaxSheetFileBytes + 1, 'x');
  expect_refused([&] { read_csv(big, "x"); }, "het bestand is groter dan 32 MB");
  expect_refused([&] { read_xlsx(big); }, "het bestand is groter dan 32 MB");
}

TEST(SheetRead, UnreadableFileIsAnErrorNotASheetError) {
  try {
    read_workbook(kData / "bestaat-niet.xlsx");
    ADD_FAILURE() << "no error";
  } catch (const SheetError& e) {
    ADD_FAILURE() << "a SheetError: " << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string_view(e.what()).find("bestaat-niet.xlsx niet lezen"), std::string_view::npos) << e.what();
  }
}

}  // namespace
}  // namespace sto::detail
