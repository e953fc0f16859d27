// Amendments (wijziging.xml): the reader, the checks against the agreement in force, the rules on
// the list after the change, who signs, and the document that is rendered.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "sample.h"
#include "sto/render.h"
#include "sto/template.h"

namespace sto {
namespace {

namespace fs = std::filesystem;
using test::RuleAt;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const fs::path kTemplates = STO_SOURCE_DIR "/templates";
const std::string kSamples = STO_SOURCE_DIR "/samples/wijzigingen/";

Agreement klein_agreement() {
  const Validation v = validate(test::klein(), "klein.xml", test::shipped_rule_sets());
  EXPECT_TRUE(v.valid());
  return v.agreement;
}

std::string sample(const std::string& name) { return test::read_file(kSamples + name); }

WijzigingBasis basis_of(const Agreement& in_force, std::int64_t vorige = 0) {
  WijzigingBasis b;
  b.in_force = in_force;
  b.vorige_nummer = vorige;
  b.hoogste_nummer = vorige;
  return b;
}

WijzigingValidation check(const std::string& text, const WijzigingBasis& basis) {
  return validate_wijziging(text, "w.xml", basis, test::shipped_rule_sets());
}

std::vector<RuleAt> errors(const WijzigingValidation& v) {
  std::vector<RuleAt> out;
  for (const auto& f : v.findings) {
    EXPECT_EQ(f.file, "w.xml");
    if (f.severity == Severity::error) out.emplace_back(f.rule, f.line);
  }
  return out;
}

std::vector<std::string> signer_ids(const Agreement& document) {
  std::vector<std::string> ids;
  for (const auto& p : document.partners) {
    for (const auto& t : p.tekenbevoegden) ids.push_back(t.id);
  }
  return ids;
}

// The sample amendment `file` (number `nummer`) made the first amendment of the small region.
std::string as_first(const std::string& file, int nummer) {
  const std::string n = std::to_string(nummer);
  std::string s = test::edit(sample(file), "nummer=\"" + n + "\"", "nummer=\"1\"");
  return test::edit(
      s, "  <vorige nummer=\"" + std::to_string(nummer - 1) + "\" sha256=\"" + std::string(64, '0') + "\"/>\n", "");
}

// An uittreding of `partner` as the first amendment of the small region.
std::string uittreding(const std::string& partner) {
  return test::edit(as_first("w4-uittreding.xml", 4), "partner=\"p8\"", "partner=\"" + partner + "\"");
}

TEST(Wijziging, TheSamplesAreValidInOrderAndEachSaysWhatItChanges) {
  WijzigingBasis basis = basis_of(klein_agreement());
  const std::vector<std::pair<std::string, WijzigingSoort>> files{{"w1-toetreding.xml", WijzigingSoort::toetreding},
                                                                  {"w2-vervanging.xml", WijzigingSoort::vervanging},
                                                                  {"w3-bijdrage.xml", WijzigingSoort::bijdrage},
                                                                  {"w4-uittreding.xml", WijzigingSoort::uittreding}};
  for (const auto& [file, soort] : files) {
    const WijzigingValidation v = check(sample(file), basis);
    EXPECT_THAT(errors(v), ElementsAre()) << file;
    EXPECT_EQ(v.stuk.wijziging.soort, soort) << file;
    basis.in_force = v.stuk.na;
    basis.vorige_nummer = basis.hoogste_nummer = v.stuk.wijziging.nummer;
  }
  // After all four: p9 joined, s3 replaced by s11, p6 gives 150 000, p8 left.
  const Agreement& na = basis.in_force;
  ASSERT_EQ(na.partners.size(), 8u);
  EXPECT_EQ(na.partners.back().id, "p9");
  EXPECT_EQ(na.partners[1].tekenbevoegden.at(0).id, "s11");
  EXPECT_EQ(na.partners[5].bijdrage->geld, 15000000);
  EXPECT_TRUE(std::none_of(na.partners.begin(), na.partners.end(), [](const Partner& p) { return p.id == "p8"; }));
}

TEST(Wijziging, TheReaderGivesFindingsByLineInTheAmendmentsOwnNamespace) {
  const std::string w1 = sample("w1-toetreding.xml");
  // The agreement's checks on a joining partner, at the partner's lines.
  const std::string bad_kvk = test::edit(w1, "<brin>17RB</brin>", "<brin>17rb</brin>");
  EXPECT_THAT(errors(check(bad_kvk, basis_of(klein_agreement()))),
              ElementsAre(RuleAt{"R8.brin", test::line_of(bad_kvk, "<brin>")}));
  const std::string bad_mail = test::edit(w1, "h.dewit@sopoz.example.nl", "geen-adres");
  EXPECT_THAT(errors(check(bad_mail, basis_of(klein_agreement()))),
              ElementsAre(RuleAt{"email.ongeldig", test::line_of(bad_mail, "geen-adres")}));
  // The agreement's namespace is not the amendment's.
  const std::string wrong_ns = test::edit(w1, "urn:sto:wijziging:1", "urn:sto:samenwerkingsovereenkomst:1");
  EXPECT_THAT(errors(check(wrong_ns, basis_of(klein_agreement()))),
              ElementsAre(RuleAt{"xml.namespace", test::line_of(wrong_ns, "<wijziging ")}));
  // Two changes in one amendment, or none.
  const std::string two = test::edit(w1, "</toetreding>",
                                     "</toetreding>\n  <uittreding partner=\"p8\" laatsteDag=\"2027-07-31\">"
                                     "<reden>x</reden></uittreding>");
  EXPECT_THAT(errors(check(two, basis_of(klein_agreement()))),
              ElementsAre(RuleAt{"wijziging.soort", test::line_of(two, "<wijziging ")}));
  const std::string bad_nummer = test::edit(w1, "nummer=\"1\"", "nummer=\"0\"");
  EXPECT_THAT(errors(check(bad_nummer, basis_of(klein_agreement()))),
              ElementsAre(RuleAt{"wijziging.nummer", test::line_of(bad_nummer, "<wijziging ")}));
}

TEST(Wijziging, ItMustNameTheAgreementAndTheAmendmentBeforeIt) {
  const std::string w1 = sample("w1-toetreding.xml");
  const Agreement klein = klein_agreement();
  const std::string other = test::edit(w1, "versie=\"1\"", "versie=\"2\"");
  EXPECT_THAT(errors(check(other, basis_of(klein))),
              ElementsAre(RuleAt{"wijziging.overeenkomst", test::line_of(other, "<overeenkomst ")}));

  WijzigingBasis signed_basis = basis_of(klein);
  signed_basis.contract_sha256 = std::string(64, 'a');
  EXPECT_THAT(errors(check(w1, signed_basis)),
              ElementsAre(RuleAt{"wijziging.hash", test::line_of(w1, "<overeenkomst ")}));
  signed_basis.contract_sha256 = std::string(64, '0');
  EXPECT_THAT(errors(check(w1, signed_basis)), ElementsAre());

  // After amendment 1: the next is 2, names 1 and its hash.
  WijzigingBasis after1 = basis_of(check(w1, basis_of(klein)).stuk.na, 1);
  after1.vorige_sha256 = std::string(64, '0');
  EXPECT_THAT(errors(check(w1, after1)),
              ElementsAre(RuleAt{"wijziging.volgorde", test::line_of(w1, "<wijziging ")},
                          RuleAt{"wijziging.vorige-ontbreekt", test::line_of(w1, "<wijziging ")},
                          RuleAt{"wijziging.id-bestaat", test::line_of(w1, "<partner ")},
                          RuleAt{"wijziging.id-bestaat", test::line_of(w1, "<tekenbevoegde ")}));
  const std::string w2 = sample("w2-vervanging.xml");
  EXPECT_THAT(errors(check(w2, after1)), ElementsAre());
  after1.vorige_sha256 = std::string(64, 'b');
  EXPECT_THAT(errors(check(w2, after1)), ElementsAre(RuleAt{"wijziging.vorige", test::line_of(w2, "<vorige ")}));
  // The first amendment names no previous one.
  EXPECT_THAT(errors(check(w2, basis_of(klein))),
              ElementsAre(RuleAt{"wijziging.vorige-onnodig", test::line_of(w2, "<vorige ")}));
}

TEST(Wijziging, ThePartnerAndTekenbevoegdeItNamesMustBeInForce) {
  const Agreement klein = klein_agreement();
  const std::string unknown = test::edit(uittreding("p8"), "partner=\"p8\"", "partner=\"p42\"");
  EXPECT_THAT(errors(check(unknown, basis_of(klein))),
              ElementsAre(RuleAt{"wijziging.partner-onbekend", test::line_of(unknown, "<uittreding ")}));
  const std::string penvoerder = uittreding("p1");
  EXPECT_THAT(errors(check(penvoerder, basis_of(klein))),
              ::testing::Contains(RuleAt{"wijziging.penvoerder", test::line_of(penvoerder, "<uittreding ")}));
  const std::string late = test::edit(uittreding("p8"), "2027-07-31", "2029-01-31");
  EXPECT_THAT(errors(check(late, basis_of(klein))),
              ElementsAre(RuleAt{"wijziging.laatste-dag", test::line_of(late, "<uittreding ")}));
  const std::string w2 = test::edit(as_first("w2-vervanging.xml", 2), "vertrekt=\"s3\"", "vertrekt=\"s4\"");
  EXPECT_THAT(errors(check(w2, basis_of(klein))),
              ElementsAre(RuleAt{"wijziging.tekenbevoegde-onbekend", test::line_of(w2, "<vervanging ")}));
}

TEST(Wijziging, TheRulesRunOnTheListAfterTheChangeAndPointAtTheChange) {
  const Agreement klein = klein_agreement();
  // p4 is the only po school: without it rule 1 fails.
  const std::string po = uittreding("p4");
  EXPECT_THAT(errors(check(po, basis_of(klein))), ElementsAre(RuleAt{"R1.minimum", test::line_of(po, "<uittreding ")}));
  // p7 brings 90 000 of the companies' 215 000; without it 125 000 of 2 035 000 is 6.1 %.
  const std::string cofinanciering = uittreding("p7");
  EXPECT_THAT(errors(check(cofinanciering, basis_of(klein))),
              ElementsAre(RuleAt{"R4.cofinanciering", test::line_of(cofinanciering, "<uittreding ")}));
  // So does a bijdrage that lowers it.
  const std::string lower = test::edit(as_first("w3-bijdrage.xml", 3), "geld=\"150000.00\"", "geld=\"10000.00\"");
  EXPECT_THAT(errors(check(lower, basis_of(klein))),
              ElementsAre(RuleAt{"R4.cofinanciering", test::line_of(lower, "<bijdrage ")}));
  // A joining company without a KvK tekenbevoegde breaks rule 3 at its own lines.
  std::string company = test::edit(sample("w1-toetreding.xml"), "soort=\"po\"", "soort=\"bedrijf\"");
  company = test::edit(company, "      <brin>17RB</brin>\n      <vestigingsnummer>00</vestigingsnummer>\n", "");
  company = test::edit(company,
                       "      <bevoegdGezag naam=\"Stichting Openbaar Primair Onderwijs Zwolle\" nummer=\"41892\"/>\n",
                       "      <kvk>12345678</kvk>\n");
  EXPECT_THAT(errors(check(company, basis_of(klein))),
              ElementsAre(RuleAt{"R3.tekenbevoegde", test::line_of(company, "<partner ")}));
}

TEST(Wijziging, ThePartiesConcernedAndThePenvoerderSign) {
  WijzigingBasis basis = basis_of(klein_agreement());
  const auto w1 = check(sample("w1-toetreding.xml"), basis);
  EXPECT_THAT(signer_ids(w1.stuk.document), ElementsAre("s1", "s2", "s10"));
  EXPECT_FALSE(w1.stuk.iedereen);
  EXPECT_EQ(w1.stuk.document.kenmerk, "STO25-071-SOK");
  EXPECT_EQ(w1.stuk.document.xml_sha256, w1.stuk.wijziging.xml_sha256);
  basis = basis_of(w1.stuk.na, 1);
  const auto w2 = check(sample("w2-vervanging.xml"), basis);
  EXPECT_THAT(signer_ids(w2.stuk.document), ElementsAre("s1", "s2", "s11"));
  basis = basis_of(w2.stuk.na, 2);
  const auto w3 = check(sample("w3-bijdrage.xml"), basis);
  EXPECT_THAT(signer_ids(w3.stuk.document), ElementsAre("s1", "s2", "s7"));
  basis = basis_of(w3.stuk.na, 3);
  const auto w4 = check(sample("w4-uittreding.xml"), basis);
  EXPECT_THAT(signer_ids(w4.stuk.document), ElementsAre("s1", "s2", "s9"));

  // The regulation's data can make every partner sign a kind.
  std::vector<RuleSet> everyone = test::shipped_rule_sets();
  everyone.front().wijziging_iedereen = {WijzigingSoort::toetreding};
  const auto all = validate_wijziging(sample("w1-toetreding.xml"), "w.xml", basis_of(klein_agreement()), everyone);
  EXPECT_TRUE(all.stuk.iedereen);
  EXPECT_EQ(signer_ids(all.stuk.document).size(), 10u);
}

TEST(Wijziging, TheRegulationFileSaysWhichKindsEveryoneSigns) {
  const auto& sets = test::shipped_rule_sets();
  ASSERT_FALSE(sets.empty());
  EXPECT_TRUE(sets.front().wijziging_iedereen.empty());
}

TEST(Wijziging, TheTemplateShowsTheChangeTheBaseAndOneSignatureFieldPerSigner) {
  const auto v = check(sample("w1-toetreding.xml"), basis_of(klein_agreement()));
  ASSERT_TRUE(v.valid());
  const Document d = Template::load_wijziging_for(kTemplates, Taal::nl).fill(v.stuk);
  EXPECT_EQ(d.title, "Wijziging 1 van de samenwerkingsovereenkomst");
  EXPECT_THAT(d.info.header, HasSubstr("STO25-071-SOK · versie 1"));
  EXPECT_THAT(d.info.fingerprint, HasSubstr(v.stuk.wijziging.xml_sha256));
  EXPECT_THAT(d.info.fingerprint, HasSubstr(v.stuk.wijziging.overeenkomst_sha256));
  std::vector<std::string> fields;
  std::string text;
  for (const auto& b : d.blocks) {
    if (const auto* s = std::get_if<SignatureBlock>(&b)) {
      for (const auto& t : s->signatories) fields.push_back(t.id);
    }
    if (const auto* p = std::get_if<Paragraph>(&b)) text += p->text + "\n";
    if (const auto* h = std::get_if<Heading>(&b)) text += h->text + "\n";
  }
  EXPECT_THAT(fields, ElementsAre("s1", "s2", "s10"));
  EXPECT_THAT(text, HasSubstr("Basisschool De Regenboog treedt toe"));
  EXPECT_THAT(text, HasSubstr("Na deze wijziging nemen 9 partners deel"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Uittreding")));
  // The English template says the same in English.
  const Document en = Template::load_wijziging_for(kTemplates, Taal::en).fill(v.stuk);
  EXPECT_EQ(en.title, "Amendment 1 to the cooperation agreement");
  // A contract's template does not fill an amendment, nor the other way round.
  EXPECT_THROW((void)Template::load_for(kTemplates, Taal::nl).fill(v.stuk), Error);
  EXPECT_THROW((void)Template::load_wijziging_for(kTemplates, Taal::nl).fill(klein_agreement()), Error);
}

TEST(Wijziging, TheContractGrantsTheMandateInAnArticleWijzigingen) {
  const Document d = Template::load_for(kTemplates, Taal::nl).fill(klein_agreement());
  bool found = false;
  for (const auto& b : d.blocks) {
    if (const auto* h = std::get_if<Heading>(&b)) found = found || h->text == "Wijzigingen";
  }
  EXPECT_TRUE(found);
}

TEST(Differences, SayWhatChangedByArticleAndPartner) {
  const Template nl = Template::load_for(kTemplates, Taal::nl);
  const Agreement before = klein_agreement();
  EXPECT_THAT(differences(nl.fill(before), nl.fill(before)), ElementsAre());
  Agreement after = before;
  after.partners[1].bijdrage->uren = 700;            // Vakcollege 't Veen
  after.partners.erase(after.partners.begin() + 7);  // Gemeente Zwolle leaves
  const auto said = differences(nl.fill(before), nl.fill(after));
  EXPECT_THAT(said, ::testing::Contains(
                        "Artikel \u201CBijdrage per partner\u201D: \u201CVakcollege 't Veen\u201D is gewijzigd"));
  EXPECT_THAT(said, ::testing::Contains("Artikel \u201CDeelnemende partners\u201D: \u201CDeelnemende lokale overheid: "
                                        "Gemeente Zwolle\u201D is vervallen"));
  EXPECT_THAT(said, ::testing::Contains("Artikel \u201COndertekening\u201D: \u201CGemeente Zwolle\u201D is vervallen"));
  for (const auto& line : said) EXPECT_THAT(line, ::testing::Not(HasSubstr("Duur van de overeenkomst"))) << line;
  // Many changes are cut to the limit, the last line saying how many more.
  const auto few = differences(nl.fill(before), nl.fill(after), 2);
  ASSERT_EQ(few.size(), 2u);
  EXPECT_THAT(few[1], ::testing::StartsWith("en nog "));
}

TEST(Wijziging, RendersTheSameBytesEveryTime) {
  const auto v = check(as_first("w4-uittreding.xml", 4), basis_of(klein_agreement()));
  ASSERT_TRUE(v.valid());
  const Contract a = render_wijziging(v.stuk, kTemplates);
  const Contract b = render_wijziging(v.stuk, kTemplates);
  EXPECT_EQ(a.pdf, b.pdf);
  ASSERT_EQ(a.layout.fields.size(), 3u);
  EXPECT_EQ(a.layout.fields[2].tekenbevoegde_id, "s9");
  EXPECT_EQ(a.pdf.substr(0, 8), "%PDF-1.7");
}

}  // namespace
}  // namespace sto
