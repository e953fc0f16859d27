// sto partners export | import, as the penvoerder uses them: the built binary on the samples,
// sheets re-saved by LibreOffice Calc, findings located by cell, nothing written on an error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "run.h"
#include "scratch.h"

namespace sto::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = STO_SOURCE_DIR;
const std::string kGroot = kSource + "/samples/regio-groot-108.xml";
const std::string kKlein = kSource + "/samples/regio-klein-8.xml";

class Partners : public ScratchTest {
 protected:
  // `file` converted by LibreOffice Calc to `filter` (e.g. "ods", "xlsx", "csv") in `out`.
  // A CSV of ours is read as one: ';'-separated UTF-8 (LibreOffice's default is ',').
  fs::path resave(const fs::path& file, const std::string& filter, const fs::path& out) {
    fs::create_directories(out);
    std::vector<std::string> argv = {"/usr/bin/soffice", "--headless",
                                     "-env:UserInstallation=file://" + (dir_ / "lo").string()};
    if (file.extension() == ".csv") argv.push_back("--infilter=Text - txt - csv (StarCalc):59,34,76,1");
    argv.insert(argv.end(), {"--convert-to", filter, "--outdir", out.string(), file.string()});
    const auto r = run_program(argv);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const std::string extension = filter.substr(0, filter.find(':'));
    return out / (file.stem().string() + "." + extension);
  }

  // The contract's text as pdftotext gives it, without the lines that print the XML's SHA-256.
  std::string contract_text(const fs::path& xml) {
    const fs::path pdf = dir_ / (xml.stem().string() + "-" + std::to_string(counter_++) + ".pdf");
    const auto rendered = run_sto({"render", xml.string(), "-o", pdf.string()});
    EXPECT_EQ(rendered.exit_code, 0) << rendered.out << rendered.err;
    const auto text = run_program({"/usr/bin/pdftotext", "-layout", pdf.string(), "-"});
    std::string out;
    std::istringstream lines(text.out);
    const std::regex sha("[0-9a-f]{64}");
    for (std::string line; std::getline(lines, line);) {
      if (!std::regex_search(line, sha)) out += line + "\n";
    }
    return out;
  }

  // Imports `sheet` into a copy of `agreement`, written to dir_/name.
  RunResult import(const fs::path& sheet, const std::string& agreement, const std::string& name,
                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"partners", "import", sheet.string(),        "--into",
                                     agreement,  "-o",     (dir_ / name).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sto(args);
  }

  int counter_ = 0;
};

TEST_F(Partners, RoundTripThroughEveryFormatKeepsTheContractText) {
  const std::string original = contract_text(kGroot);
  for (const std::string format : {"xlsx", "ods", "csv"}) {
    const fs::path sheet = dir_ / ("partners." + format);
    const auto exported = run_sto({"partners", "export", kGroot, "-o", sheet.string()});
    ASSERT_EQ(exported.exit_code, 0) << exported.out << exported.err;
    EXPECT_THAT(exported.out, HasSubstr("108 partners, 140 tekenbevoegden"));
    const auto imported = import(sheet, kGroot, "terug-" + format + ".xml");
    ASSERT_EQ(imported.exit_code, 0) << format << "\n" << imported.out << imported.err;
    EXPECT_THAT(imported.out, Not(HasSubstr("waarschuwing [blad."))) << format;
    EXPECT_EQ(contract_text(dir_ / ("terug-" + format + ".xml")), original) << format;
  }
}

TEST_F(Partners, SheetsResavedByLibreOfficeImportToTheSameContract) {
  const std::string original = contract_text(kKlein);
  const fs::path ours = dir_ / "partners.xlsx";
  ASSERT_EQ(run_sto({"partners", "export", kKlein, "-o", ours.string()}).exit_code, 0);
  for (const std::string filter :
       {"ods", "xlsx:Calc MS Excel 2007 XML", "csv:Text - txt - csv (StarCalc):59,34,76,1"}) {
    const fs::path resaved = resave(ours, filter, dir_ / ("lo-" + filter.substr(0, 4)));
    ASSERT_TRUE(fs::exists(resaved)) << resaved;
    const auto imported = import(resaved, kKlein, "lo.xml");
    ASSERT_EQ(imported.exit_code, 0) << filter << "\n" << imported.out << imported.err;
    EXPECT_EQ(contract_text(dir_ / "lo.xml"), original) << filter;
  }
}

