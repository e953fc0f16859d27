// Amendments in a workspace (docs/amendment-format.md): opened on a completed agreement, signed
// over real HTTP by the parties concerned and the penvoerder only, in the agreement's one audit
// chain, and the list in force after them; refused when their basis is not what they say.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <set>
#include <sstream>

#include "harness.h"
#include "run.h"
#include "sto/archive.h"
#include "sto/audit.h"
#include "sto/pki.h"
#include "support.h"

namespace sto::test {
namespace {

using ::testing::HasSubstr;

const std::string kZeros(64, '0');

class Amendments : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sto-amend-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    site_.reset();
    std::filesystem::remove_all(dir_);
  }
  Site& site() {
    if (!site_) site_ = std::make_unique<Site>(dir_ / "ws", GetParam());
    return *site_;
  }
  // The small region, opened and signed by everyone.
  std::string completed() {
    const std::string kenmerk = site().open(sample("regio-klein-8.xml"));
    for (const auto& [address, links] : site().invite(kenmerk)) {
      for (const auto& link : links) EXPECT_EQ(site().sign(link).status, 303);
    }
    site().w().flush_mail();
    site().w().deliver_outbox();
    EXPECT_EQ(site().w().status(kenmerk).version.state, VersionState::completed);
    return kenmerk;
  }
  // samples/wijzigingen/<name> with the placeholders for hashes filled in, written to the test's folder.
  std::filesystem::path amendment(const std::string& name, const std::string& contract_sha256,
                                  const std::string& vorige_sha256 = kZeros,
                                  const std::vector<std::pair<std::string, std::string>>& edits = {}) {
    std::string text = read_text(sample("wijzigingen/" + name));
    const std::string overeenkomst = "versie=\"1\" sha256=\"" + kZeros + "\"";
    text.replace(text.find(overeenkomst), overeenkomst.size(), "versie=\"1\" sha256=\"" + contract_sha256 + "\"");
    if (const auto at = text.find("<vorige "); at != std::string::npos) {
      const auto sha = text.find(kZeros, at);
      text.replace(sha, kZeros.size(), vorige_sha256);
    }
    for (const auto& [from, to] : edits) {
      const auto at = text.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      if (at != std::string::npos) text.replace(at, from.size(), to);
    }
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::optional<OpenResult> open(const std::filesystem::path& file, WijzigingValidation& v) {
    return site().w().open_wijziging(file, v);
  }
  std::vector<std::string> rules(const WijzigingValidation& v) {
    std::vector<std::string> out;
    for (const auto& f : v.findings) {
      if (f.severity == Severity::error) out.push_back(f.rule);
    }
    return out;
  }
  std::string sha(const std::string& bytes) { return to_hex(sha256(bytes)); }
  // Invites, and returns the links of the mails this invitation sent (address → link).
  std::map<std::string, std::string> invite_new(const std::string& kenmerk) { return invite_new(site(), kenmerk); }
  static std::map<std::string, std::string> invite_new(Site& where, const std::string& kenmerk) {
    std::set<std::string> seen;
    for (const auto& m : pickup_mails(where.pickup())) {
      for (const auto& link : links_in(m, where.base_url())) seen.insert(link);
    }
    std::map<std::string, std::string> fresh;
    for (const auto& [address, links] : where.invite(kenmerk)) {
      for (const auto& link : links) {
        if (!seen.contains(link)) fresh[address] = link;
      }
    }
    return fresh;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Site> site_;
};

TEST_P(Amendments, AToetredingIsSignedByTheJoiningPartnerAndThePenvoerderOnly) {
  const std::string kenmerk = completed();
  const std::string contract = site().w().signed_pdf(kenmerk);
  const std::size_t mails_before = pickup_mails(site().pickup()).size();

  WijzigingValidation v;
  const auto opened = open(amendment("w1-toetreding.xml", sha(contract)), v);
  ASSERT_TRUE(opened) << (v.findings.empty() ? "" : describe(v.findings.front(), Taal::nl));
  EXPECT_EQ(opened->wijziging, 1);
  EXPECT_EQ(opened->signatories, 3u);

  // Only the three who sign are mailed: the penvoerder's two and the joining school's one.
  const auto invited = invite_new(kenmerk);
  EXPECT_EQ(pickup_mails(site().pickup()).size() - mails_before, 3u);
  ASSERT_EQ(invited.size(), 3u);
  EXPECT_TRUE(invited.contains("h.dewit@sopoz.example.nl"));
  EXPECT_TRUE(invited.contains("n.brinkers@akempis.example.nl"));
  EXPECT_TRUE(invited.contains("f.ijzerman@sovoij.example.nl"));

  // The page says what is signed: an amendment.
  const std::string link = invited.at("h.dewit@sopoz.example.nl");
  const Http page = http(site().base_url(), "GET", link.substr(site().base_url().size()));
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("Wijziging 1 van de samenwerkings"));

  Status during = site().w().status(kenmerk);
  EXPECT_EQ(during.version.wijziging, 1);
  EXPECT_EQ(during.version.state, VersionState::open);
  ASSERT_EQ(during.wijzigingen.size(), 1u);
  EXPECT_EQ(during.wijzigingen[0].soort, "toetreding");
  EXPECT_EQ(during.in_force.size(), 8u) << "not in force before it is signed";

  std::size_t signed_count = 0;
  for (const auto& [address, l] : invited) signed_count += site().sign(l).status == 303 ? 1 : 0;
  EXPECT_EQ(signed_count, 3u);
  site().w().flush_mail();

  const Status after = site().w().status(kenmerk);
  EXPECT_EQ(after.version.state, VersionState::completed);
  EXPECT_GT(after.effective_ms, 0);
  ASSERT_EQ(after.wijzigingen.size(), 1u);
  EXPECT_EQ(after.wijzigingen[0].state, VersionState::completed);
  ASSERT_EQ(after.in_force.size(), 9u);
  EXPECT_EQ(after.in_force.back().partner, "Basisschool De Regenboog");
  const std::string json = status_json(after);
  EXPECT_THAT(json, HasSubstr("\"wijziging\": 1"));
  EXPECT_THAT(json, HasSubstr("\"soort\": \"toetreding\""));

  // The signed amendment: three valid signatures by independent verifiers, one revision each.
  const std::string signed_amendment = site().w().signed_pdf(kenmerk);
  const std::string verdict = site().pdfsig(signed_amendment);
  EXPECT_EQ(count(verdict, "Signature is Valid."), 3u) << verdict;
  EXPECT_EQ(count(verdict, "Total document signed"), 1u) << verdict;
  const auto file = dir_ / "w1-signed.pdf";
  std::ofstream(file, std::ios::binary) << signed_amendment;
  const RunResult qpdf = run_program({"/usr/bin/qpdf", "--check", file.string()});
  EXPECT_EQ(qpdf.exit_code, 0) << qpdf.out << qpdf.err;
  EXPECT_THAT(qpdf.out, HasSubstr("No syntax or stream encoding errors"));
  // Every page carries the base contract's hash.
  const RunResult text = run_program({"/usr/bin/pdftotext", file.string(), "-"});
  EXPECT_EQ(count(text.out, sha(contract)), 3u + 1u) << "in the footer of each of the 3 pages, and once in the text";

  // One audit chain: the contract's events, then the amendment's, each naming it.
  const auto audit = site().w().store().audit(kenmerk);
  std::size_t amendment_events = 0;
  bool completed_amendment = false;
  for (const auto& r : audit) {
    const std::string line = jsonl_line(r);
    if (line.find("\"wijziging\":1") == std::string::npos) continue;
    ++amendment_events;
    completed_amendment = completed_amendment || line.find("\"event\":\"completed\"") != std::string::npos;
  }
  EXPECT_GE(amendment_events, 1u + 3u * 2u);  // opened, invited and signed per signatory, completed
  EXPECT_TRUE(completed_amendment);

  // The contract's own proof is untouched: its archive still verifies intact.
  export_archive(site().w(), kenmerk, dir_ / "archief", templates());
  const Verdict archive = verify_archive(dir_ / "archief", {site().w().ca_fingerprint(), "", templates()});
  EXPECT_EQ(archive.oordeel, Oordeel::intact) << describe(archive);
}

TEST_P(Amendments, TheChainOfHashesNumbersAndRevocationsIsKept) {
  const std::string kenmerk = completed();
  const std::string contract_sha = sha(site().w().signed_pdf(kenmerk));
  WijzigingValidation v;
  ASSERT_TRUE(open(amendment("w1-toetreding.xml", contract_sha), v));
  for (const auto& [address, link] : invite_new(kenmerk)) ASSERT_EQ(site().sign(link).status, 303);
  const std::string w1_sha = sha(site().w().signed_pdf(kenmerk));

  // The next names the signed contract and the signed amendment 1; another hash is refused.
  EXPECT_FALSE(open(amendment("w2-vervanging.xml", contract_sha, std::string(64, 'a')), v));
  EXPECT_THAT(rules(v), ::testing::ElementsAre("wijziging.vorige"));
  EXPECT_FALSE(open(amendment("w2-vervanging.xml", std::string(64, 'b'), w1_sha), v));
  EXPECT_THAT(rules(v), ::testing::ElementsAre("wijziging.hash"));
  ASSERT_TRUE(open(amendment("w2-vervanging.xml", contract_sha, w1_sha), v));

  // While it is open no other amendment opens.
  EXPECT_THROW(open(amendment("w3-bijdrage.xml", contract_sha, w1_sha,
                              {{"nummer=\"3\"", "nummer=\"9\""}, {"<vorige nummer=\"2\"", "<vorige nummer=\"1\""}}),
                    v),
               Refusal);
  // Revoked, it never takes effect; its number is not used again, and the next names amendment 1.
  site().w().revoke(kenmerk, "verkeerde persoon");
  EXPECT_FALSE(open(amendment("w3-bijdrage.xml", contract_sha, w1_sha,
                              {{"nummer=\"3\"", "nummer=\"2\""}, {"<vorige nummer=\"2\"", "<vorige nummer=\"1\""}}),
                    v));
  EXPECT_THAT(rules(v), ::testing::ElementsAre("wijziging.volgorde"));
  const auto opened =
      open(amendment("w3-bijdrage.xml", contract_sha, w1_sha, {{"<vorige nummer=\"2\"", "<vorige nummer=\"1\""}}), v);
  ASSERT_TRUE(opened) << (v.findings.empty() ? "" : describe(v.findings.front(), Taal::nl));
  EXPECT_EQ(opened->signatories, 3u);  // the penvoerder's two and p6's one
  const Status st = site().w().status(kenmerk);
  ASSERT_EQ(st.wijzigingen.size(), 3u);
  EXPECT_EQ(st.wijzigingen[1].state, VersionState::revoked);
  EXPECT_EQ(st.wijzigingen[2].soort, "bijdrage");
  EXPECT_EQ(st.in_force.size(), 9u);  // 1 is in force; 2 was revoked; 3 is open
}

TEST_P(Amendments, NoAmendmentBeforeTheAgreementIsComplete) {
  const std::string kenmerk = site().open(sample("regio-klein-8.xml"));
  WijzigingValidation v;
  EXPECT_THROW(open(amendment("w1-toetreding.xml", kZeros), v), Refusal);
  // Nor of an agreement the workspace does not know.
  EXPECT_THROW(open(amendment("w1-toetreding.xml", kZeros, kZeros, {{kenmerk, "ONBEKEND-1"}}), v), Refusal);
  // A rule broken by the change is a finding by line, and nothing is opened.
  site().w().revoke(kenmerk, "test");
  EXPECT_THROW(open(amendment("w1-toetreding.xml", kZeros), v), Refusal);
  EXPECT_EQ(site().w().store().versions(kenmerk).size(), 1u);
}

TEST_P(Amendments, AChangeThatBreaksARuleIsFoundAtItsLineAndOpensNothing) {
  const std::string kenmerk = completed();
  const std::string contract_sha = sha(site().w().signed_pdf(kenmerk));
  WijzigingValidation v;
  // p4 is the only po school.
  const auto file = amendment("w4-uittreding.xml", contract_sha, kZeros,
                              {{"nummer=\"4\"", "nummer=\"1\""},
                               {"  <vorige nummer=\"3\" sha256=\"" + kZeros + "\"/>\n", ""},
                               {"partner=\"p8\"", "partner=\"p4\""}});
  EXPECT_FALSE(open(file, v));
  ASSERT_EQ(rules(v), std::vector<std::string>{"R1.minimum"});
  EXPECT_EQ(v.findings[0].line, 6);
  EXPECT_EQ(site().w().store().versions(kenmerk).size(), 1u);
  // The same file, run as the penvoerder would: exit 1 and the finding by line.
  const RunResult r = run_sto({"open", file.string(), "--home", (dir_ / "ws").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(":6: fout [R1.minimum]"));
}

// What a forger with the archive in hand does after moving amendments around: a manifest.json
// that lists `order` (number, soort) and whose every hash is that of the files as they now are.
void reseal_manifest(const std::filesystem::path& dir, const std::vector<std::pair<int, std::string>>& order) {
  namespace fs = std::filesystem;
  Poco::JSON::Object::Ptr root =
      Poco::JSON::Parser().parse(read_text(dir / "manifest.json")).extract<Poco::JSON::Object::Ptr>();
  Poco::JSON::Object::Ptr files = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  Poco::JSON::Object::Ptr templates = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const char* name :
       {"agreement.xml", "contract.pdf", "audit.jsonl", "ca.pem", "tsa.pem", "README.txt", "bewijsdossier.pdf"}) {
    files->set(name, to_hex(sha256(read_text(dir / name))));
  }
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().lexically_relative(dir).generic_string();
    if (name.starts_with("templates/") || name.find("/templates/") != std::string::npos) {
      templates->set(name, to_hex(sha256(read_text(entry.path()))));
    } else if (name.starts_with("wijzigingen/")) {
      files->set(name, to_hex(sha256(read_text(entry.path()))));
    }
  }
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const auto& [nummer, soort] : order) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("nummer", nummer);
    o->set("soort", soort);
    list->add(o);
  }
  root->set("files", files);
  root->set("templates", templates);
  root->set("wijzigingen", list);
  std::ostringstream out;
  root->stringify(out, 2);
  std::ofstream(dir / "manifest.json", std::ios::binary | std::ios::trunc) << out.str();
}

