// The format: bad bytes, bad XML, bad structure and bad values, each with its rule id and line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "sample.h"
#include "sto/agreement.h"

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

TEST(Reader, TheSmallSampleIsValidAndComplete) {
  EXPECT_THAT(findings_of(klein()), IsEmpty());
  const ReadResult r = read_agreement(klein(), "klein.xml");
  ASSERT_TRUE(r.parsed);
  const Agreement& a = r.agreement;
  EXPECT_EQ(a.kenmerk, "STO25-071-SOK");
  EXPECT_EQ(a.versie, 1);
  EXPECT_EQ(a.taal, Taal::nl);
  EXPECT_EQ(a.regio.soort, RegioSoort::techniekluw);
  EXPECT_EQ(a.regio.begroting, 203500000);
  EXPECT_EQ(a.opgesteld.datum->iso(), "2024-10-02");
  ASSERT_EQ(a.partners.size(), 8u);
  const Partner& p1 = a.partners[0];
  EXPECT_TRUE(p1.penvoerder);
  EXPECT_EQ(p1.naam.value, "Thomas à Kempis College");
  EXPECT_EQ(p1.naam.line, line_of(klein(), "<naam>Thomas"));
  EXPECT_EQ(p1.brin->value, "14KE");
  ASSERT_EQ(p1.tekenbevoegden.size(), 2u);
  EXPECT_EQ(p1.tekenbevoegden[1].naam, "Françoise IJzerman");
  EXPECT_EQ(p1.tekenbevoegden[1].line, line_of(klein(), "id=\"s2\""));
  EXPECT_EQ(a.partners[2].naam.value, "Deltion Techniek & Technologie");
  EXPECT_EQ(a.partners[6].tekenbevoegden[0].machtiging, "Volmacht directie d.d. 2024-09-12");
  EXPECT_EQ(a.verwijzingen[2].sha256.size(), 64u);
  EXPECT_TRUE(a.afspraken.empty());
}

TEST(Reader, ReadsAfsprakenWithParagraphsAndLists) {
  const std::string text = edit(klein(), "  </partners>\n",
                                "  </partners>\n  <afspraken>\n    <afspraak titel=\"Verdeling van gelden\">\n"
                                "      <p>De penvoerder\n        verdeelt.</p>\n      <lijst><item>Instroom: "
                                "35%</item><item>Docenten</item></lijst>\n"
                                "    </afspraak>\n  </afspraken>\n");
  const ReadResult r = read_agreement(text, "t.xml");
  ASSERT_TRUE(r.findings.empty());
  ASSERT_EQ(r.agreement.afspraken.size(), 1u);
  const Afspraak& a = r.agreement.afspraken[0];
  EXPECT_EQ(a.titel, "Verdeling van gelden");
  ASSERT_EQ(a.alineas.size(), 2u);
  EXPECT_EQ(a.alineas[0].tekst, "De penvoerder verdeelt.");
  EXPECT_TRUE(a.alineas[1].is_lijst);
  EXPECT_THAT(a.alineas[1].items, ElementsAre("Instroom: 35%", "Docenten"));
}

// --- Bytes --------------------------------------------------------------------------------

TEST(Reader, RejectsMoreThan16MiBBeforeParsing) {
  const std::string big(kMaxAgreementBytes + 1, ' ');
  EXPECT_THAT(findings_of(big), ElementsAre(RuleAt{"bestand.te-groot", 0}));
}

TEST(Reader, RefusesAFileOver16MiB) {
  const auto path = std::filesystem::temp_directory_path() / "sto-reader-te-groot.xml";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(kMaxAgreementBytes + 10, 'x');
  }
  const ReadResult r = read_agreement_file(path);
  std::filesystem::remove(path);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "bestand.te-groot");
  EXPECT_FALSE(r.parsed);
}

TEST(Reader, MissingFileIsAnEnvironmentError) {
  EXPECT_THROW(read_agreement_file("/nonexistent/sto/overeenkomst.xml"), Error);
}

TEST(Reader, RejectsLatin1BytesOnTheirLine) {
  const std::string text = edit(klein(), "Sørensen", "S\xf8rensen");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.codering", line_of(klein(), "Sørensen")}));
}

