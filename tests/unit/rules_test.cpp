// The regulation's rules 1-8 and the whole-file checks, each with its rule id and line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sample.h"

namespace sto {
namespace {

using test::edit;
using test::errors_of;
using test::findings_of;
using test::klein;
using test::line_of;
using test::RuleAt;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

int partners_line() { return line_of(klein(), "<partners>"); }
int partner_line(const char* id) { return line_of(klein(), std::string("<partner id=\"") + id + "\""); }

// --- Rule 1: composition ----------------------------------------------------------------------

TEST(Rule1, RequiresTwoVmboPartners) {
  EXPECT_THAT(findings_of(edit(klein(), "<partner id=\"p2\" soort=\"vmbo\">", "<partner id=\"p2\" soort=\"vso\">")),
              ElementsAre(RuleAt{"R1.minimum", partners_line()}));
}

TEST(Rule1, RequiresAnMboPartner) {
  EXPECT_THAT(findings_of(edit(klein(), "<partner id=\"p3\" soort=\"mbo\">", "<partner id=\"p3\" soort=\"hbo\">")),
              ElementsAre(RuleAt{"R1.minimum", partners_line()}));
}

TEST(Rule1, RequiresAPoPartnerSince2025) {
  EXPECT_THAT(findings_of(edit(klein(), "<partner id=\"p4\" soort=\"po\">", "<partner id=\"p4\" soort=\"pro\">")),
              ElementsAre(RuleAt{"R1.minimum", partners_line()}));
}

TEST(Rule1, RequiresACompany) {
  std::string text = edit(klein(), "<partner id=\"p6\" soort=\"bedrijf\">", "<partner id=\"p6\" soort=\"overig\">");
  text = edit(text, "<partner id=\"p7\" soort=\"bedrijf\">", "<partner id=\"p7\" soort=\"overig\">");
  // Without companies nobody co-finances either (rule 4).
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"R4.cofinanciering", 4}, RuleAt{"R1.minimum", partners_line()}));
}

TEST(Rule1, ReportsTheNumbersInTheMessage) {
  const Validation v =
      validate(edit(klein(), "<partner id=\"p2\" soort=\"vmbo\">", "<partner id=\"p2\" soort=\"vso\">"), "t.xml",
               test::shipped_rule_sets());
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(message(v.findings[0], Taal::nl),
            "Regel 1: de regio heeft minstens 2 partner(s) van soort vmbo nodig; gevonden: 1.");
}

// --- Rules 2 and 3: who may sign ----------------------------------------------------------------

TEST(Rule2, ASchoolNeedsABoardMemberOrMandatedSignatory) {
  const std::string text =
      edit(klein(), "functie=\"Lid College van Bestuur\" hoedanigheid=\"bestuur\" email=\"i.sorensen",
           "functie=\"Directeur\" hoedanigheid=\"directeur\" email=\"i.sorensen");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"R2.tekenbevoegde", partner_line("p3")}));
}

TEST(Rule2, AMandatedSignatoryIsEnoughForASchool) {
  const std::string text =
      edit(klein(), "functie=\"Lid College van Bestuur\" hoedanigheid=\"bestuur\" email=\"i.sorensen",
           "functie=\"Directeur\" hoedanigheid=\"gemachtigde\" machtiging=\"Besluit CvB 2024-07\" email=\"i.sorensen");
  EXPECT_THAT(findings_of(text), IsEmpty());
}

TEST(Rule3, ACompanyNeedsAKvkRegisteredOrMandatedSignatory) {
  EXPECT_THAT(findings_of(edit(klein(), "functie=\"Directeur-eigenaar\" hoedanigheid=\"kvk\"",
                               "functie=\"Directeur-eigenaar\" hoedanigheid=\"bestuur\"")),
              ElementsAre(RuleAt{"R3.tekenbevoegde", partner_line("p6")}));
}

TEST(Rule3, AppliesToLocalGovernment) {
  EXPECT_THAT(findings_of(edit(klein(), "functie=\"Wethouder Onderwijs\" hoedanigheid=\"kvk\"",
                               "functie=\"Wethouder Onderwijs\" hoedanigheid=\"directeur\"")),
              ElementsAre(RuleAt{"R3.tekenbevoegde", partner_line("p8")}));
}