TEST_F(Partners, ImportKeepsEveryByteOutsidePartners) {
  const fs::path sheet = dir_ / "p.xlsx";
  ASSERT_EQ(run_sto({"partners", "export", kKlein, "-o", sheet.string()}).exit_code, 0);
  ASSERT_EQ(import(sheet, kKlein, "k.xml").exit_code, 0);
  const std::string before = slurp(kKlein);
  const std::string after = slurp(dir_ / "k.xml");
  EXPECT_EQ(after.substr(0, after.find("<partners>")), before.substr(0, before.find("<partners>")));
  EXPECT_EQ(after.substr(after.find("</partners>")), before.substr(before.find("</partners>")));
}

TEST_F(Partners, AKvkThatLostItsLeadingZeroIsNamedByItsCell) {
  // The CSV export opened and saved as .xlsx by LibreOffice, which reads KvK 05071234 as the
  // number 5071234 (a CSV has no text cells).
  const fs::path sheet = dir_ / "export.csv";
  ASSERT_EQ(run_sto({"partners", "export", kKlein, "-o", sheet.string()}).exit_code, 0);
  const fs::path xlsx = resave(sheet, "xlsx:Calc MS Excel 2007 XML", dir_ / "lo");
  const auto r = import(xlsx, kKlein, "k.xml");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, testing::ContainsRegex(xlsx.string() + ":[^!]+!I[0-9]+: fout \\[blad\\.voorloopnul\\] "
                                                            "KvK-nummer 5071234 is als getal opgeslagen.*05071234"));
  EXPECT_FALSE(fs::exists(dir_ / "k.xml"));
}

TEST_F(Partners, RuleFindingsNameTheCellAndJsonAddsSheetAndCell) {
  const fs::path sheet = dir_ / "p.csv";
  ASSERT_EQ(run_sto({"partners", "export", kKlein, "-o", sheet.string()}).exit_code, 0);
  std::string csv = slurp(sheet);
  csv.replace(csv.find(";05071234;"), 10, ";5071234;");  // seven digits: rule 8
  spill(sheet, csv);
  const auto text = import(sheet, kKlein, "k.xml");
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.out, testing::ContainsRegex(sheet.string() + ":p!I[0-9]+: fout \\[R8\\.kvk\\] <kvk> \\(p[0-9]+\\)"));
  const auto json = import(sheet, kKlein, "k.xml", {"--json"});
  EXPECT_THAT(json.out, HasSubstr("\"sheet\": \"p\""));
  EXPECT_THAT(json.out, testing::ContainsRegex("\"cell\": \"I[0-9]+\""));
  EXPECT_THAT(json.out, HasSubstr("\"rule\": \"R8.kvk\""));
}

// Issue 20: an invisible character typed into a cell is named by that cell; a character the
// contract's font lacks by its row, as sto validate and sto render name it by line.
TEST_F(Partners, InvisibleAndUnprintableCharactersAreNamedByTheirCell) {
  const fs::path sheet = dir_ / "p.csv";
  ASSERT_EQ(run_sto({"partners", "export", kKlein, "-o", sheet.string()}).exit_code, 0);
  const std::string exported = slurp(sheet);
  std::string csv = exported;
  csv.replace(csv.find("Jürgen Smeulders"), 16, "Jürgen \u202ESmeulders");
  spill(sheet, csv);
  const auto bidi = import(sheet, kKlein, "k.xml");
  EXPECT_EQ(bidi.exit_code, 1) << bidi.out;
  EXPECT_THAT(bidi.out,
              testing::ContainsRegex(sheet.string() + ":p!Q[0-9]+: fout \\[tekst\\.onzichtbaar\\] .*U\\+202E"));
  csv = exported;
  csv.replace(csv.find("Jürgen Smeulders"), 16, "Jürgen 😀 Smeulders");
  spill(sheet, csv);
  const auto emoji = import(sheet, kKlein, "k.xml");
  EXPECT_EQ(emoji.exit_code, 1) << emoji.out;
  EXPECT_THAT(emoji.out,
              testing::ContainsRegex(sheet.string() + ":p![A-Z]+[0-9]+: fout \\[contract\\.teken\\] .*U\\+1F600"));
  EXPECT_FALSE(fs::exists(dir_ / "k.xml"));
}