TEST(Reader, RejectsOverlongAndSurrogateAndTruncatedUtf8) {
  EXPECT_THAT(findings_of(edit(klein(), "Zwolle\"/>", "Zwolle\xc0\xaf\"/>")),
              ElementsAre(RuleAt{"xml.codering", line_of(klein(), "<opgesteld")}));
  EXPECT_THAT(findings_of(edit(klein(), "Zwolle\"/>", "Zwolle\xed\xa0\x80\"/>")),
              ElementsAre(RuleAt{"xml.codering", line_of(klein(), "<opgesteld")}));
  EXPECT_THAT(findings_of(klein() + "\xe2\x82"),
              ElementsAre(RuleAt{"xml.codering", line_of(klein(), "</samenwerkingsovereenkomst>") + 1}));
}

TEST(Reader, AcceptsAUtf8ByteOrderMark) { EXPECT_THAT(findings_of("\xef\xbb\xbf" + klein()), IsEmpty()); }

TEST(Reader, RejectsUtf16) {
  EXPECT_THAT(findings_of(std::string("\xff\xfe<\0s\0", 6)),
              ElementsAre(RuleAt{"xml.codering", 1}, RuleAt{"xml.teken", 1}));
}

TEST(Reader, RejectsControlCharacters) {
  EXPECT_THAT(findings_of(edit(klein(), "Zwolle\"/>", "Zwolle\x01\"/>")),
              ElementsAre(RuleAt{"xml.teken", line_of(klein(), "<opgesteld")}));
}

TEST(Reader, RejectsADeclaredEncodingOtherThanUtf8) {
  EXPECT_THAT(findings_of(edit(klein(), "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")),
              ElementsAre(RuleAt{"xml.codering-verklaard", 1}));
}

// --- XML ------------------------------------------------------------------------------------

TEST(Reader, RejectsTruncatedXmlAtItsEnd) {
  const std::string text = klein().substr(0, klein().find("<partner id=\"p5\"") + 20);
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.misvormd", line_of(klein(), "<partner id=\"p5\"")}));
}

TEST(Reader, RejectsMismatchedTags) {
  EXPECT_THAT(findings_of(edit(klein(), "</naam>", "</name>")),
              ElementsAre(RuleAt{"xml.misvormd", line_of(klein(), "<naam>")}));
}

TEST(Reader, RejectsAnEmptyFile) { EXPECT_THAT(findings_of(""), ElementsAre(RuleAt{"xml.misvormd", 1})); }

TEST(Reader, RejectsBillionLaughsAsDoctype) {
  std::string text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n";
  for (int i = 1; i < 10; ++i) {
    text += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) text += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    text += "\">\n";
  }
  text += "]>\n<samenwerkingsovereenkomst>&lol9;</samenwerkingsovereenkomst>\n";
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.doctype", 2}));
}

TEST(Reader, RejectsExternalEntitiesWithoutResolvingThem) {
  const std::string text = edit(edit(klein(), "?>\n", "?>\n<!DOCTYPE s [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"),
                                "plaats=\"Zwolle\"/>", "plaats=\"&x;\"/>");
  const ReadResult r = read_agreement(text, "t.xml");
  EXPECT_FALSE(r.parsed);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "xml.doctype");
  EXPECT_EQ(r.findings[0].line, 2);
}

TEST(Reader, SurvivesDeepNestingOf16MiB) {
  const std::size_t depth = (kMaxAgreementBytes - 64) / 7;
  std::string text;
  text.reserve(depth * 7);
  for (std::size_t i = 0; i < depth; ++i) text += "<a>";
  for (std::size_t i = 0; i < depth; ++i) text += "</a>";
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.misvormd", 1}));
}

TEST(Reader, RefusesMoreThan256LevelsInsideAPartner) {
  std::string nested;
  for (int i = 0; i < 200000; ++i) nested += "<naam>";
  for (int i = 0; i < 200000; ++i) nested += "</naam>";
  const std::string text = edit(klein(), "<naam>Gemeente Zwolle</naam>", nested);
  EXPECT_THAT(errors_of(text), ElementsAre(RuleAt{"xml.misvormd", line_of(klein(), "<naam>Gemeente Zwolle")}));
}

TEST(Reader, ReportsNestingInsideATextElementOnce) {
  std::string nested;
  for (int i = 0; i < 200; ++i) nested += "<naam>";
  for (int i = 0; i < 200; ++i) nested += "</naam>";
  const std::string text = edit(klein(), "<naam>Gemeente Zwolle</naam>", nested);
  const int line = line_of(klein(), "<naam>Gemeente Zwolle");
  EXPECT_THAT(errors_of(text), ElementsAre(RuleAt{"xml.onbekend-element", line}, RuleAt{"waarde.leeg", line}));
}

