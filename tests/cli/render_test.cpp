// `sto render` as a user runs it, with poppler and qpdf as independent judges of every PDF.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <pugixml.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "run.h"
#include "scratch.h"

namespace sto::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kSource = STO_SOURCE_DIR;

const std::vector<std::string> kValidAgreements = {
    kSource + "/samples/regio-klein-8.xml", kSource + "/samples/regio-middel-25.xml",
    kSource + "/samples/regio-groot-108.xml", kSource + "/../shared/spec/example.xml"};

// Every run of white space as one space: pdftotext ends lines where the layout wrapped them.
std::string squeeze(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// The names a contract must show, read straight from the XML (not through our reader).
struct Names {
  std::vector<std::string> partners;
  std::vector<std::string> tekenbevoegden;
  std::set<std::string> tekenbevoegde_ids;
};

Names names_in(const std::string& file) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_file(file.c_str())) << file;
  Names names;
  for (const auto partner : doc.child("samenwerkingsovereenkomst").child("partners").children("partner")) {
    names.partners.push_back(squeeze(partner.child_value("naam")));
    for (const auto t : partner.children("tekenbevoegde")) {
      names.tekenbevoegden.push_back(squeeze(t.attribute("naam").value()));
      names.tekenbevoegde_ids.insert(t.attribute("id").value());
    }
  }
  return names;
}

using Render = ScratchTest;