std::string wijziging_findings(const Verdict& v) {
  std::string out;
  for (const auto& b : v.findings) {
    if (b.check == "wijziging" || b.subject.starts_with("wijziging ")) out += b.subject + ": " + b.message + "\n";
  }
  return out;
}

TEST_P(Amendments, TheArchiveCarriesEveryAmendmentAndItsChainCannotBeCutReorderedOrEdited) {
  namespace fs = std::filesystem;
  const std::string kenmerk = completed();
  const std::string contract_sha = sha(site().w().signed_pdf(kenmerk));
  WijzigingValidation v;
  ASSERT_TRUE(open(amendment("w1-toetreding.xml", contract_sha), v));
  for (const auto& [address, link] : invite_new(kenmerk)) ASSERT_EQ(site().sign(link).status, 303);
  const std::string w1_sha = sha(site().w().signed_pdf(kenmerk));
  ASSERT_TRUE(open(amendment("w2-vervanging.xml", contract_sha, w1_sha), v));
  for (const auto& [address, link] : invite_new(kenmerk)) ASSERT_EQ(site().sign(link).status, 303);
  site().w().flush_mail();

  const fs::path archive = dir_ / "archief";
  export_archive(site().w(), kenmerk, archive, templates());
  for (const char* file : {"wijzigingen/1/wijziging.xml", "wijzigingen/1/contract.pdf", "wijzigingen/2/contract.pdf",
                           "wijzigingen/2/templates/nl/wijziging.xml"}) {
    EXPECT_TRUE(fs::exists(archive / file)) << file;
  }
  const ArchiveCheck auditor{site().w().ca_fingerprint(), "", templates()};
  const Verdict intact = verify_archive(archive, auditor);
  EXPECT_EQ(intact.oordeel, Oordeel::intact) << describe(intact);
  ASSERT_EQ(intact.wijzigingen.size(), 2u);
  EXPECT_EQ(intact.wijzigingen[0].soort, "toetreding");
  EXPECT_EQ(intact.wijzigingen[1].oordeel, Oordeel::intact);
  EXPECT_EQ(intact.wijzigingen[1].signatures.size(), 3u);
  EXPECT_THAT(describe(intact), HasSubstr("wijziging 2 (vervanging): intact, 3 van 3 handtekeningen geldig"));
  // The bewijsdossier covers them.
  const RunResult dossier = run_program({"/usr/bin/pdftotext", (archive / "bewijsdossier.pdf").string(), "-"});
  EXPECT_THAT(dossier.out, HasSubstr("Wijziging 2: vervanging"));
  // As an auditor runs it.
  const RunResult cli = run_sto({"verify", archive.string(), "--ca-fingerprint", site().w().ca_fingerprint()});
  EXPECT_EQ(cli.exit_code, 0) << cli.out << cli.err;
  EXPECT_THAT(cli.out, HasSubstr("wijziging 1 (toetreding): intact"));

  const auto copy = [&](const std::string& name) {
    fs::copy(archive, dir_ / name, fs::copy_options::recursive);
    return dir_ / name;
  };
  // Cut out the last one, manifest made to match: the log and the signed dossier still hold it.
  const fs::path cut_last = copy("cut-last");
  fs::remove_all(cut_last / "wijzigingen" / "2");
  reseal_manifest(cut_last, {{1, "toetreding"}});
  const Verdict a = verify_archive(cut_last, auditor);
  EXPECT_EQ(a.oordeel, Oordeel::broken);
  EXPECT_THAT(wijziging_findings(a), HasSubstr("wijziging 2: is volgens audit.jsonl door iedereen ondertekend"));
  // Cut out the first: the second names it.
  const fs::path cut_first = copy("cut-first");
  fs::remove_all(cut_first / "wijzigingen" / "1");
  reseal_manifest(cut_first, {{2, "vervanging"}});
  const Verdict b = verify_archive(cut_first, auditor);
  EXPECT_EQ(b.oordeel, Oordeel::broken);
  EXPECT_THAT(wijziging_findings(b), HasSubstr("noemt wijziging 1 als vorige, maar die staat niet in het archief"));
  // Reordered.
  const fs::path reordered = copy("reordered");
  fs::rename(reordered / "wijzigingen" / "1", reordered / "wijzigingen" / "x");
  fs::rename(reordered / "wijzigingen" / "2", reordered / "wijzigingen" / "1");
  fs::rename(reordered / "wijzigingen" / "x", reordered / "wijzigingen" / "2");
  reseal_manifest(reordered, {{1, "vervanging"}, {2, "toetreding"}});
  const Verdict c = verify_archive(reordered, auditor);
  EXPECT_EQ(c.oordeel, Oordeel::broken);
  EXPECT_THAT(wijziging_findings(c), HasSubstr("wijziging.xml heeft nummer 2"));
  // Edited: its text no longer renders to what was signed.
  const fs::path edited = copy("edited");
  std::string xml = read_text(edited / "wijzigingen/1/wijziging.xml");
  xml.replace(xml.find("De Regenboog sluit"), 18, "De Regenboog doet ");
  std::ofstream(edited / "wijzigingen/1/wijziging.xml", std::ios::binary | std::ios::trunc) << xml;
  reseal_manifest(edited, {{1, "toetreding"}, {2, "vervanging"}});
  const Verdict d = verify_archive(edited, auditor);
  EXPECT_EQ(d.oordeel, Oordeel::broken);
  EXPECT_THAT(wijziging_findings(d), HasSubstr("revisie 0 is niet byte voor byte"));

  // Spliced in from another agreement with the same kenmerk (another workspace signed it).
  Site other(dir_ / "ander", GetParam());
  const std::string other_kenmerk = other.open(sample("regio-klein-8.xml"));
  for (const auto& [address, links] : other.invite(other_kenmerk)) {
    for (const auto& link : links) ASSERT_EQ(other.sign(link).status, 303);
  }
  const auto other_file = dir_ / "ander-w1.xml";
  {
    std::string text = read_text(sample("wijzigingen/w1-toetreding.xml"));
    text.replace(text.find(kZeros), kZeros.size(), sha(other.w().signed_pdf(other_kenmerk)));
    std::ofstream(other_file, std::ios::binary) << text;
  }
  ASSERT_TRUE(other.w().open_wijziging(other_file, v));
  for (const auto& [address, link] : invite_new(other, other_kenmerk)) ASSERT_EQ(other.sign(link).status, 303);
  ASSERT_EQ(other.w().status(other_kenmerk).version.state, VersionState::completed);
  export_archive(other.w(), other_kenmerk, dir_ / "ander-archief", templates());
  const fs::path spliced = copy("spliced");
  fs::remove_all(spliced / "wijzigingen" / "1");
  fs::copy(dir_ / "ander-archief" / "wijzigingen" / "1", spliced / "wijzigingen" / "1", fs::copy_options::recursive);
  reseal_manifest(spliced, {{1, "toetreding"}, {2, "vervanging"}});
  const Verdict e = verify_archive(spliced, auditor);
  EXPECT_EQ(e.oordeel, Oordeel::broken);
  EXPECT_THAT(wijziging_findings(e), HasSubstr("noemt een ander ondertekend contract"));
}