TEST(Reader, RejectsAWrongRootElement) {
  EXPECT_THAT(findings_of("<?xml version=\"1.0\"?>\n\n<overeenkomst/>"), ElementsAre(RuleAt{"xml.wortel", 3}));
}

TEST(Reader, RejectsAWrongOrMissingNamespace) {
  EXPECT_THAT(findings_of(edit(klein(), "samenwerkingsovereenkomst:1", "samenwerkingsovereenkomst:2")),
              ElementsAre(RuleAt{"xml.namespace", 2}));
  EXPECT_THAT(findings_of(edit(klein(), " xmlns=\"urn:sto:samenwerkingsovereenkomst:1\"", "")),
              ElementsAre(RuleAt{"xml.namespace", 2}));
}

// Every element under the prefix s: bound to our namespace.
std::string prefixed(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] != '<' || i + 1 >= text.size()) continue;
    if (text[i + 1] == '/') {
      out += '/';
      ++i;
    }
    if (std::isalpha(static_cast<unsigned char>(text[i + 1]))) out += "s:";
  }
  return edit(out, "xmlns=", "xmlns:s=");
}

TEST(Reader, AcceptsOurNamespaceUnderAPrefix) {
  EXPECT_THAT(findings_of(prefixed(klein())), IsEmpty());
  EXPECT_EQ(read_agreement(prefixed(klein()), "t.xml").agreement.partners.size(), 8u);
}

TEST(Reader, RejectsChildrenOutsideOurNamespace) {
  const std::string text = edit(klein(), "<looptijd einde", "<looptijd xmlns=\"urn:iets:anders\" einde");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.ontbreekt-element", 2},
                                             RuleAt{"xml.onbekend-element", line_of(klein(), "<looptijd")}));
}

TEST(Reader, RejectsWhatPugixmlWouldLetThrough) {
  // Each is not well-formed XML 1.0; libxml2 says so, at the offending line.
  const int opgesteld = line_of(klein(), "<opgesteld");
  EXPECT_THAT(findings_of(edit(klein(), "plaats=\"Zwolle\"/>", "plaats=\"Zwolle\" plaats=\"Kampen\"/>")),
              ElementsAre(RuleAt{"xml.misvormd", opgesteld}));
  EXPECT_THAT(findings_of(edit(klein(), "plaats=\"Zwolle\"/>", "plaats=\"&zwolle;\"/>")),
              ElementsAre(RuleAt{"xml.misvormd", opgesteld}));
  EXPECT_THAT(findings_of(edit(klein(), "plaats=\"Zwolle\"/>", "plaats=\"Zwolle&#1;\"/>")),
              ElementsAre(RuleAt{"xml.misvormd", opgesteld}));
  EXPECT_THAT(findings_of(edit(klein(), "plaats=\"Zwolle\"/>", "plaats=\"<Zwolle\"/>")),
              ElementsAre(RuleAt{"xml.misvormd", opgesteld}));
  EXPECT_THAT(findings_of(edit(klein(), "<naam>Gemeente Zwolle</naam>", "<naam>Gemeente & Zwolle</naam>")),
              ElementsAre(RuleAt{"xml.misvormd", line_of(klein(), "<naam>Gemeente Zwolle")}));
  const int last = line_of(klein(), "</samenwerkingsovereenkomst>");
  EXPECT_THAT(findings_of(klein() + "<samenwerkingsovereenkomst/>\n"), ElementsAre(RuleAt{"xml.misvormd", last + 1}));
  EXPECT_THAT(findings_of(klein() + "naschrift\n"), ElementsAre(RuleAt{"xml.misvormd", last + 1}));
  EXPECT_THAT(findings_of(edit(klein(), "<samenwerkingsovereenkomst ", "<extra/>\n<samenwerkingsovereenkomst ")),
              ElementsAre(RuleAt{"xml.misvormd", 3}));
}

TEST(Reader, CountsLinesEndedByCarriageReturnsAlone) {
  std::string mac = edit(klein(), "<kvk>05012345</kvk>", "<kvk>0501234</kvk>");
  for (char& c : mac) c = c == '\n' ? '\r' : c;
  EXPECT_THAT(findings_of(mac), ElementsAre(RuleAt{"R8.kvk", line_of(klein(), "<kvk>05012345")}));
  std::string dos;
  for (char c : edit(klein(), "<kvk>05012345</kvk>", "<kvk>0501234</kvk>"))
    dos += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_THAT(findings_of(dos), ElementsAre(RuleAt{"R8.kvk", line_of(klein(), "<kvk>05012345")}));
}