TEST_F(Partners, NothingIsWrittenOnAnErrorAndInPlaceOtherwise) {
  const fs::path agreement = dir_ / "overeenkomst.xml";
  fs::copy_file(kKlein, agreement);
  const fs::path sheet = dir_ / "p.csv";
  ASSERT_EQ(run_sto({"partners", "export", agreement.string(), "-o", sheet.string()}).exit_code, 0);
  const std::string good = slurp(sheet);
  std::string bad = good;
  bad.replace(bad.find(";vmbo;"), 6, ";vwo;");
  spill(sheet, bad);
  const std::string before = slurp(agreement);
  const auto refused = run_sto({"partners", "import", sheet.string(), "--into", agreement.string()});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_THAT(refused.out, testing::ContainsRegex(":p!B[0-9]+: fout \\[waarde\\.keuze\\]"));
  EXPECT_EQ(slurp(agreement), before);
  spill(sheet, good);
  const auto done = run_sto({"partners", "import", sheet.string(), "--into", agreement.string()});
  EXPECT_EQ(done.exit_code, 0) << done.out;
  EXPECT_THAT(done.out, HasSubstr("geldig"));
}

TEST_F(Partners, ATolerantReaderSaysWhatItCorrectedAndWhatItIgnored) {
  // Columns renamed and reordered, an unknown column, spaces, lower case, a decimal comma,
  // an empty row between partners, the partner's columns repeated on its second row.
  const fs::path sheet = dir_ / "eigen.csv";
  ASSERT_EQ(run_sto({"partners", "export", kKlein, "-o", sheet.string()}).exit_code, 0);
  std::string csv = slurp(sheet);
  csv.replace(csv.find("KvK-nummer"), 10, "KvK");
  csv.replace(csv.find("E-mailadres"), 11, "Emailadres");
  csv.replace(csv.find("\r\n"), 2, ";Opmerking\r\n");
  csv.replace(csv.find(";14KE;"), 6, "; 14ke ;");
  csv.replace(csv.find(";05012345;"), 10, ";0501 2345;");
  csv.insert(csv.find("\r\n") + 2, "\r\n;;;;;;;;;;;;;;;;;;;;\r\n");
  spill(sheet, csv);
  const auto r = import(sheet, kKlein, "k.xml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, testing::ContainsRegex("waarschuwing \\[blad\\.kolom-onbekend\\].*Opmerking"));
  EXPECT_THAT(r.out, testing::ContainsRegex(
                         "waarschuwing \\[blad\\.genormaliseerd\\] BRIN \" 14ke \" is gelezen als \"14KE\""));
  EXPECT_THAT(r.out, testing::ContainsRegex("waarschuwing \\[blad\\.genormaliseerd\\] KvK-nummer \"0501 2345\""));
  EXPECT_EQ(contract_text(dir_ / "k.xml"), contract_text(kKlein));
}

TEST_F(Partners, BadFilesAreOneClearFindingAndNothingIsWritten) {
  const fs::path csv = dir_ / "p.csv";
  ASSERT_EQ(run_sto({"partners", "export", kKlein, "-o", csv.string()}).exit_code, 0);
  const fs::path xls = resave(csv, "xls", dir_ / "xls");
  const auto legacy = import(xls, kKlein, "k.xml");
  EXPECT_EQ(legacy.exit_code, 1);
  EXPECT_THAT(legacy.out, HasSubstr("fout [blad.onleesbaar]"));
  EXPECT_THAT(legacy.out, HasSubstr(".xls"));
  std::string rows = "Partner-id;Soort;Naam partner;Tekenbevoegde-id;Naam tekenbevoegde;E-mailadres\r\n";
  for (int i = 0; i < 100'000; ++i)
    rows += "p" + std::to_string(i) + ";bedrijf;B;s" + std::to_string(i) + ";N;n@x.nl\r\n";
  spill(dir_ / "groot.csv", rows);
  const auto huge = import(dir_ / "groot.csv", kKlein, "k.xml");
  EXPECT_EQ(huge.exit_code, 1);
  EXPECT_THAT(huge.out, HasSubstr("fout [blad.onleesbaar]"));
  EXPECT_FALSE(fs::exists(dir_ / "k.xml"));
}

TEST_F(Partners, ARowWithTheSameIdButOtherValuesIsAnotherPartnerNotAContinuation) {
  const fs::path sheet = dir_ / "p.csv";
  ASSERT_EQ(run_sto({"partners", "export", kKlein, "-o", sheet.string()}).exit_code, 0);
  std::string csv = slurp(sheet);
  ASSERT_NE(csv.find("\r\np5;"), std::string::npos);
  csv.replace(csv.find("\r\np5;"), 5, "\r\np4;");  // a typing error: p5 gets p4's id
  spill(sheet, csv);
  const auto r = import(sheet, kKlein, "k.xml");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, testing::ContainsRegex(":p!A[0-9]+: fout \\[id\\.dubbel\\] .*al gebruikt op regel p!A[0-9]+"));
  EXPECT_FALSE(fs::exists(dir_ / "k.xml"));
}

TEST_F(Partners, PenvoerderAsTrueOrOneAndEveryRequiredColumn) {
  const fs::path sheet = dir_ / "p.csv";
  ASSERT_EQ(run_sto({"partners", "export", kKlein, "-o", sheet.string()}).exit_code, 0);
  std::string csv = slurp(sheet);
  csv.replace(csv.find(";vmbo;ja;"), 9, ";vmbo;TRUE;");
  spill(sheet, csv);
  EXPECT_EQ(import(sheet, kKlein, "k.xml").exit_code, 0);
  csv.replace(csv.find(";Functie;"), 9, ";Rang;");
  spill(sheet, csv);
  const auto r = import(sheet, kKlein, "k2.xml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("fout [blad.kolom-ontbreekt] De kolom \"Functie\" ontbreekt"));
}