TEST_P(Amendments, ANewVersionBeforeCompletionSaysWhoseSignaturesItVoidsAndWaitsForBevestig) {
  const std::string kenmerk = site().open(sample("regio-klein-8.xml"));
  const auto links = invite_new(kenmerk);
  ASSERT_EQ(site().sign(links.at("n.brinkers@akempis.example.nl")).status, 303);
  ASSERT_EQ(site().sign(links.at("j.smeulders@scok.example.nl")).status, 303);
  std::string v2 = read_text(sample("regio-klein-8.xml"));
  v2.replace(v2.find("versie=\"1\""), 10, "versie=\"2\"");
  v2.replace(v2.find("uren=\"640\""), 10, "uren=\"700\"");
  const auto file = dir_ / "v2.xml";
  std::ofstream(file, std::ios::binary) << v2;
  const std::string home = (dir_ / "ws").string();

  const RunResult asked = run_sto({"open", file.string(), "--home", home});
  EXPECT_EQ(asked.exit_code, 1) << asked.out << asked.err;
  EXPECT_THAT(asked.out, HasSubstr("Versie 2 vervangt de open versie 1 van STO25-071-SOK: 2 handtekeningen vervallen"));
  EXPECT_THAT(asked.out, HasSubstr("Noël Brinkërs (Thomas à Kempis College)"));
  EXPECT_THAT(asked.out, HasSubstr("7 open verzoeken worden ingetrokken"));
  EXPECT_THAT(asked.out, HasSubstr("--bevestig"));
  EXPECT_EQ(site().w().status(kenmerk).version.versie, 1) << "nothing changed without --bevestig";
  EXPECT_EQ(site().w().status(kenmerk).version.state, VersionState::open);

  const RunResult confirmed = run_sto({"open", file.string(), "--home", home, "--bevestig"});
  EXPECT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  EXPECT_EQ(site().w().status(kenmerk).version.versie, 2);

  // The old links say by which version they were replaced, not a stale "Ondertekend".
  const auto page = [&](const std::string& link) {
    return http(site().base_url(), "GET", link.substr(site().base_url().size())).body;
  };
  const std::string signed_before = page(links.at("n.brinkers@akempis.example.nl"));
  EXPECT_THAT(signed_before, HasSubstr("<h1>Vervangen door versie 2</h1>"));
  EXPECT_THAT(signed_before, ::testing::Not(HasSubstr("<h1>Ondertekend</h1>")));
  EXPECT_THAT(page(links.at("i.sorensen@deltion.example.nl")), HasSubstr("vervangen door versie 2"));

  // The new version's mail and page say what changed since the version they were asked to sign.
  const auto fresh = invite_new(kenmerk);
  ASSERT_EQ(fresh.size(), 8u);  // one address signs for two partners
  std::string mail;
  for (const auto& m : pickup_mails(site().pickup())) {
    if (m.text.find(fresh.at("n.brinkers@akempis.example.nl")) != std::string::npos) mail = m.text;
  }
  EXPECT_THAT(mail, HasSubstr("Gewijzigd sinds versie 1, die u eerder ontving:"));
  EXPECT_THAT(mail,
              HasSubstr("- Artikel \u201CBijdrage per partner\u201D: \u201CVakcollege 't Veen\u201D is gewijzigd"));
  const std::string sign_page = page(fresh.at("n.brinkers@akempis.example.nl"));
  EXPECT_THAT(sign_page, HasSubstr("Gewijzigd sinds versie 1"));
  EXPECT_THAT(sign_page, HasSubstr("Vakcollege &#39;t Veen"));
}

INSTANTIATE_TEST_SUITE_P(Backends, Amendments, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace sto::test
