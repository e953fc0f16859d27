// The template engine and the shipped templates: what the contract says, and template errors
// that name file and line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sample.h"
#include "scratch.h"
#include "sto/template.h"

namespace sto {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kTemplates = STO_SOURCE_DIR "/templates";

Agreement klein_agreement() {
  const Validation v = validate(test::klein(), "klein.xml", test::shipped_rule_sets());
  EXPECT_TRUE(v.valid());
  return v.agreement;
}

template <typename T>
std::vector<const T*> blocks_of(const Document& d) {
  std::vector<const T*> out;
  for (const auto& b : d.blocks) {
    if (const auto* t = std::get_if<T>(&b)) out.push_back(t);
  }
  return out;
}

TEST(Template, FillsTheDutchContractFromTheAgreement) {
  const Document d = Template::load_for(kTemplates, Taal::nl).fill(klein_agreement());
  EXPECT_EQ(d.title, "Samenwerkingsovereenkomst");
  EXPECT_EQ(d.subtitle, "STO-regio IJsselvallei (STO25071) · Subsidieregeling sterk techniekonderwijs 2025-2028");
  EXPECT_EQ(d.info.author, "Thomas à Kempis College");
  EXPECT_EQ(d.info.created, (Date{2024, 10, 2}));
  EXPECT_THAT(d.info.fingerprint, HasSubstr(klein_agreement().xml_sha256));
  EXPECT_EQ(d.info.footer, "pagina {pagina} van {paginas}");

  const auto tables = blocks_of<Table>(d);
  ASSERT_EQ(tables.size(), 1u);
  ASSERT_EQ(tables[0]->rows.size(), 8u);
  EXPECT_EQ(tables[0]->rows[5][0], "Bouwbedrijf Van 't Oever & Zn. B.V.");
  EXPECT_EQ(tables[0]->rows[5][3], "€\u00A0125.000,00");
  EXPECT_THAT(tables[0]->footer, ::testing::ElementsAre("Totaal", "", "2.876", "€\u00A0247.000,00"));

  const auto signatures = blocks_of<SignatureBlock>(d);
  ASSERT_EQ(signatures.size(), 8u);
  EXPECT_EQ(signatures[0]->title, "Penvoerder");
  ASSERT_EQ(signatures[0]->signatories.size(), 2u);
  EXPECT_EQ(signatures[0]->signatories[1].id, "s2");
  EXPECT_EQ(signatures[0]->signatories[1].naam, "Françoise IJzerman");
  EXPECT_EQ(signatures[6]->signatories[0].machtiging, "Volmacht directie d.d. 2024-09-12");
  EXPECT_EQ(signatures[7]->title, "Deelnemende lokale overheid");

  bool effective = false;
  for (const auto* p : blocks_of<Paragraph>(d))
    effective = effective || p->text.find("eindigt op 31 december 2028") != std::string::npos;
  EXPECT_TRUE(effective);
  const auto headings = blocks_of<Heading>(d);
  ASSERT_FALSE(headings.empty());
  EXPECT_EQ(headings[0]->number, "1.");
  EXPECT_EQ(headings[0]->text, "Deelnemende partners");
}

TEST(Template, FillsTheEnglishContract) {
  Agreement a = klein_agreement();
  a.taal = Taal::en;
  const Document d = Template::load_for(kTemplates, Taal::en).fill(a);
  EXPECT_EQ(d.title, "Cooperation agreement");
  const auto tables = blocks_of<Table>(d);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_THAT(tables[0]->footer, ::testing::ElementsAre("Total", "", "2,876", "€247,000.00"));
  EXPECT_EQ(d.info.footer, "page {pagina} of {paginas}");
}

TEST(Template, PrintsAfsprakenAsNumberedArticlesAfterTheStandardOnes) {
  const Validation v = validate_file(STO_SOURCE_DIR "/../shared/spec/example.xml", test::shipped_rule_sets());
  const Document d = Template::load_for(kTemplates, Taal::nl).fill(v.agreement);
  std::vector<std::string> numbered;
  for (const auto* h : blocks_of<Heading>(d)) {
    if (!h->number.empty()) numbered.push_back(h->number + " " + h->text);
  }
  EXPECT_THAT(numbered, ::testing::ElementsAre("1. Deelnemende partners", "2. Bijdrage per partner",
                                               "3. Duur van de overeenkomst", "4. Documenten bij de aanvraag",
                                               "5. Organisatie van de samenwerking", "6. Verdeling van gelden",
                                               "7. Toetreding en uittreding", "8. Wijzigingen", "9. Verklaringen",
                                               "10. Ondertekening"));
  bool sha = false;
  for (const auto* p : blocks_of<Paragraph>(d)) sha = sha || p->text.find("9f2c4b1e0d8a7c6b") != std::string::npos;
  EXPECT_TRUE(sha) << "the referenced document's SHA-256 is printed";
}

TEST(Template, AnEnormousCoFinancingShareIsPrintedRoundedDownWithoutOverflow) {
  // A begroting of one cent against very large company contributions: share * 1000 overflows
  // int64 once the companies give more than about 9.2 * 10^15 cents.
  const auto percentage_of = [](int companies) {
    Agreement a = klein_agreement();
    a.regio.begroting = 1;
    Partner company = *std::find_if(a.partners.begin(), a.partners.end(),
                                    [](const Partner& p) { return p.soort == PartnerSoort::bedrijf; });
    company.tekenbevoegden.clear();
    company.bijdrage->geld = 99'999'999'999'999;  // the largest amount the reader accepts
    for (int i = 0; i < companies; ++i) {
      company.id = "extra" + std::to_string(i);
      a.partners.push_back(company);
    }
    const Document d = Template::load_for(kTemplates, Taal::nl).fill(a);
    for (const auto* p : blocks_of<Paragraph>(d)) {
      if (p->text.starts_with("De bedrijven dragen samen")) return p->text;
    }
    return std::string("not found");
  };
  EXPECT_THAT(percentage_of(1), ::testing::ContainsRegex("bij: [0-9]+,[0-9] % van de subsidiabele begroting"));
  // 100 such companies: printed as whole hundreds of percent, never negative.
  EXPECT_THAT(percentage_of(100), ::testing::ContainsRegex("bij: [0-9]+00 % van de subsidiabele begroting"));
}

class BrokenTemplate : public test::ScratchTest {
 protected:
  // The shipped Dutch template with one edit; returns the error text of loading it and, unless
  // `load_only`, filling it with the small sample ("no error" when neither throws).
  std::string error_after(std::string_view from, std::string_view to, bool load_only = false) {
    const std::string text = test::edit(test::read_file((kTemplates / "nl" / "overeenkomst.xml").string()), from, to);
    const fs::path file = dir_ / "overeenkomst.xml";
    test::spill(file, text);
    try {
      const Template loaded = Template::load(file);
      if (!load_only) (void)loaded.fill(klein_agreement());
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
  // What load() must already refuse, before any agreement is filled.
  std::string load_error_after(std::string_view from, std::string_view to) { return error_after(from, to, true); }
  int line_in_template(std::string_view needle) {
    return test::line_of(test::read_file((kTemplates / "nl" / "overeenkomst.xml").string()), needle);
  }
};

TEST_F(BrokenTemplate, AnUnknownPlaceholderNamesFileAndLine) {
  const int line = line_in_template("<alinea>Aan de regio nemen");
  EXPECT_THAT(error_after("{aantal.partners} partners deel", "{aantal.partnerz} partners deel"),
              HasSubstr("overeenkomst.xml:" + std::to_string(line) + ": sjabloon: onbekende waarde {aantal.partnerz}"));
}

TEST_F(BrokenTemplate, APlaceholderInABranchThisAgreementDoesNotTakeIsCheckedAtLoad) {
  // The small sample has no afspraken: the branch never runs for it, and must still be checked.
  const int line = line_in_template("<kop genummerd=\"ja\">{afspraak.titel}</kop>");
  EXPECT_THAT(
      load_error_after("<kop genummerd=\"ja\">{afspraak.titel}</kop>", "<kop genummerd=\"ja\">{afspraak.titl}</kop>"),
      HasSubstr("overeenkomst.xml:" + std::to_string(line) + ": sjabloon: onbekende waarde {afspraak.titl}"));
  EXPECT_THAT(load_error_after("<alinea stijl=\"klein\">SHA-256 van {document.titel}",
                               "<alinea stijl=\"klein\">SHA-256 van {document.titels}"),
              HasSubstr("onbekende waarde {document.titels}"));
}

TEST_F(BrokenTemplate, AnUnknownAttributeOrValueIsAnError) {
  const int line = line_in_template("<kop genummerd=\"ja\">Verklaringen");
  EXPECT_THAT(
      load_error_after("<kop genummerd=\"ja\">Verklaringen", "<kop genumerd=\"ja\">Verklaringen"),
      HasSubstr("overeenkomst.xml:" + std::to_string(line) + ": sjabloon: onbekend attribuut genumerd op <kop>"));
  EXPECT_THAT(load_error_after("<kop genummerd=\"ja\">Verklaringen", "<kop genummerd=\"jawel\">Verklaringen"),
              HasSubstr("genummerd=\"jawel\" is niet toegestaan; kies uit ja, nee"));
  EXPECT_THAT(load_error_after("<kop niveau=\"2\">{partner.rol}", "<kop niveau=\"3\">{partner.rol}"),
              HasSubstr("niveau=\"3\" is niet toegestaan"));
}

TEST_F(BrokenTemplate, AColumnWidthMustBeAPlainNumber) {
  for (const char* width : {"abc", "5.2cm", "0", "-1", "1e9", ""}) {
    EXPECT_THAT(load_error_after("breedte=\"5.2\"", std::string("breedte=\"") + width + "\""),
                HasSubstr("breedte moet een getal tussen 0 en 100 zijn"))
        << width;
  }
  EXPECT_EQ(load_error_after("breedte=\"5.2\"", "breedte=\"5\""), "no error");
}

TEST_F(BrokenTemplate, TheFingerprintLineMustShowTheXmlHash) {
  EXPECT_THAT(load_error_after("{xml.sha256}\"/>", "{{xml.sha256}}\"/>"),
              HasSubstr("vingerafdruk moet {xml.sha256} tonen"));
  EXPECT_THAT(load_error_after("vingerafdruk=\"XML-vingerafdruk (SHA-256): {xml.sha256}\"",
                               "vingerafdruk=\"XML-vingerafdruk\""),
              HasSubstr("vingerafdruk moet {xml.sha256} tonen"));
}

TEST_F(BrokenTemplate, PageNumbersExistOnlyInTheFooter) {
  EXPECT_THAT(load_error_after("koptekst=\"Samenwerkingsovereenkomst {regio.naam}", "koptekst=\"{pagina} {regio.naam}"),
              HasSubstr("onbekende waarde {pagina}"));
}

TEST_F(BrokenTemplate, EveryTekenbevoegdeNeedsExactlyOneSignatureField) {
  EXPECT_THAT(error_after("<ondertekenaar id=\"{tekenbevoegde.id}\"", "<ondertekenaar id=\"{partner.id}\""),
              HasSubstr("moet precies één keer voorkomen, met de id van een tekenbevoegde"));
}

TEST_F(BrokenTemplate, TwoAlternativeSignatureLayoutsAreAValidTemplate) {
  // Check mode takes both branches; only a real fill counts the fields.
  const std::string block =
      "<handtekeningen partner-id=\"{partner.id}\" titel=\"{partner.rol}\" partner=\"{partner.naam}\">\n"
      "      <elk lijst=\"partner.tekenbevoegden\">\n"
      "        <ondertekenaar id=\"{tekenbevoegde.id}\" naam=\"{tekenbevoegde.naam}\" "
      "functie=\"{tekenbevoegde.functie}\"\n"
      "                       hoedanigheid=\"{tekenbevoegde.hoedanigheid}\" "
      "machtiging=\"{tekenbevoegde.machtiging}\"/>\n"
      "      </elk>\n"
      "    </handtekeningen>";
  const std::string school = block;
  std::string other = block;
  other.replace(other.find("titel=\"{partner.rol}\""), 21, "titel=\"Partner\"");
  EXPECT_EQ(error_after(block, "<als waarde=\"partner.school\">" + school + "</als><als niet=\"partner.school\">" +
                                   other + "</als>"),
            "no error");
}

TEST_F(BrokenTemplate, ATekenbevoegdeWithoutASignatureFieldIsAnError) {
  // Fields only for schools: the companies' tekenbevoegden would have nowhere to sign.
  const std::string field =
      "<ondertekenaar id=\"{tekenbevoegde.id}\" naam=\"{tekenbevoegde.naam}\" functie=\"{tekenbevoegde.functie}\"\n"
      "                       hoedanigheid=\"{tekenbevoegde.hoedanigheid}\" "
      "machtiging=\"{tekenbevoegde.machtiging}\"/>";
  EXPECT_THAT(error_after(field, "<als waarde=\"partner.school\">" + field + "</als>"),
              HasSubstr("heeft geen <ondertekenaar> (handtekeningveld)"));
}

TEST_F(BrokenTemplate, AnUnknownElementNamesFileAndLine) {
  const int line = line_in_template("<kop genummerd=\"ja\">Verklaringen");
  EXPECT_THAT(error_after("<kop genummerd=\"ja\">Verklaringen</kop>", "<kopje>Verklaringen</kopje>"),
              HasSubstr("overeenkomst.xml:" + std::to_string(line) + ": sjabloon: onbekend element <kopje>"));
}

TEST_F(BrokenTemplate, AnUnknownListNamesFileAndLine) {
  const int line = line_in_template("<elk lijst=\"verwijzingen\">");
  EXPECT_THAT(error_after("<elk lijst=\"verwijzingen\">", "<elk lijst=\"documenten\">"),
              HasSubstr("overeenkomst.xml:" + std::to_string(line) + ": sjabloon: onbekende lijst \"documenten\""));
}

TEST_F(BrokenTemplate, AnUnclosedBraceIsAnError) {
  EXPECT_THAT(error_after("Aan de regio nemen de volgende {aantal.partners}",
                          "Aan de regio nemen de volgende {aantal.partners"),
              HasSubstr("'{' zonder '}'"));
}

TEST_F(BrokenTemplate, AMissingWordIsAnError) {
  EXPECT_THAT(error_after("<woord sleutel=\"maand.5\">mei</woord>", ""),
              HasSubstr("<woorden> mist <woord sleutel=\"maand.5\">"));
}

TEST_F(BrokenTemplate, MalformedXmlNamesTheLine) {
  const int line = line_in_template("<titel>Samenwerkingsovereenkomst</titel>");
  EXPECT_THAT(error_after("<titel>Samenwerkingsovereenkomst</titel>", "<titel>Samenwerkingsovereenkomst</titl>"),
              HasSubstr("overeenkomst.xml:" + std::to_string(line)));
}

TEST_F(BrokenTemplate, ARowWithTooFewCellsIsAnError) {
  EXPECT_THAT(
      error_after("<cel>{partner.uren}</cel><cel>{partner.geld}</cel></rij>", "<cel>{partner.uren}</cel></rij>"),
      HasSubstr("niet evenveel cellen"));
}

TEST_F(BrokenTemplate, EditingTheTextNeedsNoRebuild) {
  const fs::path file = dir_ / "overeenkomst.xml";
  std::ofstream(file) << test::edit(test::read_file((kTemplates / "nl" / "overeenkomst.xml").string()),
                                    "<titel>Samenwerkingsovereenkomst</titel>",
                                    "<titel>Overeenkomst van samenwerking</titel>");
  EXPECT_EQ(Template::load(file).fill(klein_agreement()).title, "Overeenkomst van samenwerking");
}

}  // namespace
}  // namespace sto