// The small sample with Jürgen Smeulders renamed `naam`, written to `file`; returns the line of
// that name.
int klein_renamed(const fs::path& file, const std::string& naam) {
  std::string xml = slurp(kSource + "/samples/regio-klein-8.xml");
  const std::string from = "naam=\"Jürgen Smeulders\"";
  const auto at = xml.find(from);
  xml.replace(at, from.size(), "naam=\"" + naam + "\"");
  spill(file, xml);
  return 1 + static_cast<int>(std::count(xml.begin(), xml.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

// Runs a poppler or qpdf tool; the test fails on anything it says on stderr.
RunResult judge(const std::vector<std::string>& argv) {
  auto r = run_program(argv);
  EXPECT_THAT(r.err, IsEmpty()) << argv[0] << " " << argv.back();
  return r;
}

TEST_F(Render, EverySampleRendersToAPdfThatPopplerAndQpdfAccept) {
  for (const auto& xml : kValidAgreements) {
    SCOPED_TRACE(xml);
    const auto pdf = (dir_ / "contract.pdf").string();
    const auto r = run_sto({"render", xml, "-o", pdf});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.err, IsEmpty());
    EXPECT_THAT(r.out, HasSubstr(" pagina's, "));

    const auto check = judge({"/usr/bin/qpdf", "--check", pdf});
    EXPECT_EQ(check.exit_code, 0) << check.out;
    EXPECT_THAT(check.out, HasSubstr("No syntax or stream encoding errors found"));

    // Only embedded subsets: the header's two lines, then one line per font, "emb sub uni" = yes.
    const auto fonts = judge({"/usr/bin/pdffonts", pdf});
    EXPECT_EQ(fonts.exit_code, 0);
    std::istringstream rows(fonts.out);
    std::string row;
    int count = 0;
    for (int i = 0; std::getline(rows, row); ++i) {
      if (i < 2 || row.empty()) continue;
      ++count;
      std::istringstream words(row);
      std::string name;
      words >> name;
      EXPECT_EQ(name.find('+'), 6u) << row;  // ABCDEF+Name: a subset
      EXPECT_THAT(row, HasSubstr(" yes yes yes ")) << row;
    }
    EXPECT_GE(count, 2) << fonts.out;

    const auto info = judge({"/usr/bin/pdfinfo", pdf});
    EXPECT_THAT(info.out, HasSubstr("Producer:        sto "));
    EXPECT_THAT(info.out, HasSubstr("libharu 2.3.0"));
    EXPECT_THAT(info.out, HasSubstr("Page size:       595.276 x 841.89 pts (A4)"));
    EXPECT_THAT(info.out, HasSubstr("PDF version:     1.7"));

    // Every name comes back exactly: diacritics, 't, IJ, & and all.
    const auto text = judge({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf, "-"});
    const std::string words = squeeze(text.out);
    const Names names = names_in(xml);
    for (const auto& n : names.partners) EXPECT_THAT(words, HasSubstr(n));
    for (const auto& n : names.tekenbevoegden) EXPECT_THAT(words, HasSubstr(n));
    EXPECT_THAT(words, HasSubstr("XML-vingerafdruk (SHA-256): "));
    EXPECT_THAT(words, HasSubstr("€ "));  // poppler gives the no-break space back as a space

    // Drawing every page says nothing on stderr either (libharu's own ToUnicode CMap did).
    judge({"/usr/bin/pdftoppm", "-r", "20", "-png", pdf, (dir_ / "page").string()});
  }
}

TEST_F(Render, NamesOutsideLatin1ComeBackFromTheText) {
  klein_renamed(dir_ / "in.xml", "Łukasz Šimić-Ğürsoy Ðorđević ’t IJsbrand €");
  const auto pdf = (dir_ / "contract.pdf").string();
  const auto r = run_sto({"render", (dir_ / "in.xml").string(), "-o", pdf});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto text = judge({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf, "-"});
  EXPECT_THAT(squeeze(text.out), HasSubstr("Łukasz Šimić-Ğürsoy Ðorđević ’t IJsbrand €"));
  judge({"/usr/bin/pdffonts", pdf});
}

TEST_F(Render, TheSameAgreementGivesTheSameBytesFromAnyDirectory) {
  const std::string xml = kSource + "/samples/regio-groot-108.xml";
  ASSERT_EQ(run_sto({"render", xml, "-o", (dir_ / "a.pdf").string()}).exit_code, 0);
  ASSERT_EQ(run_sto({"render", xml, "-o", (dir_ / "b.pdf").string()}).exit_code, 0);
  // Another working directory, a copy of the XML under another name, relative paths.
  fs::create_directories(dir_ / "elders");
  fs::copy_file(xml, dir_ / "elders" / "kopie.xml");
  const auto r = run_program(
      {"/bin/sh", "-c", "cd '" + (dir_ / "elders").string() + "' && '" + STO_BINARY + "' render kopie.xml -o c.pdf"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string a = slurp(dir_ / "a.pdf");
  ASSERT_GT(a.size(), 10000u);
  EXPECT_TRUE(a == slurp(dir_ / "b.pdf"));
  EXPECT_TRUE(a == slurp(dir_ / "elders" / "c.pdf"));
  // No clock in the file: the dates are the agreement's opgesteld datum (2024-10-15).
  EXPECT_NE(a.find("/CreationDate (D:20241015000000Z)"), std::string::npos);
  EXPECT_NE(a.find("/ModDate (D:20241015000000Z)"), std::string::npos);
}

TEST_F(Render, TheLayoutMapPlacesEveryTekenbevoegdeOnceInsideTheMarginsWithoutOverlap) {
  const std::string xml = kSource + "/samples/regio-groot-108.xml";
  const auto map = dir_ / "kaart.json";
  const auto r = run_sto({"render", xml, "-o", (dir_ / "c.pdf").string(), "--layout", map.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Poco::JSON::Parser parser;
  const auto root = parser.parse(slurp(map)).extract<Poco::JSON::Object::Ptr>();
  const int pages = root->getValue<int>("pages");
  const auto info = judge({"/usr/bin/pdfinfo", (dir_ / "c.pdf").string()});
  EXPECT_THAT(info.out, HasSubstr("Pages:           " + std::to_string(pages) + "\n"));

  struct Field {
    int page;
    double x1, y1, x2, y2;
  };
  std::vector<Field> fields;
  std::set<std::string> ids;
  const auto list = root->getArray("fields");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto f = list->getObject(static_cast<unsigned>(i));
    const auto rect = f->getArray("rect");
    fields.push_back({f->getValue<int>("page"), rect->getElement<double>(0), rect->getElement<double>(1),
                      rect->getElement<double>(2), rect->getElement<double>(3)});
    EXPECT_TRUE(ids.insert(f->getValue<std::string>("tekenbevoegde")).second);
  }
  const Names names = names_in(xml);
  EXPECT_EQ(ids, names.tekenbevoegde_ids);
  EXPECT_EQ(fields.size(), 140u);
  // A4 with margins 62 (left, right), 74 (top) and 78 (bottom), in points, origin bottom left.
  for (const auto& f : fields) {
    EXPECT_GE(f.page, 1);
    EXPECT_LE(f.page, pages);
    EXPECT_GE(f.x1, 62.0);
    EXPECT_LE(f.x2, 595.276 - 62.0);
    EXPECT_GE(f.y1, 78.0);
    EXPECT_LE(f.y2, 841.89 - 74.0);
    EXPECT_LT(f.x1, f.x2);
    EXPECT_LT(f.y1, f.y2);
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    for (std::size_t j = i + 1; j < fields.size(); ++j) {
      const auto& a = fields[i];
      const auto& b = fields[j];
      const bool apart = a.page != b.page || a.x2 <= b.x1 || b.x2 <= a.x1 || a.y2 <= b.y1 || b.y2 <= a.y1;
      EXPECT_TRUE(apart) << "fields " << i << " and " << j << " overlap on page " << a.page;
    }
  }
}

TEST_F(Render, AnInvalidAgreementIsRefusedWithItsFindingsAndNothingIsWritten) {
  const auto pdf = dir_ / "contract.pdf";
  spill(pdf, "earlier contract");
  const auto r = run_sto({"render", kSource + "/samples/invalid/r1-een-vmbo.xml", "-o", pdf.string(), "--layout",
                          (dir_ / "kaart.json").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out + r.err, HasSubstr("r1-een-vmbo.xml:"));
  EXPECT_THAT(r.out + r.err, HasSubstr("R1.minimum"));
  EXPECT_EQ(slurp(pdf), "earlier contract");
  EXPECT_FALSE(fs::exists(dir_ / "kaart.json"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(Render, AnUnwritableOutputIsAnEnvironmentErrorAndLeavesNoTemporaryFile) {
  spill(dir_ / "file", "x");  // a file where a directory should be: fails even for root
  const auto r = run_sto({"render", kSource + "/samples/regio-klein-8.xml", "-o", (dir_ / "file" / "c.pdf").string()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("c.pdf"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(Render, ACharacterTheFontLacksIsAFindingAtItsLineAndNothingIsWritten) {
  const int line = klein_renamed(dir_ / "in.xml", "Jürgen 😀 Smeulders 株");
  const auto r = run_sto({"render", (dir_ / "in.xml").string(), "-o", (dir_ / "c.pdf").string(), "--lang", "en"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string at = (dir_ / "in.xml").string() + ":" + std::to_string(line) + ": error [contract.teken]";
  EXPECT_THAT(r.out, HasSubstr(at + " The character U+682A (株) cannot be printed"));
  EXPECT_THAT(r.out, HasSubstr(at + " The character U+1F600 (😀) cannot be printed"));
  EXPECT_FALSE(fs::exists(dir_ / "c.pdf"));
  // Issue 20: validate, render and open agree (they were: valid, exit 1, exit 3).
  const auto validated = run_sto({"validate", (dir_ / "in.xml").string(), "--lang", "en"});
  EXPECT_EQ(validated.exit_code, 1) << validated.out;
  EXPECT_THAT(validated.out, HasSubstr(at + " The character U+1F600 (😀) cannot be printed"));
  const std::string ws = (dir_ / "ws").string();
  ASSERT_EQ(run_sto({"init", "--home", ws}).exit_code, 0);
  const auto opened = run_sto({"open", (dir_ / "in.xml").string(), "--home", ws});
  EXPECT_EQ(opened.exit_code, 1) << opened.out << opened.err;
  EXPECT_THAT(opened.out, HasSubstr(":" + std::to_string(line) + ": fout [contract.teken] Het teken U+1F600 (😀)"));
  EXPECT_FALSE(fs::exists(dir_ / "ws" / "contracten" / "STO25-071-SOK-v1"));
}

TEST_F(Render, OutputsThatWouldOverwriteTheAgreementOrEachOtherAreRefused) {
  fs::copy_file(kSource + "/samples/regio-klein-8.xml", dir_ / "in.xml");
  const std::string before = slurp(dir_ / "in.xml");
  const std::string in = (dir_ / "in.xml").string();
  EXPECT_EQ(run_sto({"render", in, "-o", in}).exit_code, 2);
  EXPECT_EQ(run_sto({"render", in, "-o", (dir_ / "c.pdf").string(), "--layout", in}).exit_code, 2);
  // The same file by another name.
  EXPECT_EQ(run_sto({"render", in, "-o", (dir_ / "." / "in.xml").string()}).exit_code, 2);
  EXPECT_EQ(run_sto({"render", in, "-o", (dir_ / "c.pdf").string(), "--layout", (dir_ / "c.pdf").string()}).exit_code,
            2);
  EXPECT_EQ(slurp(dir_ / "in.xml"), before);
  EXPECT_FALSE(fs::exists(dir_ / "c.pdf"));
}

TEST_F(Render, WhenTheLayoutMapCannotBeWrittenThePdfIsNotReplacedEither) {
  spill(dir_ / "c.pdf", "earlier contract");
  const auto r = run_sto({"render", kSource + "/samples/regio-klein-8.xml", "-o", (dir_ / "c.pdf").string(), "--layout",
                          (dir_ / "ontbreekt" / "kaart.json").string()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("kaart.json"));
  EXPECT_EQ(slurp(dir_ / "c.pdf"), "earlier contract");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);  // no temporary file
}

TEST_F(Render, ALayoutPathThatIsADirectoryIsRefusedBeforeThePdfIsReplaced) {
  spill(dir_ / "c.pdf", "earlier contract");
  fs::create_directories(dir_ / "kaart.json");
  const auto r = run_sto({"render", kSource + "/samples/regio-klein-8.xml", "-o", (dir_ / "c.pdf").string(), "--layout",
                          (dir_ / "kaart.json").string()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("het is een map"));
  EXPECT_EQ(slurp(dir_ / "c.pdf"), "earlier contract");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 2);
}

TEST_F(Render, PathsThatCannotBeResolvedAreNotTakenForTheSameFile) {
  fs::create_directory_symlink(dir_ / "lus", dir_ / "lus");  // a symlink loop
  const auto r = run_sto({"render", (dir_ / "lus" / "a.xml").string(), "-o", (dir_ / "lus" / "b.pdf").string()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;  // cannot open, not "would overwrite itself"
}

TEST_F(Render, ACharacterWrittenAsAReferenceIsFoundAtItsLine) {
  const int line = klein_renamed(dir_ / "in.xml", "Jürgen &#x4E2D; Smeulders");
  const auto r = run_sto({"render", (dir_ / "in.xml").string(), "-o", (dir_ / "c.pdf").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(":" + std::to_string(line) + ": fout [contract.teken] Het teken U+4E2D (中)"));
  // A C1 control is refused by the reader already (issue 20), named, never echoed to the terminal.
  const int c1 = klein_renamed(dir_ / "in.xml", "Jürgen Smeulders&#x9B;");
  const auto control = run_sto({"render", (dir_ / "in.xml").string(), "-o", (dir_ / "c.pdf").string()});
  EXPECT_EQ(control.exit_code, 1) << control.out << control.err;
  EXPECT_THAT(control.out, HasSubstr(":" + std::to_string(c1) + ": fout [tekst.onzichtbaar]"));
  EXPECT_THAT(control.out, HasSubstr("U+009B"));
  EXPECT_EQ(control.out.find("\xC2\x9B"), std::string::npos);
}

TEST_F(Render, UsageErrorsExitTwo) {
  EXPECT_EQ(run_sto({"render", kSource + "/samples/regio-klein-8.xml"}).exit_code, 2);  // no -o
  EXPECT_EQ(run_sto({"render", "-o", (dir_ / "c.pdf").string()}).exit_code, 2);
  EXPECT_EQ(run_sto({"render", "a.xml", "b.xml", "-o", "c.pdf"}).exit_code, 2);
  EXPECT_EQ(run_sto({"render", "a.xml", "-o"}).exit_code, 2);
  EXPECT_EQ(run_sto({"render", "a.xml", "-o", "c.pdf", "--kleur"}).exit_code, 2);
  const auto help = run_sto({"render", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("Gebruik: sto render"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 0);
}

TEST_F(Render, AnEnglishAgreementGivesAnEnglishContract) {
  std::string xml = slurp(kSource + "/samples/regio-klein-8.xml");
  const std::string from = "versie=\"1\"";
  xml.replace(xml.find(from), from.size(), "versie=\"1\" taal=\"en\"");
  spill(dir_ / "en.xml", xml);
  const auto pdf = (dir_ / "contract.pdf").string();
  const auto r = run_sto({"render", (dir_ / "en.xml").string(), "-o", pdf});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto text = squeeze(judge({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf, "-"}).out);
  EXPECT_THAT(text, HasSubstr("Cooperation agreement"));
  EXPECT_THAT(text, HasSubstr("page 1 of "));
}

}  // namespace
}  // namespace sto::test