// --- Rule 4: money ------------------------------------------------------------------------------

TEST(Rule4, CompaniesCoFinanceAtLeastTenPercentOfTheBudget) {
  // Companies give 215 000.00; 10 % of 2 150 000.00 is exactly that: allowed.
  EXPECT_THAT(findings_of(edit(klein(), "begroting=\"2035000.00\"", "begroting=\"2150000.00\"")), IsEmpty());
  // One cent more budget and the companies fall short.
  EXPECT_THAT(findings_of(edit(klein(), "begroting=\"2035000.00\"", "begroting=\"2150000.01\"")),
              ElementsAre(RuleAt{"R4.cofinanciering", 4}));
}

TEST(Rule4, OnlyCompaniesCountTowardsCoFinancing) {
  // The municipality's 20 000 does not count: companies give 215 000 of 2 200 000 (9.8 %).
  EXPECT_THAT(findings_of(edit(klein(), "begroting=\"2035000.00\"", "begroting=\"2200000.00\"")),
              ElementsAre(RuleAt{"R4.cofinanciering", 4}));
}

TEST(Rule4, NoBudgetNoCoFinancingCheck) {
  EXPECT_THAT(findings_of(edit(klein(), " begroting=\"2035000.00\"", "")), IsEmpty());
}

TEST(Rule4, HugeContributionsDoNotOverflow) {
  // Ten companies at the largest amount the format allows: the sum saturates instead of
  // overflowing, so co-financing is (rightly) met.
  std::string companies;
  for (int i = 0; i < 10; ++i) {
    companies += "    <partner id=\"b" + std::to_string(i) + "\" soort=\"bedrijf\"><naam>B" + std::to_string(i) +
                 "</naam><kvk>1234567" + std::to_string(i) + "</kvk><adres straat=\"S 1\" postcode=\"1234 AB\" plaats=\"P\"/>"
                 "<bijdrage geld=\"999999999999.99\">Geld.</bijdrage><tekenbevoegde id=\"t" + std::to_string(i) +
                 "\" naam=\"T\" functie=\"F\" hoedanigheid=\"kvk\" email=\"t@b" + std::to_string(i) + ".nl\"/></partner>\n";
  }
  std::string text = edit(klein(), "  </partners>", companies + "  </partners>");
  text = edit(text, "begroting=\"2035000.00\"", "begroting=\"999999999999.99\"");
  EXPECT_THAT(errors_of(text), IsEmpty());
}

TEST(Rule4, NoPartnersNoCoFinancingFinding) {
  const std::size_t from = klein().find("  <partners>");
  const std::size_t to = klein().find("  </partners>") + std::string("  </partners>\n").size();
  const std::string text = klein().substr(0, from) + klein().substr(to);
  EXPECT_THAT(errors_of(text), ElementsAre(RuleAt{"xml.ontbreekt-element", 2}));
}

TEST(Rule4, ATechniekluwRequestsAtMostFourMillion) {
  EXPECT_THAT(findings_of(edit(klein(), "subsidie=\"1850000.00\"", "subsidie=\"4000000.00\"")), IsEmpty());
  EXPECT_THAT(findings_of(edit(klein(), "subsidie=\"1850000.00\"", "subsidie=\"4000000.01\"")),
              ElementsAre(RuleAt{"R4.subsidie-maximum", 4}));
}

TEST(Rule4, ATechniekregioHasNoCap) {
  EXPECT_THAT(findings_of(edit(edit(klein(), "soort=\"techniekluw\"", "soort=\"techniekregio\""),
                               "subsidie=\"1850000.00\"", "subsidie=\"4500000.00\"")),
              IsEmpty());
}

// --- Rule 5: duration -----------------------------------------------------------------------------

TEST(Rule5, TheAgreementLastsAtLeastAsLongAsTheSubsidyPeriod) {
  EXPECT_THAT(findings_of(edit(klein(), "<looptijd einde=\"2028-12-31\"/>", "<looptijd einde=\"2028-12-30\"/>")),
              ElementsAre(RuleAt{"R5.looptijd", line_of(klein(), "<looptijd")}));
  EXPECT_THAT(findings_of(edit(klein(), "<looptijd einde=\"2028-12-31\"/>", "<looptijd einde=\"2029-08-01\"/>")),
              IsEmpty());
}