TEST(Reader, StopsCollectingAfterAThousandFindings) {
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "<x/>\n";
  const std::string text = edit(klein(), "  <partners>\n", "  <partners>\n" + many);
  const auto found = findings_of(text);
  ASSERT_EQ(found.size(), kMaxFindings + 1);
  EXPECT_EQ(found.front(), (RuleAt{"xml.onbekend-element", line_of(text, "<x/>")}));
  EXPECT_EQ(found.back(), (RuleAt{"bevindingen.te-veel", 0}));
}

TEST(Reader, StaysLinearWithManyChildren) {
  // Resolving namespaces once per element keeps this fast; per lookup it would take hours.
  std::string children;
  for (int i = 0; i < 200000; ++i) children += "<x a=\"\"/>";
  const std::string text =
      "<samenwerkingsovereenkomst xmlns=\"urn:sto:samenwerkingsovereenkomst:1\" kenmerk=\"k\" versie=\"1\">" +
      children + "</samenwerkingsovereenkomst>";
  const auto found = findings_of(text);
  ASSERT_EQ(found.size(), kMaxFindings + 1);
  EXPECT_EQ(found.back(), (RuleAt{"bevindingen.te-veel", 0}));
}

TEST(Reader, RefusesAnElementWithTooManyAttributesBeforeTheQuadraticCheck) {
  // libxml2's duplicate-attribute test is quadratic: 200 000 attributes took minutes.
  std::string attributes;
  for (int i = 0; i < 200000; ++i) attributes += " a" + std::to_string(i) + "=\"\"";
  const std::string text = "<samenwerkingsovereenkomst xmlns=\"urn:sto:samenwerkingsovereenkomst:1\">\n<partner" +
                           attributes + "/></samenwerkingsovereenkomst>";
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.te-veel-attributen", 2}));
  std::string just_enough;  // with datum and plaats: 64 attributes on <opgesteld>
  for (int i = 0; i < 62; ++i) just_enough += " a" + std::to_string(i) + "=\"\"";
  const std::string edge = edit(klein(), "<opgesteld ", "<opgesteld" + just_enough + " ");
  for (const auto& [rule, line] : findings_of(edge)) EXPECT_NE(rule, "xml.te-veel-attributen");
  EXPECT_THAT(findings_of(edit(klein(), "<opgesteld ", "<opgesteld a=\"\"" + just_enough + " ")),
              ElementsAre(RuleAt{"xml.te-veel-attributen", line_of(klein(), "<opgesteld ")}));
}

// --- Structure -------------------------------------------------------------------------------

TEST(Reader, RejectsAnUnknownElement) {
  const std::string text =
      edit(klein(), "      <kvk>05086215</kvk>\n", "      <kvk>05086215</kvk>\n      <website>x</website>\n");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.onbekend-element", line_of(text, "<website>")}));
}

TEST(Reader, RejectsMarkupInsideText) {
  EXPECT_THAT(findings_of(edit(klein(), "<naam>Gemeente Zwolle</naam>", "<naam>Gemeente <b>Zwolle</b></naam>")),
              ElementsAre(RuleAt{"xml.onbekend-element", line_of(klein(), "<naam>Gemeente Zwolle")}));
}

TEST(Reader, RejectsTopLevelElementsOutOfOrder) {
  const std::string text =
      edit(klein(), "  <looptijd einde=\"2028-12-31\"/>\n  <opgesteld datum=\"2024-10-02\" plaats=\"Zwolle\"/>\n",
           "  <opgesteld datum=\"2024-10-02\" plaats=\"Zwolle\"/>\n  <looptijd einde=\"2028-12-31\"/>\n");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.volgorde", line_of(text, "<looptijd")}));
}