TEST_F(Partners, TheAgreementsPartnersAreFoundAsXmlNotAsText) {
  // A comment naming <partners> before the element, and the whole file on few lines.
  std::string xml = slurp(kKlein);
  xml.insert(xml.find("<regeling"), "<!-- de <partners> staan onderaan -->");
  const fs::path agreement = dir_ / "a.xml";
  spill(agreement, xml);
  const fs::path sheet = dir_ / "p.xlsx";
  ASSERT_EQ(run_sto({"partners", "export", kKlein, "-o", sheet.string()}).exit_code, 0);
  const auto r = import(sheet, agreement.string(), "k.xml");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // An agreement without <partners> is the agreement's finding (exit 1), not an internal error.
  std::string none = xml;
  const auto element = none.find("  <partners>\n");  // not the comment's
  none.erase(element, none.find("</partners>") + 11 - element);
  spill(agreement, none);
  const auto missing = import(sheet, agreement.string(), "k2.xml");
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_THAT(missing.out, HasSubstr("partners"));
}

TEST_F(Partners, NewStartsAValidSkeletonAndAnEmptySheet) {
  const fs::path region = dir_ / "regio";
  const auto made = run_sto({"new", "-o", region.string()});
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  EXPECT_THAT(made.out, HasSubstr("sto partners import"));
  const auto valid = run_sto({"validate", (region / "overeenkomst.xml").string()});
  EXPECT_EQ(valid.exit_code, 0) << valid.out;
  EXPECT_THAT(slurp(region / "overeenkomst.xml"), HasSubstr("VUL IN"));
  // The empty sheet has the header LibreOffice reads back, and no partner.
  const fs::path csv = resave(region / "partners.xlsx", "csv:Text - txt - csv (StarCalc):59,34,76,1", dir_ / "lo");
  EXPECT_THAT(slurp(csv), testing::StartsWith("\"Partner-id\";\"Soort\";\"Penvoerder\";\"Naam partner\";\"BRIN\";"));
  const auto empty = import(region / "partners.xlsx", (region / "overeenkomst.xml").string(), "x.xml");
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.out, HasSubstr("fout [blad.geen-partners]"));
  EXPECT_EQ(run_sto({"new", "-o", region.string()}).exit_code, 3);  // never over an existing region
}

}  // namespace
}  // namespace sto::test