TEST(Rule5, TheRegulationBeginsBeforeItEnds) {
  EXPECT_THAT(findings_of(edit(klein(), "begin=\"2025-01-01\"", "begin=\"2028-12-31\"")),
              ElementsAre(RuleAt{"R5.regeling-periode", line_of(klein(), "<regeling ")}));
}

// --- Rule 6: one signature per person per partner -------------------------------------------------

TEST(Rule6, TheSamePersonSignsOncePerPartnerComparingEmailWithoutCase) {
  const std::string extra =
      "      <tekenbevoegde id=\"s2b\" naam=\"F. IJzerman\" functie=\"Bestuurder\" hoedanigheid=\"bestuur\" "
      "email=\"F.IJZERMAN@sovoij.example.nl\"/>\n";
  const std::string text =
      edit(klein(), "    </partner>\n    <partner id=\"p2\"", extra + "    </partner>\n    <partner id=\"p2\"");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"R6.dubbele-ondertekenaar", line_of(text, "id=\"s2b\"")}));
}

TEST(Rule6, TheSamePersonMaySignForSeveralPartners) {
  ASSERT_NE(klein().find("id=\"s6\" naam=\"Françoise IJzerman\""), std::string::npos);  // p5, as for p1 (s2)
  EXPECT_THAT(findings_of(edit(klein(), "email=\"f.ijzerman@sovoij.example.nl\"/>\n    </partner>\n    <partner id=\"p6\"",
                               "email=\"F.IJzerman@sovoij.example.nl\"/>\n    </partner>\n    <partner id=\"p6\"")),
              IsEmpty());
}

// --- Rule 7: references -----------------------------------------------------------------------------

TEST(Rule7, AllThreeDocumentsAreReferenced) {
  const std::string text = edit(klein(),
                                "    <document soort=\"activiteitenplan\" titel=\"Activiteitenplan op hoofdlijnen "
                                "IJsselvallei\" datum=\"2024-09-27\"/>\n",
                                "");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"R7.verwijzing", line_of(klein(), "<verwijzingen>")}));
}

TEST(Rule7, EachDocumentIsReferencedOnce) {
  const std::string text = edit(klein(), "<document soort=\"begroting\"", "<document soort=\"regiovisie\"");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"R7.verwijzing", line_of(klein(), "<verwijzingen>")},
                                             RuleAt{"verwijzing.dubbel", line_of(klein(), "soort=\"begroting\"")}));
}

// --- Rule 8: identifiers -----------------------------------------------------------------------------

TEST(Rule8, BrinIsTwoDigitsAndTwoCapitals) {
  const int line = line_of(klein(), "<brin>14KE");
  for (const char* bad : {"14ke", "1KEE", "14KE0", "14 KE"}) {
    EXPECT_THAT(findings_of(edit(klein(), "<brin>14KE</brin>", std::string("<brin>") + bad + "</brin>")),
                ElementsAre(RuleAt{"R8.brin", line}))
        << bad;
  }
}

TEST(Rule8, VestigingsnummerIsTwoDigits) {
  EXPECT_THAT(
      findings_of(edit(klein(), "<vestigingsnummer>01</vestigingsnummer>", "<vestigingsnummer>001</vestigingsnummer>")),
      ElementsAre(RuleAt{"R8.vestigingsnummer", line_of(klein(), "<vestigingsnummer>01")}));
}

TEST(Rule8, KvkIsEightDigits) {
  const int line = line_of(klein(), "<kvk>05012345");
  for (const char* bad : {"0501234", "050123456", "0501234A"}) {
    EXPECT_THAT(findings_of(edit(klein(), "<kvk>05012345</kvk>", std::string("<kvk>") + bad + "</kvk>")),
                ElementsAre(RuleAt{"R8.kvk", line}))
        << bad;
  }
}

TEST(Rule8, PostcodeIsDutchWithOptionalSpaceButNeverSaSdSs) {
  const int line = line_of(klein(), "postcode=\"8263AB\"");
  for (const char* good : {"8263 AB", "1000AA"}) {
    EXPECT_THAT(findings_of(edit(klein(), "postcode=\"8263AB\"", std::string("postcode=\"") + good + "\"")), IsEmpty())
        << good;
  }
  for (const char* bad : {"0263AB", "8263 ab", "8263-AB", "8263SA", "8263 SD", "8263SS", "826AB"}) {
    EXPECT_THAT(findings_of(edit(klein(), "postcode=\"8263AB\"", std::string("postcode=\"") + bad + "\"")),
                ElementsAre(RuleAt{"R8.postcode", line}))
        << bad;
  }
}