TEST(Reader, ReportsAMissingRequiredElementAtItsParent) {
  EXPECT_THAT(findings_of(edit(klein(), "  <looptijd einde=\"2028-12-31\"/>\n", "")),
              ElementsAre(RuleAt{"xml.ontbreekt-element", 2}));
  const std::string text = edit(klein(),
                                "      <tekenbevoegde id=\"s9\" naam=\"Ruud IJpelaar\" functie=\"Wethouder Onderwijs\" "
                                "hoedanigheid=\"kvk\" email=\"r.ijpelaar@zwolle.example.nl\"/>\n",
                                "");
  EXPECT_THAT(errors_of(text), ElementsAre(RuleAt{"xml.ontbreekt-element", line_of(klein(), "<partner id=\"p8\"")},
                                           RuleAt{"R3.tekenbevoegde", line_of(klein(), "<partner id=\"p8\"")}));
}

TEST(Reader, RejectsARepeatedSingleElement) {
  const std::string text =
      edit(klein(), "      <kvk>05086215</kvk>\n", "      <kvk>05086215</kvk>\n      <kvk>05086216</kvk>\n");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.dubbel-element", line_of(text, "05086216")}));
}

TEST(Reader, RejectsStrayText) {
  const std::string text = edit(klein(), "  <partners>\n", "  <partners>\n    partner 1:\n");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.tekst", line_of(text, "<partners>")}));
}

TEST(Reader, ReportsMissingRequiredAttributes) {
  EXPECT_THAT(findings_of(edit(klein(), " kenmerk=\"STO25-071-SOK\"", "")),
              ElementsAre(RuleAt{"xml.ontbreekt-attribuut", 2}));
  EXPECT_THAT(findings_of(edit(klein(), " email=\"r.ijpelaar@zwolle.example.nl\"", "")),
              ElementsAre(RuleAt{"xml.ontbreekt-attribuut", line_of(klein(), "id=\"s9\"")}));
}

TEST(Reader, WarnsAboutUnknownAttributesAndStaysValid) {
  const std::string text = edit(klein(), "<looptijd einde", "<looptijd kleur=\"blauw\" einde");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"xml.onbekend-attribuut", line_of(klein(), "<looptijd")}));
  EXPECT_THAT(errors_of(text), IsEmpty());
}

// --- Values ---------------------------------------------------------------------------------

TEST(Reader, RejectsEmptyRequiredValues) {
  const int s9 = line_of(klein(), "id=\"s9\"");
  EXPECT_THAT(findings_of(edit(klein(), "naam=\"Ruud IJpelaar\"", "naam=\"  \"")),
              ElementsAre(RuleAt{"waarde.leeg", s9}));
  EXPECT_THAT(errors_of(edit(klein(), "<kvk>05086215</kvk>", "<kvk> </kvk>")),
              ElementsAre(RuleAt{"waarde.leeg", line_of(klein(), "<kvk>05086215")}));
  const std::string text = edit(klein(), ">Vervoer van leerlingen naar het techniekcentrum.</bijdrage>", "/>");
  EXPECT_THAT(findings_of(text), ElementsAre(RuleAt{"waarde.leeg", line_of(klein(), "Vervoer van leerlingen")}));
}

TEST(Reader, RejectsValuesOutsideTheirChoices) {
  EXPECT_THAT(
      findings_of(edit(klein(), "<partner id=\"p8\" soort=\"overheid\"", "<partner id=\"p8\" soort=\"gemeente\"")),
      ElementsAre(RuleAt{"waarde.keuze", line_of(klein(), "<partner id=\"p8\"")}));
  EXPECT_THAT(
      findings_of(edit(klein(), "hoedanigheid=\"kvk\" email=\"r.ijp", "hoedanigheid=\"wethouder\" email=\"r.ijp")),
      ElementsAre(RuleAt{"R3.tekenbevoegde", line_of(klein(), "<partner id=\"p8\"")},
                  RuleAt{"waarde.keuze", line_of(klein(), "id=\"s9\"")}));
  EXPECT_THAT(findings_of(edit(klein(), "versie=\"1\"", "versie=\"1\" taal=\"de\"")),
              ElementsAre(RuleAt{"waarde.keuze", 2}));
  EXPECT_THAT(errors_of(edit(klein(), "penvoerder=\"ja\"", "penvoerder=\"yes\"")),
              ElementsAre(RuleAt{"penvoerder.aantal", line_of(klein(), "<partners>")},
                          RuleAt{"waarde.keuze", line_of(klein(), "<partner id=\"p1\"")}));
}

TEST(Reader, ReadsTaalEnglish) {
  const ReadResult r = read_agreement(edit(klein(), "versie=\"1\"", "versie=\"1\" taal=\"en\""), "t.xml");
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.agreement.taal, Taal::en);
}

