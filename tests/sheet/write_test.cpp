// The spreadsheet writers (pipeline/sheet/src/*_writer.cpp): the bytes of each format, and what
// LibreOffice (soffice, an independent reader) reads back from them, cell for cell.
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "scratch.h"
#include "workbook.h"

namespace sto::detail {
namespace {

namespace fs = std::filesystem;
using Rows = std::vector<std::vector<std::string>>;

// Tricky values: a code with leading zeros, a postcode with a space, letters outside ASCII, an
// apostrophe and an ampersand, the CSV separator, a quote, a line break, spaces that ODF would
// collapse, a number with decimals, empty cells.
SheetToWrite sample() {
  SheetToWrite sheet;
  sheet.columns = {
      {"Naam partner", "De naam van de partner.", false, {}, 30},
      {"KvK-nummer", "Acht cijfers, als tekst.", true, {}, 14},
      {"Postcode", "Vier cijfers en twee letters.", true, {}, 10},
      {"Soort", "vmbo, mbo, po of bedrijf (keuzelijst).", false, {"vmbo", "mbo", "po", "bedrijf"}, 12},
      {"Bijdrage geld (euro)", "In euro, met punt.", false, {}, 14},
      {"Opmerking", "Vrij; \"wat u wilt\".", false, {}, 30},
  };
  sheet.rows = {
      {"Zoë Ünal-Bakker", "01234567", "2902 AA", "vmbo", "1500.00", "a;b"},
      {"Van 't Oever & Zn.", "00012345", "1011 AB", "bedrijf", "1600", "zegt \"ja\""},
      {" Stichting  Dubbel ", "", "", "mbo", "", "regel 1\nregel 2"},
  };
  sheet.explanation_title = "Toelichting: één rij per tekenbevoegde.";
  return sheet;
}

// What LibreOffice reads from the .xlsx and .ods: numbers as numbers (1500, not 1500.00), codes
// with their zeros, every space and the line break kept.
const Rows kPartnersRead = {
    {"Naam partner", "KvK-nummer", "Postcode", "Soort", "Bijdrage geld (euro)", "Opmerking"},
    {"Zoë Ünal-Bakker", "01234567", "2902 AA", "vmbo", "1500", "a;b"},
    {"Van 't Oever & Zn.", "00012345", "1011 AB", "bedrijf", "1600", "zegt \"ja\""},
    {" Stichting  Dubbel ", "", "", "mbo", "", "regel 1\nregel 2"},
};
const Rows kToelichtingRead = {
    {"Toelichting: één rij per tekenbevoegde.", ""},
    {"Naam partner", "De naam van de partner."},
    {"KvK-nummer", "Acht cijfers, als tekst."},
    {"Postcode", "Vier cijfers en twee letters."},
    {"Soort", "vmbo, mbo, po of bedrijf (keuzelijst)."},
    {"Bijdrage geld (euro)", "In euro, met punt."},
    {"Opmerking", "Vrij; \"wat u wilt\"."},
};

// --- reading what was written, independently of the module's own readers ---

// The entries of a zip file by name (Poco::Zip, not the module's zip.cpp).
std::map<std::string, std::string> zip_entries(const std::string& bytes) {
  std::istringstream in(bytes);
  const Poco::Zip::ZipArchive archive(in);
  std::map<std::string, std::string> entries;
  for (auto it = archive.headerBegin(); it != archive.headerEnd(); ++it) {
    if (it->second.isDirectory()) continue;
    std::istringstream again(bytes);
    Poco::Zip::ZipInputStream entry(again, it->second, true);
    entries[it->first] = std::string(std::istreambuf_iterator<char>(entry), std::istreambuf_iterator<char>());
  }
  return entries;
}

// Every entry's modification time, "YYYY-MM-DD HH:MM".
std::vector<std::string> zip_times(const std::string& bytes) {
  std::istringstream in(bytes);
  const Poco::Zip::ZipArchive archive(in);
  std::vector<std::string> times;
  for (auto it = archive.headerBegin(); it != archive.headerEnd(); ++it) {
    const Poco::DateTime t = it->second.lastModifiedAt();
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d", t.year(), t.month(), t.day(), t.hour(), t.minute());
    times.emplace_back(text);
  }
  return times;
}

std::uint32_t little_endian(const std::string& bytes, std::size_t at, int size) {
  std::uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = value << 8 | static_cast<unsigned char>(bytes.at(at + i));
  return value;
}

// The text between `before` and the next `after` from `from` on; empty when there is none.
std::string between(const std::string& text, const std::string& before, const std::string& after,
                    std::size_t from = 0) {
  const std::size_t start = text.find(before, from);
  if (start == std::string::npos) return {};
  const std::size_t end = text.find(after, start + before.size());
  return end == std::string::npos ? std::string() : text.substr(start + before.size(), end - start - before.size());
}

// The number format code of `cell` in an .xlsx: its style's <xf> in cellXfs, that xf's numFmtId,
// the numFmt's formatCode (only custom formats are looked up: LibreOffice declares all it uses).
std::string number_format(const std::string& styles, const std::string& sheet, const std::string& cell) {
  const std::string style = between(sheet, "<c r=\"" + cell + "\" s=\"", "\"");
  if (style.empty()) return "(no style)";
  std::size_t at = styles.find("<cellXfs");
  for (int i = 0; i <= std::stoi(style) && at != std::string::npos; ++i) at = styles.find("<xf ", at + 1);
  if (at == std::string::npos) return "(no xf)";
  const std::string id = between(styles, "numFmtId=\"", "\"", at);
  return between(styles, "<numFmt numFmtId=\"" + id + "\" formatCode=\"", "\"");
}

// RFC 4180 with ',' as LibreOffice writes it (LF or CR LF between rows).
Rows parse_csv(const std::string& text) {
  Rows rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      cell += c;
    }
  }
  if (!cell.empty() || !row.empty()) {
    row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

// --- LibreOffice ---

constexpr const char* kSoffice = "/usr/bin/soffice";

// LibreOffice 7.4's CSV export (filter "Text - txt - csv (StarCalc)"): ',' (44), '"' (34), UTF-8
// (76), from line 1, no column formats, language 0, quoted fields not forced to text, special
// numbers detected, the cell's value rather than as shown (1500, not 1500.00), no formulas, no
// trimming, and -1: every sheet, each to FILE-Sheet.csv.
constexpr const char* kCsvExport = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";

std::string shell_quoted(const std::string& arg) {
  std::string out = "'";
  for (const char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// LibreOffice's profile for this process, made on the first run and removed at exit.
const fs::path& profile() {
  struct Profile {
    fs::path path = fs::temp_directory_path() / ("sto-lo-" + std::to_string(::getpid()));
    ~Profile() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  };
  static const Profile p;
  return p.path;
}

// Runs soffice headless over `files` (several in one run: each run costs seconds) into `out`.
// Fails the test, not skips it, when LibreOffice is missing: it is the independent judge.
void soffice(const std::vector<std::string>& arguments, const std::vector<fs::path>& files, const fs::path& out) {
  ASSERT_TRUE(fs::exists(kSoffice)) << kSoffice << " is missing: install libreoffice-calc-nogui (.ci/deps)";
  std::string command = std::string("timeout 120 ") + kSoffice + " --headless --norestore" +
                        " -env:UserInstallation=file://" + profile().string();
  for (const std::string& a : arguments) command += " " + shell_quoted(a);
  command += " --outdir " + shell_quoted(out.string());
  for (const fs::path& f : files) command += " " + shell_quoted(f.string());
  const fs::path log = out / "soffice.log";
  const int status = std::system((command + " >" + shell_quoted(log.string()) + " 2>&1").c_str());
  ASSERT_EQ(status, 0) << command << "\n" << test::slurp(log);
}

Rows read_csv_file(const fs::path& path) {
  EXPECT_TRUE(fs::exists(path)) << path << " was not written";
  return parse_csv(test::slurp(path));
}

class SheetWriteTest : public test::ScratchTest {};

// --- CSV ---

TEST_F(SheetWriteTest, CsvIsUtf8WithBomSemicolonsCrLfAndQuotesOnlyWhereNeeded) {
  EXPECT_EQ(write_csv(sample()),
            "\xEF\xBB\xBF"
            "Naam partner;KvK-nummer;Postcode;Soort;Bijdrage geld (euro);Opmerking\r\n"
            "Zoë Ünal-Bakker;01234567;2902 AA;vmbo;1500.00;\"a;b\"\r\n"
            "Van 't Oever & Zn.;00012345;1011 AB;bedrijf;1600;\"zegt \"\"ja\"\"\"\r\n"
            "\" Stichting  Dubbel \";;;mbo;;\"regel 1\nregel 2\"\r\n");
}

TEST_F(SheetWriteTest, CsvQuotesCommasAndPadsShortRows) {
  SheetToWrite sheet;
  sheet.columns = {{"A", "", false, {}, 10}, {"B", "", false, {}, 10}, {"C", "", false, {}, 10}};
  sheet.rows = {{"Dam, Jan", "x\r\ny"}, {}, {"1", "2", "3", "4"}};
  EXPECT_EQ(write_csv(sheet),
            "\xEF\xBB\xBF"
            "A;B;C\r\n\"Dam, Jan\";\"x\r\ny\";\r\n;;\r\n1;2;3;4\r\n");
}

// --- numbers ---

TEST_F(SheetWriteTest, OnlyPlainDecimalsOutsideCodeColumnsAreNumbers) {
  const ColumnSpec plain;
  ColumnSpec code;
  code.code = true;
  for (const char* yes : {"1500.00", "1600", "-2.5", "0", "0.5", "123456789012345"}) {
    EXPECT_TRUE(written_as_number(plain, yes)) << yes;
  }
  for (const char* no : {"", "01234567", "00", "1e3", "1.500,00", "1500.", ".5", "-", "+5", " 5", "1 500",
                         "1234567890123456", "12345678901234.56", "0x10", "inf", "NaN"}) {
    EXPECT_FALSE(written_as_number(plain, no)) << no;
  }
  EXPECT_FALSE(written_as_number(code, "1600"));
}

// --- ODS ---

TEST_F(SheetWriteTest, OdsStartsWithTheMimetypeStoredWithoutExtraField) {
  const std::string ods = write_ods(sample());
  const std::string type = "application/vnd.oasis.opendocument.spreadsheet";
  ASSERT_GT(ods.size(), 30 + 8 + type.size());
  EXPECT_EQ(ods.substr(0, 4), "PK\x03\x04");
  EXPECT_EQ(little_endian(ods, 8, 2), 0u) << "compression method: stored";
  EXPECT_EQ(little_endian(ods, 18, 4), type.size()) << "compressed size";
  EXPECT_EQ(little_endian(ods, 22, 4), type.size()) << "uncompressed size";
  EXPECT_EQ(little_endian(ods, 26, 2), 8u) << "name length";
  EXPECT_EQ(little_endian(ods, 28, 2), 0u) << "extra field length";
  EXPECT_EQ(ods.substr(30, 8), "mimetype");
  EXPECT_EQ(ods.substr(38, type.size()), type);
}

TEST_F(SheetWriteTest, OdsHoldsManifestTypedCellsDropDownsAndEveryCharacter) {
  const auto entries = zip_entries(write_ods(sample()));
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_NE(entries.at("META-INF/manifest.xml").find(R"(manifest:full-path="content.xml")"), std::string::npos);
  EXPECT_NE(entries.at("styles.xml").find("<office:document-styles"), std::string::npos);
  const std::string& settings = entries.at("settings.xml");
  EXPECT_NE(settings.find(R"(<config:config-item-map-entry config:name="Partners">)"), std::string::npos);
  EXPECT_NE(settings.find(R"(<config:config-item config:name="VerticalSplitMode" config:type="short">2<)"),
            std::string::npos);
  EXPECT_NE(settings.find(R"(<config:config-item config:name="VerticalSplitPosition" config:type="int">1<)"),
            std::string::npos);
  const std::string& content = entries.at("content.xml");
  const auto has = [&content](const std::string& text) { return content.find(text) != std::string::npos; };
  EXPECT_TRUE(has(R"x(table:condition="of:cell-content-is-in-list(&quot;vmbo&quot;;&quot;mbo&quot;;&quot;po&quot;;)x"
                  R"x(&quot;bedrijf&quot;)")x"));
  EXPECT_TRUE(has(R"(<table:table table:name="Partners">)"));
  EXPECT_TRUE(has(R"(<table:table table:name="Toelichting">)"));
  EXPECT_TRUE(has(R"(<table:table-cell office:value-type="float" office:value="1500.00"><text:p>1500.00</text:p>)"));
  EXPECT_TRUE(has(R"(<table:table-cell office:value-type="string"><text:p>01234567</text:p>)"));
  EXPECT_TRUE(has(R"(<text:p>Van 't Oever &amp; Zn.</text:p>)"));
  EXPECT_TRUE(has(R"(<text:p><text:s/>Stichting<text:s text:c="2"/>Dubbel<text:s/></text:p>)"));
  EXPECT_TRUE(has(R"(<text:p>regel 1</text:p><text:p>regel 2</text:p>)"));
  // The drop-down on the data rows and on the empty rows up to row 1000 (1 header + 3 + 996).
  EXPECT_TRUE(
      has(R"(<table:table-cell office:value-type="string" table:content-validation-name="list3"><text:p>vmbo)"));
  EXPECT_TRUE(has(R"(<table:table-row table:number-rows-repeated="996">)"));
  EXPECT_TRUE(has(R"(table:style-name="co1" table:default-cell-style-name="ce-text")"));
}

// --- XLSX ---

TEST_F(SheetWriteTest, XlsxHoldsCodesAsTextNumbersAsNumbersADropDownAndAFrozenHeader) {
  const auto entries = zip_entries(write_xlsx(sample()));
  ASSERT_TRUE(entries.count("xl/worksheets/sheet1.xml"));
  ASSERT_TRUE(entries.count("xl/worksheets/sheet2.xml"));
  EXPECT_NE(entries.at("xl/workbook.xml").find(R"(<sheet name="Partners" sheetId="1")"), std::string::npos);
  EXPECT_NE(entries.at("xl/workbook.xml").find(R"(<sheet name="Toelichting" sheetId="2")"), std::string::npos);
  const std::string& sheet1 = entries.at("xl/worksheets/sheet1.xml");
  const auto has = [&sheet1](const std::string& text) { return sheet1.find(text) != std::string::npos; };
  EXPECT_TRUE(has(R"(<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>)"));
  EXPECT_TRUE(has(R"(<dataValidation type="list")"));
  EXPECT_TRUE(has(R"(sqref="D2:D1000"><formula1>"vmbo,mbo,po,bedrijf"</formula1>)"));
  // The code columns B and C: the text format "@" on the column (style 1) and the cells, each
  // cell a string; E a number.
  EXPECT_TRUE(has(R"(<col min="2" max="2" width="14.7109375" style="1" customWidth="1"/>)"));
  EXPECT_TRUE(has(R"(<col min="3" max="3" width="10.7109375" style="1" customWidth="1"/>)"));
  EXPECT_EQ(number_format(entries.at("xl/styles.xml"), sheet1, "B2"), "@");
  EXPECT_TRUE(has(R"(<c r="B2" s="1" t="s">)"));
  EXPECT_TRUE(has(R"(<c r="C3" s="1" t="s">)"));
  EXPECT_TRUE(has(R"(<c r="E2"><v>1500</v></c>)"));
  EXPECT_TRUE(has(R"(<c r="E3"><v>1600</v></c>)"));
  EXPECT_TRUE(has(R"(<c r="A1" s="2" t="s">)")) << "bold header";
  EXPECT_NE(entries.at("xl/sharedStrings.xml").find("<t>01234567</t>"), std::string::npos);
  EXPECT_NE(entries.at("xl/sharedStrings.xml").find("<t xml:space=\"preserve\"> Stichting  Dubbel </t>"),
            std::string::npos);
}

TEST_F(SheetWriteTest, XlsxLeavesNoTemporaryFile) {
  const char* before = std::getenv("TMPDIR");
  const std::string saved = before ? before : "";
  ::setenv("TMPDIR", dir_.c_str(), 1);
  const std::string xlsx = write_xlsx(sample());
  before ? ::setenv("TMPDIR", saved.c_str(), 1) : ::unsetenv("TMPDIR");
  EXPECT_EQ(xlsx.substr(0, 4), "PK\x03\x04");
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(SheetWriteTest, XlsxReportsATemporaryDirectoryItCannotWrite) {
  const char* before = std::getenv("TMPDIR");
  const std::string saved = before ? before : "";
  ::setenv("TMPDIR", (dir_ / "missing").c_str(), 1);
  test::expect_error([] { write_xlsx(sample()); }, "cannot create a temporary file for the .xlsx");
  before ? ::setenv("TMPDIR", saved.c_str(), 1) : ::unsetenv("TMPDIR");
}

// Excel keeps a list's values as one comma-separated string: a comma cannot be in one.
TEST_F(SheetWriteTest, XlsxRefusesADropDownValueWithAComma) {
  SheetToWrite sheet = sample();
  sheet.columns[3].choices = {"vmbo", "vmbo, kader"};
  test::expect_error([&sheet] { write_xlsx(sheet); }, "a drop-down value has a comma or a quote: vmbo, kader");
}

// --- determinism ---

TEST_F(SheetWriteTest, XlsxAndOdsAreTheSameBytesWhenWrittenAgainLater) {
  const std::string xlsx = write_xlsx(sample());
  const std::string ods = write_ods(sample());
  // Past a zip time's two-second step: a clock time anywhere would now differ.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(write_xlsx(sample()), xlsx);
  EXPECT_EQ(write_ods(sample()), ods);
  for (const std::string& t : zip_times(xlsx)) EXPECT_EQ(t, "1980-01-01 00:00");
  for (const std::string& t : zip_times(ods)) EXPECT_EQ(t, "2024-01-01 00:00");
  EXPECT_NE(zip_entries(xlsx)
                .at("docProps/core.xml")
                .find("<dcterms:created xsi:type=\"dcterms:W3CDTF\">"
                      "2024-01-01T00:00:00Z</dcterms:created>"),
            std::string::npos);
}

// --- LibreOffice reads them back ---

TEST_F(SheetWriteTest, LibreOfficeReadsXlsxAndOdsBackCellForCell) {
  SheetToWrite empty = sample();  // the empty partner sheet: a header, drop-downs, no rows
  empty.rows.clear();
  test::spill(dir_ / "xlsx.xlsx", write_xlsx(sample()));
  test::spill(dir_ / "ods.ods", write_ods(sample()));
  test::spill(dir_ / "empty-xlsx.xlsx", write_xlsx(empty));
  test::spill(dir_ / "empty-ods.ods", write_ods(empty));
  ASSERT_NO_FATAL_FAILURE(
      soffice({"--convert-to", kCsvExport},
              {dir_ / "xlsx.xlsx", dir_ / "ods.ods", dir_ / "empty-xlsx.xlsx", dir_ / "empty-ods.ods"}, dir_));
  for (const std::string stem : {"xlsx", "ods"}) {
    SCOPED_TRACE(stem);
    EXPECT_EQ(read_csv_file(dir_ / (stem + "-Partners.csv")), kPartnersRead);
    EXPECT_EQ(read_csv_file(dir_ / (stem + "-Toelichting.csv")), kToelichtingRead);
    EXPECT_EQ(read_csv_file(dir_ / ("empty-" + stem + "-Partners.csv")), Rows{kPartnersRead.front()});
    EXPECT_EQ(read_csv_file(dir_ / ("empty-" + stem + "-Toelichting.csv")), kToelichtingRead);
  }
}

// Read with every column as text (column type 2), LibreOffice finds exactly the cells written:
// the BOM, ';', the quoting and CR LF are what it expects.
TEST_F(SheetWriteTest, LibreOfficeReadsCsvBackCellForCellAsText) {
  test::spill(dir_ / "partners.csv", write_csv(sample()));
  fs::create_directories(dir_ / "out");  // not beside the input: LibreOffice would store over it first
  ASSERT_NO_FATAL_FAILURE(soffice({"--infilter=CSV:59,34,76,1,1/2/2/2/3/2/4/2/5/2/6/2", "--convert-to", kCsvExport},
                                  {dir_ / "partners.csv"}, dir_ / "out"));
  Rows expected = kPartnersRead;
  expected[1][4] = "1500.00";
  EXPECT_EQ(read_csv_file(dir_ / "out" / "partners-partners.csv"), expected);
}

// Why import reports lost leading zeros: a plain CSV opened with default settings turns codes
// into numbers. The .xlsx and .ods keep them (above).
TEST_F(SheetWriteTest, LibreOfficeDropsTheLeadingZerosOfCsvCodesByDefault) {
  test::spill(dir_ / "plain.csv", write_csv(sample()));
  fs::create_directories(dir_ / "out");
  ASSERT_NO_FATAL_FAILURE(
      soffice({"--infilter=CSV:59,34,76,1", "--convert-to", kCsvExport}, {dir_ / "plain.csv"}, dir_ / "out"));
  const Rows read = read_csv_file(dir_ / "out" / "plain-plain.csv");
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read[1][1], "1234567");
  EXPECT_EQ(read[2][1], "12345");
  EXPECT_EQ(read[1][2], "2902 AA");
}

// The .ods's drop-down and text-formatted code columns as LibreOffice understood them: its own
// .xlsx of our .ods has the list on D2:D1000 and the text format "@" on the code cells down to
// row 1000. (Not the frozen header: headless LibreOffice reads no view settings, not even an
// .xlsx's pane.)
TEST_F(SheetWriteTest, LibreOfficeKeepsTheOdsDropDownAndTextColumns) {
  test::spill(dir_ / "drop.ods", write_ods(sample()));
  fs::create_directories(dir_ / "out");
  ASSERT_NO_FATAL_FAILURE(soffice({"--convert-to", "xlsx"}, {dir_ / "drop.ods"}, dir_ / "out"));
  const auto entries = zip_entries(test::slurp(dir_ / "out" / "drop.xlsx"));
  const std::string& sheet1 = entries.at("xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet1.find(R"(sqref="D2:D1000" type="list"><formula1>&quot;vmbo,mbo,po,bedrijf&quot;</formula1>)"),
            std::string::npos);
  const std::string& styles = entries.at("xl/styles.xml");
  for (const char* cell : {"B2", "C3", "B500", "C1000"}) {
    EXPECT_EQ(number_format(styles, sheet1, cell), "@") << cell;
  }
  EXPECT_EQ(number_format(styles, sheet1, "A2"), "General");
}

}  // namespace
}  // namespace sto::detail