TEST(Rule8, AVeryLongIdentifierIsRefusedWithoutRunningTheRegex) {
  const std::string text = edit(klein(), "<kvk>05012345</kvk>", "<kvk>" + std::string(200000, '1') + "</kvk>");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"R8.kvk", line_of(klein(), "<kvk>05012345")}));
}

TEST(Rule8, AnUnusualBevoegdGezagNummerIsOnlyAWarning) {
  const std::string text = edit(klein(), "nummer=\"30512\"", "nummer=\"3051\"");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"R8.bevoegd-gezag-nummer", line_of(klein(), "nummer=\"30512\"")}));
  EXPECT_THAT(errors_of(text), IsEmpty());
}

// --- Whole-file checks ------------------------------------------------------------------------------

TEST(Structure, IdsAreUniqueAcrossPartnersAndSignatories) {
  EXPECT_THAT(findings_of(edit(klein(), "<partner id=\"p8\"", "<partner id=\"s1\"")),
              ElementsAre(RuleAt{"id.dubbel", partner_line("p8")}));
  EXPECT_THAT(findings_of(edit(klein(), "id=\"s9\"", "id=\"s3\"")),
              ElementsAre(RuleAt{"id.dubbel", line_of(klein(), "id=\"s9\"")}));
}

TEST(Structure, ExactlyOnePenvoerder) {
  EXPECT_THAT(findings_of(edit(klein(), " penvoerder=\"ja\"", "")),
              ElementsAre(RuleAt{"penvoerder.aantal", partners_line()}));
  EXPECT_THAT(findings_of(edit(klein(), "<partner id=\"p2\" soort=\"vmbo\">",
                               "<partner id=\"p2\" soort=\"vmbo\" penvoerder=\"ja\">")),
              ElementsAre(RuleAt{"penvoerder.aantal", partners_line()}));
  EXPECT_THAT(findings_of(edit(klein(), "<partner id=\"p2\" soort=\"vmbo\">",
                               "<partner id=\"p2\" soort=\"vmbo\" penvoerder=\"nee\">")),
              IsEmpty());
}

TEST(Structure, ThePenvoerderIsAVmboSchool) {
  std::string text =
      edit(klein(), "<partner id=\"p1\" soort=\"vmbo\" penvoerder=\"ja\">", "<partner id=\"p1\" soort=\"vmbo\">");
  text = edit(text, "<partner id=\"p3\" soort=\"mbo\">", "<partner id=\"p3\" soort=\"mbo\" penvoerder=\"ja\">");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"penvoerder.soort", partner_line("p3")}));
}

TEST(Structure, AVsoPenvoerderIsAllowedWithAWarning) {
  std::string text =
      edit(klein(), "<partner id=\"p1\" soort=\"vmbo\" penvoerder=\"ja\">", "<partner id=\"p1\" soort=\"vmbo\">");
  text = edit(text, "<partner id=\"p5\" soort=\"pro\">", "<partner id=\"p5\" soort=\"vso\" penvoerder=\"ja\">");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"penvoerder.vso", partner_line("p5")}));
}

TEST(Structure, SchoolsNeedBrinVestigingAndBevoegdGezag) {
  EXPECT_THAT(findings_of(edit(klein(), "      <brin>07ZW</brin>\n", "")),
              ElementsAre(RuleAt{"partner.ontbreekt", partner_line("p4")}));
  EXPECT_THAT(findings_of(edit(klein(), "      <bevoegdGezag naam=\"Stichting Deltion\" nummer=\"30512\"/>\n", "")),
              ElementsAre(RuleAt{"partner.ontbreekt", partner_line("p3")}));
}

