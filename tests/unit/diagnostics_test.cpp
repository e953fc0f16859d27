// The error model: the catalogue, the sentences, the one-line form.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "sto/diagnostics.h"

namespace sto {
namespace {

TEST(Diagnostics, DescribesAFindingCompilerStyleInDutchAndEnglish) {
  Finding f = make_finding("R8.kvk", 58, "kvk", "p6",
                           {{"waarde", "0501234"}, {"vorm_nl", "8 cijfers"}, {"vorm_en", "8 digits"}});
  f.file = "regio.xml";
  EXPECT_EQ(describe(f, Taal::nl),
            "regio.xml:58: fout [R8.kvk] <kvk> (p6) Regel 8: KvK-nummer \"0501234\" moet bestaan uit 8 cijfers.");
  EXPECT_EQ(describe(f, Taal::en),
            "regio.xml:58: error [R8.kvk] <kvk> (p6) Rule 8: KvK number \"0501234\" must consist of 8 digits.");
}

TEST(Diagnostics, WholeFileFindingsHaveNoLineNumber) {
  Finding f = make_finding("bestand.te-groot", 0, {}, {}, {{"grootte", "20000000"}, {"maximum", "16777216"}});
  f.file = "groot.xml";
  EXPECT_EQ(
      describe(f, Taal::en),
      "groot.xml: error [bestand.te-groot] The file is 20000000 bytes; an agreement may be at most 16777216 bytes.");
}

TEST(Diagnostics, SeverityComesFromTheCatalogue) {
  EXPECT_EQ(make_finding("R8.bevoegd-gezag-nummer", 1, "bevoegdGezag").severity, Severity::warning);
  EXPECT_EQ(make_finding("R1.minimum", 1, "partners").severity, Severity::error);
  EXPECT_FALSE(has_errors({make_finding("bijdrage.leeg", 3, "bijdrage")}));
  EXPECT_TRUE(
      has_errors({make_finding("bijdrage.leeg", 3, "bijdrage"), make_finding("R7.verwijzing", 1, "verwijzingen")}));
}

TEST(Diagnostics, UnknownRuleIdIsAProgrammingError) {
  EXPECT_THROW(make_finding("R9.bestaat-niet", 1, "x"), std::logic_error);
}

TEST(Diagnostics, MissingArgumentStaysVisible) {
  const Finding f = make_finding("R8.kvk", 1, "kvk");
  EXPECT_NE(message(f, Taal::nl).find("{waarde}"), std::string::npos);
}

TEST(Diagnostics, SortsByLineKeepingOrderWithinALine) {
  Findings findings{make_finding("R7.verwijzing", 9, "a"), make_finding("R1.minimum", 2, "b"),
                    make_finding("R5.looptijd", 9, "c"), make_finding("bestand.te-groot", 0, {})};
  sort_by_line(findings);
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_EQ(findings[0].rule, "bestand.te-groot");
  EXPECT_EQ(findings[1].rule, "R1.minimum");
  EXPECT_EQ(findings[2].rule, "R7.verwijzing");
  EXPECT_EQ(findings[3].rule, "R5.looptijd");
}

TEST(Diagnostics, EveryRuleIdIsDocumentedInDocsRules) {
  std::ifstream in(STO_SOURCE_DIR "/docs/rules.md");
  ASSERT_TRUE(in);
  const std::string doc{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  for (const auto rule : known_rules()) {
    EXPECT_NE(doc.find("`" + std::string(rule) + "`"), std::string::npos) << rule << " is not in docs/rules.md";
  }
}

TEST(Diagnostics, EveryRuleHasBothLanguagesAndNoEmptySentence) {
  for (const auto rule : known_rules()) {
    const Finding f = make_finding(rule, 1, "x");
    EXPECT_FALSE(message(f, Taal::nl).empty()) << rule;
    EXPECT_FALSE(message(f, Taal::en).empty()) << rule;
    EXPECT_NE(message(f, Taal::nl), message(f, Taal::en)) << rule;
  }
}

}  // namespace
}  // namespace sto