TEST(Reader, RejectsABadKenmerk) {
  EXPECT_THAT(findings_of(edit(klein(), "kenmerk=\"STO25-071-SOK\"", "kenmerk=\"STO25 071/SOK\"")),
              ElementsAre(RuleAt{"kenmerk.ongeldig", 2}));
  EXPECT_THAT(findings_of(edit(klein(), "kenmerk=\"STO25-071-SOK\"", "kenmerk=\"" + std::string(65, 'K') + "\"")),
              ElementsAre(RuleAt{"kenmerk.ongeldig", 2}));
}

TEST(Reader, AcceptsAnyPositiveVersie) {
  for (const char* good : {"2", "0000000001", "1000000000"}) {
    EXPECT_THAT(findings_of(edit(klein(), "versie=\"1\"", std::string("versie=\"") + good + "\"")), IsEmpty()) << good;
  }
}

TEST(Reader, RejectsAVersieThatIsNotAPositiveInteger) {
  for (const char* bad : {"0", "-1", "1.5", "een", "99999999999999999999"}) {
    EXPECT_THAT(findings_of(edit(klein(), "versie=\"1\"", std::string("versie=\"") + bad + "\"")),
                ElementsAre(RuleAt{"versie.ongeldig", 2}))
        << bad;
  }
}

TEST(Reader, RejectsNonexistentDates) {
  EXPECT_THAT(findings_of(edit(klein(), "datum=\"2024-10-02\"", "datum=\"2024-02-30\"")),
              ElementsAre(RuleAt{"datum.ongeldig", line_of(klein(), "<opgesteld")}));
  EXPECT_THAT(findings_of(edit(klein(), "<looptijd einde=\"2028-12-31\"", "<looptijd einde=\"31-12-2028\"")),
              ElementsAre(RuleAt{"datum.ongeldig", line_of(klein(), "<looptijd")}));
}

TEST(Reader, RejectsAmountsThatAreNotExactEuros) {
  const int p7 = line_of(klein(), "geld=\"90000.00\"");
  for (const char* bad : {"90.000,00", "90000.001", "-90000", "9e4", "€90000"}) {
    EXPECT_THAT(findings_of(edit(klein(), "geld=\"90000.00\"", std::string("geld=\"") + bad + "\"")),
                ElementsAre(RuleAt{"bedrag.ongeldig", p7}))
        << bad;
  }
  EXPECT_THAT(findings_of(edit(klein(), "subsidie=\"1850000.00\"", "subsidie=\"1.850.000\"")),
              ElementsAre(RuleAt{"bedrag.ongeldig", 4}));
}

TEST(Reader, RejectsHoursThatAreNotWholeNumbers) {
  EXPECT_THAT(findings_of(edit(klein(), "uren=\"160\"", "uren=\"16.5\"")),
              ElementsAre(RuleAt{"uren.ongeldig", line_of(klein(), "uren=\"160\"")}));
}

TEST(Reader, AbsentMoneyAndHoursMeanZero) {
  const ReadResult r = read_agreement(edit(klein(), "geld=\"90000.00\" uren=\"160\"", ""), "t.xml");
  EXPECT_EQ(r.agreement.partners[6].bijdrage->geld, 0);
  EXPECT_EQ(r.agreement.partners[6].bijdrage->uren, 0);
}

TEST(Reader, RejectsBadIds) {
  EXPECT_THAT(findings_of(edit(klein(), "<partner id=\"p8\"", "<partner id=\"8p\"")),
              ElementsAre(RuleAt{"id.ongeldig", line_of(klein(), "<partner id=\"p8\"")}));
  EXPECT_THAT(findings_of(edit(klein(), "id=\"s9\"", "id=\"s" + std::string(32, '9') + "\"")),
              ElementsAre(RuleAt{"id.ongeldig", line_of(klein(), "id=\"s9\"")}));
}

TEST(Reader, CountsNameLengthInCharactersNotBytes) {
  std::string ok;
  for (int i = 0; i < 200; ++i) ok += "ë";
  EXPECT_THAT(findings_of(edit(klein(), "<naam>Gemeente Zwolle</naam>", "<naam>" + ok + "</naam>")), IsEmpty());
  EXPECT_THAT(findings_of(edit(klein(), "<naam>Gemeente Zwolle</naam>", "<naam>" + ok + "e</naam>")),
              ElementsAre(RuleAt{"naam.lengte", line_of(klein(), "<naam>Gemeente Zwolle")}));
}