TEST(Structure, CompaniesNeedKvkAndAddress) {
  EXPECT_THAT(findings_of(edit(klein(), "      <kvk>08123456</kvk>\n", "")),
              ElementsAre(RuleAt{"partner.ontbreekt", partner_line("p7")}));
  EXPECT_THAT(findings_of(edit(
                  klein(), "      <adres straat=\"Ceintuurbaan 201\" postcode=\"8024 AA\" plaats=\"Zwolle\"/>\n", "")),
              ElementsAre(RuleAt{"partner.ontbreekt", partner_line("p7")}));
}

TEST(Structure, ABrinOnACompanyIsAWarning) {
  const std::string text =
      edit(klein(), "      <kvk>08123456</kvk>\n", "      <kvk>08123456</kvk>\n      <brin>99XX</brin>\n");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"partner.onverwacht", line_of(text, "<brin>99XX")}));
}

TEST(Structure, BrinAndVestigingAreUniqueTogether) {
  std::string text = edit(klein(), "<brin>02PB</brin>", "<brin>07ZW</brin>");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"brin.dubbel", line_of(text, "<partner id=\"p5\"") + 3}));
  text = edit(text,
              "<vestigingsnummer>00</vestigingsnummer>\n      <bevoegdGezag naam=\"Stichting Openbaar Voortgezet "
              "Onderwijs IJsselland\" nummer=\"42117\"/>\n      <bijdrage geld=\"0.00\" uren=\"80\"",
              "<vestigingsnummer>01</vestigingsnummer>\n      <bevoegdGezag naam=\"Stichting Openbaar Voortgezet "
              "Onderwijs IJsselland\" nummer=\"42117\"/>\n      <bijdrage geld=\"0.00\" uren=\"80\"");
  EXPECT_THAT(findings_of(text), IsEmpty());
}

TEST(Structure, APartnerContributingNothingIsAWarning) {
  const std::string text = edit(klein(), "geld=\"20000.00\" uren=\"40\"", "geld=\"0.00\" uren=\"0\"");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"bijdrage.leeg", line_of(klein(), "geld=\"20000.00\"")}));
}

TEST(Structure, AnUnknownRegulationListsTheKnownOnes) {
  const Validation v =
      validate(edit(klein(), "2025-2028\" begin", "2029-2032\" begin"), "t.xml", test::shipped_rule_sets());
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(v.findings[0].rule, "regeling.onbekend");
  EXPECT_EQ(v.findings[0].line, 3);
  EXPECT_NE(message(v.findings[0], Taal::nl).find("\"Subsidieregeling sterk techniekonderwijs 2025-2028\""),
            std::string::npos);
}

TEST(Structure, UnknownRegulationStillChecksTheWholeFile) {
  std::string text = edit(klein(), "2025-2028\" begin", "2029-2032\" begin");
  text = edit(text, "<partner id=\"p8\"", "<partner id=\"p7\"");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"regeling.onbekend", 3}, RuleAt{"id.dubbel", partner_line("p8")}));
}

TEST(Structure, RegulationNameMatchesIgnoringCaseAndSpacing) {
  EXPECT_THAT(findings_of(edit(klein(), "naam=\"Subsidieregeling sterk techniekonderwijs 2025-2028\"",
                               "naam=\"subsidieregeling  Sterk Techniekonderwijs\n   2025-2028\"")),
              IsEmpty());
}

// --- The samples -------------------------------------------------------------------------------------

TEST(Samples, AllValidSamplesAndTheSpecExampleHaveNoFindings) {
  for (const char* file : {"/samples/regio-klein-8.xml", "/samples/regio-middel-25.xml", "/samples/regio-groot-108.xml",
                           "/../shared/spec/example.xml"}) {
    const Validation v = validate_file(std::string(STO_SOURCE_DIR) + file, test::shipped_rule_sets());
    EXPECT_TRUE(v.findings.empty()) << file << ": " << (v.findings.empty() ? "" : describe(v.findings[0], Taal::en));
  }
}

TEST(Samples, TheLargeSampleHas108PartnersAndAbout140Signatories) {
  const Validation v = validate_file(STO_SOURCE_DIR "/samples/regio-groot-108.xml", test::shipped_rule_sets());
  ASSERT_EQ(v.agreement.partners.size(), 108u);
  std::size_t signatories = 0;
  for (const auto& p : v.agreement.partners) signatories += p.tekenbevoegden.size();
  EXPECT_GE(signatories, 135u);
  EXPECT_LE(signatories, 150u);
}

}  // namespace
}  // namespace sto
