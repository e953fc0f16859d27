// The regulation data files: the numbers come from data, and a broken file is an Error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sample.h"

namespace sto {
namespace {

namespace fs = std::filesystem;
using test::edit;
using test::klein;
using test::RuleAt;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RuleSetDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sto-regelingen-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string shipped() { return test::read_file(STO_SOURCE_DIR "/templates/regelingen/sto-2025-2028.xml"); }

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  std::string load_error() const {
    try {
      load_rule_sets(dir_);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(RuleSetDir, ReadsTheShippedRegulation) {
  const auto& sets = test::shipped_rule_sets();
  ASSERT_EQ(sets.size(), 1u);
  const RuleSet& r = sets[0];
  EXPECT_EQ(r.naam, "Subsidieregeling sterk techniekonderwijs 2025-2028");
  EXPECT_THAT(r.minimum_partners, ElementsAre(std::pair{PartnerSoort::vmbo, 2}, std::pair{PartnerSoort::mbo, 1},
                                              std::pair{PartnerSoort::po, 1}, std::pair{PartnerSoort::bedrijf, 1}));
  EXPECT_EQ(r.cofinanciering_basispunten, 1000);
  EXPECT_THAT(r.maximum_subsidie, ElementsAre(std::pair{RegioSoort::techniekluw, Cents{400000000}}));
  EXPECT_EQ(r.identificatie.size(), 5u);
}

TEST_F(RuleSetDir, TheNumbersComeFromTheDataFile) {
  // A stricter regulation: two po partners and 15 % co-financing.
  std::string strict = edit(shipped(), "2025-2028\"", "2029-2032\"");
  strict = edit(strict, "<minimumPartners soort=\"po\" aantal=\"1\"/>", "<minimumPartners soort=\"po\" aantal=\"2\"/>");
  strict = edit(strict, "percentage=\"10\"", "percentage=\"12.5\"");
  write("sto-2025-2028.xml", shipped());
  write("sto-2029-2032.xml", strict);
  const auto sets = load_rule_sets(dir_);
  ASSERT_EQ(sets.size(), 2u);
  const std::string text = edit(klein(), "2025-2028\" begin", "2029-2032\" begin");
  const Validation v = validate(text, "t.xml", sets);
  std::vector<RuleAt> found;
  for (const auto& f : v.findings) found.emplace_back(f.rule, f.line);
  EXPECT_THAT(found, ElementsAre(RuleAt{"R4.cofinanciering", 4}, RuleAt{"R1.minimum", 12}));
  EXPECT_THAT(message(v.findings[0], Taal::nl), HasSubstr("12,5%"));
  EXPECT_TRUE(validate(klein(), "t.xml", sets).valid());
}

TEST_F(RuleSetDir, AnUnknownElementIsAnErrorWithFileAndLine) {
  write("a.xml", edit(shipped(), "  <penvoerder soorten", "  <extra/>\n  <penvoerder soorten"));
  EXPECT_THAT(load_error(), HasSubstr("a.xml:15: regelingsbestand: onbekend element <extra>"));
}

TEST_F(RuleSetDir, ABadPatternIsAnError) {
  write("a.xml", edit(shipped(), "patroon=\"^[0-9]{8}$\"", "patroon=\"^[0-9]{8$\""));
  EXPECT_THAT(load_error(), HasSubstr("patroon is geen geldige reguliere expressie"));
}

TEST_F(RuleSetDir, AnUnknownSoortIsAnError) {
  write("a.xml", edit(shipped(), "<minimumPartners soort=\"mbo\"", "<minimumPartners soort=\"MBO\""));
  EXPECT_THAT(load_error(), HasSubstr("onbekende soort"));
}

TEST_F(RuleSetDir, TwoFilesForOneRegulationAreAnError) {
  write("a.xml", shipped());
  write("b.xml", shipped());
  EXPECT_THAT(load_error(), HasSubstr("staat al in een ander bestand"));
}

TEST_F(RuleSetDir, AnEmptyDirectoryIsAnError) { EXPECT_THAT(load_error(), HasSubstr("geen regelingen gevonden")); }

TEST_F(RuleSetDir, AMissingDirectoryIsAnError) { EXPECT_THROW(load_rule_sets(dir_ / "bestaat-niet"), Error); }

TEST_F(RuleSetDir, NotXmlIsAnError) {
  write("a.xml", "<regeling");
  EXPECT_THAT(load_error(), HasSubstr("regelingsbestand is geen XML"));
}

}  // namespace
}  // namespace sto