// Issue 20: text that shows otherwise than it reads. A right-to-left override in a name makes
// page, mail and PDF show it reversed (each differently), a zero-width space makes a name its
// holder cannot type; both are refused where they stand, in element text and in attributes.
TEST(Reader, RejectsInvisibleAndBidiCharactersWhereTheyStand) {
  const int zwolle = line_of(klein(), "<naam>Gemeente Zwolle");
  const int s9 = line_of(klein(), "id=\"s9\"");
  for (const std::string c : {"\u202E", "\u202A", "\u2066", "\u200F", "\u061C", "\u200B", "\u200D", "\u2060", "\uFEFF",
                              "\u00AD", "\u2028", "\U000E0041", "\u0085"}) {
    EXPECT_THAT(findings_of(edit(klein(), "<naam>Gemeente Zwolle</naam>", "<naam>Gemeente " + c + "Zwolle</naam>")),
                ElementsAre(RuleAt{"tekst.onzichtbaar", zwolle}));
    EXPECT_THAT(findings_of(edit(klein(), "r.ijpelaar@zwolle.example.nl", "r.ijpelaar@zwolle.example.nl" + c)),
                ::testing::Contains(RuleAt{"tekst.onzichtbaar", s9}));
  }
  // As a character reference too.
  const auto referenced =
      findings_of(edit(klein(), "<naam>Gemeente Zwolle</naam>", "<naam>Gemeente &#x202E;Zwolle</naam>"));
  EXPECT_THAT(referenced, ElementsAre(RuleAt{"tekst.onzichtbaar", zwolle}));
  const ReadResult r =
      read_agreement(edit(klein(), "<naam>Gemeente Zwolle</naam>", "<naam>Gemeente \u202EZwolle</naam>"), "k.xml");
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(describe(r.findings.front(), Taal::nl).find("U+202E") != std::string::npos, true);
  // Visible letters, a no-break space and accents stay welcome.
  EXPECT_THAT(
      findings_of(edit(klein(), "<naam>Gemeente Zwolle</naam>", "<naam>Gemeente\u00A0Zwölle – Ĳsselmonde</naam>")),
      IsEmpty());
}

TEST(Reader, RejectsUnusableEmailAddresses) {
  const int s9 = line_of(klein(), "id=\"s9\"");
  for (const char* bad :
       {"r.ijpelaar", "r ijpelaar@zwolle.nl", "@zwolle.nl", "r@zwolle", "r@zwolle..nl", "r@@zwolle.nl"}) {
    EXPECT_THAT(findings_of(edit(klein(), "r.ijpelaar@zwolle.example.nl", bad)),
                ElementsAre(RuleAt{"email.ongeldig", s9}))
        << bad;
  }
}

TEST(Reader, RejectsAMalformedSha256) {
  const int line = line_of(klein(), "sha256=");
  EXPECT_THAT(findings_of(edit(klein(), "sha256=\"3b7e", "sha256=\"3b7")),
              ElementsAre(RuleAt{"sha256.ongeldig", line}));
  EXPECT_THAT(findings_of(edit(klein(), "sha256=\"3b7e", "sha256=\"xb7e")),
              ElementsAre(RuleAt{"sha256.ongeldig", line}));
  const ReadResult upper = read_agreement(edit(klein(), "sha256=\"3b7e", "sha256=\"3B7E"), "t.xml");
  EXPECT_TRUE(upper.findings.empty());
  EXPECT_EQ(upper.agreement.verwijzingen[2].sha256.substr(0, 4), "3b7e");
}

TEST(Reader, RequiresAMandateForAGemachtigde) {
  const int s8 = line_of(klein(), "id=\"s8\"");
  EXPECT_THAT(findings_of(edit(klein(), " machtiging=\"Volmacht directie d.d. 2024-09-12\"", "")),
              ElementsAre(RuleAt{"machtiging.ontbreekt", s8}));
  const int s9 = line_of(klein(), "id=\"s9\"");
  EXPECT_THAT(findings_of(edit(klein(), "hoedanigheid=\"kvk\" email=\"r.ijp",
                               "hoedanigheid=\"kvk\" machtiging=\"Besluit B&amp;W\" email=\"r.ijp")),
              ElementsAre(RuleAt{"machtiging.onnodig", s9}));
}

}  // namespace
}  // namespace sto
