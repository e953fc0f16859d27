// The archive of a workspace's agreement (sto/archive.h) and its offline verdict (sto/verify.h):
// half signed, declined, complete; the export never leaves half an archive; a single contract
// verified without an archive; a revision 0 made by another renderer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <future>

#include "harness.h"
#include "loopback_tsa.h"
#include "run.h"
#include "sto/archive.h"
#include "sto/atomic_file.h"
#include "sto/audit.h"
#include "sto/pades.h"
#include "sto/render.h"
#include "sto/rules.h"
#include "sto/verify.h"

namespace sto::test {
namespace {

using ::testing::HasSubstr;

class Archive : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sto-archive-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    site_ = std::make_unique<Site>(dir_ / "ws", GetParam());
    kenmerk_ = site_->open(sample("regio-klein-8.xml"));
    for (const auto& [address, found] : site_->invite(kenmerk_))
      links_.insert(links_.end(), found.begin(), found.end());
    std::sort(links_.begin(), links_.end());
  }
  void TearDown() override {
    site_.reset();
    std::filesystem::remove_all(dir_);
  }
  Verdict export_and_verify(const std::string& name) {
    export_archive(site_->w(), kenmerk_, dir_ / name, templates());
    return verify_archive(dir_ / name, {site_->w().ca_fingerprint(), "", templates()});
  }
  static std::size_t count_effect(const Verdict& v, Oordeel effect) {
    return static_cast<std::size_t>(
        std::count_if(v.findings.begin(), v.findings.end(), [&](const Bevinding& f) { return f.effect == effect; }));
  }

  std::filesystem::path dir_;
  std::unique_ptr<Site> site_;
  std::string kenmerk_;
  std::vector<std::string> links_;
};

TEST_P(Archive, HalfSignedIsIncompleteThenIntactOnceEveryoneSigned) {
  ASSERT_EQ(links_.size(), 9u);
  for (std::size_t i = 0; i < 4; ++i) ASSERT_EQ(site_->sign(links_[i]).status, 303);

  const Verdict half = export_and_verify("half");
  EXPECT_EQ(half.oordeel, Oordeel::incomplete) << describe(half);
  EXPECT_EQ(half.signatures.size(), 4u);
  EXPECT_TRUE(std::all_of(half.signatures.begin(), half.signatures.end(), [](auto& s) { return s.valid; }));
  EXPECT_EQ(count_effect(half, Oordeel::broken), 0u) << describe(half);
  ASSERT_EQ(half.findings.size(), 1u) << describe(half);
  EXPECT_EQ(half.findings[0].check, "partners");
  EXPECT_THAT(half.findings[0].message, HasSubstr("4 van 9 tekenbevoegden"));
  EXPECT_FALSE(half.effective);
  EXPECT_EQ(half.revision0_check, "bytes");
  // The command line says the same, with exit 1.
  const auto cli = run_sto({"verify", (dir_ / "half").string(), "--ca-fingerprint", site_->w().ca_fingerprint()});
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_THAT(cli.out, HasSubstr("ONVOLLEDIG"));

  for (std::size_t i = 4; i < links_.size(); ++i) ASSERT_EQ(site_->sign(links_[i]).status, 303);
  const Verdict whole = export_and_verify("whole");
  EXPECT_EQ(whole.oordeel, Oordeel::intact) << describe(whole);
  EXPECT_TRUE(whole.findings.empty()) << describe(whole);
  ASSERT_TRUE(whole.effective);
  std::time_t latest = 0;
  for (const auto& s : whole.signatures) latest = std::max(latest, s.timestamp);
  EXPECT_EQ(*whole.effective, latest);
  // The workspace names the same moment: status, and the completion in the log (checked by verify).
  EXPECT_EQ(site_->w().status(kenmerk_).effective_ms, std::int64_t{latest} * 1000);
  EXPECT_EQ(whole.bytes_hashed < 2 * read_whole_file(dir_ / "whole" / "contract.pdf").size(), true);
  const auto json =
      run_sto({"verify", (dir_ / "whole").string(), "--ca-fingerprint", site_->w().ca_fingerprint(), "--json"});
  EXPECT_EQ(json.exit_code, 0) << json.out;
  EXPECT_THAT(json.out, HasSubstr("\"verdict\": \"intact\""));
  // The earlier archive is still what it was: incomplete, not broken.
  EXPECT_EQ(verify_archive(dir_ / "half", {site_->w().ca_fingerprint(), "", templates()}).oordeel, Oordeel::incomplete);
}

TEST_P(Archive, ADeclineIsInTheBewijsdossierAndTheAgreementStaysIncomplete) {
  const std::string path = links_.front().substr(site_->base_url().size());
  const Http page = http(site_->base_url(), "GET", path);
  ASSERT_EQ(
      http(site_->base_url(), "POST", path + "/weiger", {{"csrf", csrf_of(page.body)}, {"reden", "Pas in januari."}})
          .status,
      303);
  for (std::size_t i = 1; i < links_.size(); ++i) ASSERT_EQ(site_->sign(links_[i]).status, 303);
  const Verdict v = export_and_verify("a");
  EXPECT_EQ(v.oordeel, Oordeel::incomplete) << describe(v);
  EXPECT_EQ(v.signatures.size(), 8u);
  const auto text = run_program({"/usr/bin/pdftotext", (dir_ / "a" / "bewijsdossier.pdf").string(), "-"});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr("geweigerd"));
  EXPECT_THAT(text.out, HasSubstr("Pas in januari."));
}

TEST_P(Archive, ExportNeverLeavesHalfAnArchive) {
  std::filesystem::create_directories(dir_ / "taken");
  write_file_atomically(dir_ / "taken" / "mine.txt", "van iemand anders");
  EXPECT_THROW(export_archive(site_->w(), kenmerk_, dir_ / "taken", templates()), Error);
  EXPECT_EQ(read_whole_file(dir_ / "taken" / "mine.txt"), "van iemand anders");
  EXPECT_THROW(export_archive(site_->w(), "GEEN-KENMERK", dir_ / "none", templates()), Refusal);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "none"));
  // A failure half way (no README template) removes the staging folder.
  std::filesystem::create_directories(dir_ / "kapot" / "regelingen");
  std::filesystem::copy(templates() / "regelingen", dir_ / "kapot" / "regelingen",
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy(templates() / "nl", dir_ / "kapot" / "nl", std::filesystem::copy_options::recursive);
  EXPECT_THROW(export_archive(site_->w(), kenmerk_, dir_ / "half", dir_ / "kapot"), Error);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "half"));
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(".half.tmp-")) << entry.path();
  }
  // An existing empty folder is fine.
  std::filesystem::create_directories(dir_ / "empty");
  export_archive(site_->w(), kenmerk_, dir_ / "empty", templates());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "empty" / "manifest.json"));
}

TEST_P(Archive, AContractAloneIsCheckedAsFarAsItsInputsGo) {
  for (const auto& link : links_) ASSERT_EQ(site_->sign(link).status, 303);
  export_archive(site_->w(), kenmerk_, dir_ / "a", templates());
  const std::filesystem::path a = dir_ / "a";
  VerifyInput in;
  in.pdf = read_whole_file(a / "contract.pdf");
  in.ca_pem = read_whole_file(a / "ca.pem");
  in.ca_fingerprint = certificate_fingerprint(in.ca_pem);
  in.templates_dir = templates();
  // Signatures only: every one valid, but revision 0 and the log unchecked: not intact.
  const Verdict bare = verify(in);
  EXPECT_EQ(bare.oordeel, Oordeel::untrusted) << describe(bare);
  EXPECT_EQ(count_effect(bare, Oordeel::untrusted), 2u) << describe(bare);
  EXPECT_EQ(bare.revision0_check, "none");
  EXPECT_TRUE(std::all_of(bare.signatures.begin(), bare.signatures.end(), [](auto& s) { return s.valid; }));
  // With the agreement, the log and the TSA: intact, and the CLI agrees.
  in.agreement_xml = read_whole_file(a / "agreement.xml");
  in.audit_jsonl = read_whole_file(a / "audit.jsonl");
  in.tsa_pem = read_whole_file(a / "tsa.pem");
  // A log that only agrees with itself is not confirmed: its head must come from elsewhere.
  EXPECT_EQ(verify(in).oordeel, Oordeel::untrusted) << describe(verify(in));
  const std::string head = site_->w().status(kenmerk_).audit_head;
  in.audit_head = head;
  EXPECT_EQ(verify(in).oordeel, Oordeel::intact) << describe(verify(in));
  const auto cli = run_sto({"verify", (a / "contract.pdf").string(), "--ca", (a / "ca.pem").string(), "--agreement",
                            (a / "agreement.xml").string(), "--audit", (a / "audit.jsonl").string(), "--audit-head",
                            head, "--tsa", (a / "tsa.pem").string()});
  EXPECT_EQ(cli.exit_code, 0) << cli.out;
  EXPECT_EQ(run_sto({"verify", (a / "contract.pdf").string(), "--ca", (a / "ca.pem").string()}).exit_code, 1);
  EXPECT_EQ(run_sto({"verify", (a / "contract.pdf").string()}).exit_code, 2);  // no CA: usage
}

TEST_P(Archive, ARevisionZeroOfAnotherRendererIsComparedByContentAndSaysSo) {
  // A contract made by "another version": revision 0 rendered from `xml` but with another
  // /Producer (what a newer sto or libharu changes besides compression), signed by everyone.
  const auto sets = load_rule_sets(templates() / "regelingen");
  const Pki pki = Pki::create(dir_ / "pki", "");
  auto tsa = pki.local_tsa();
  const std::string ours = producer();
  std::string theirs = ours;
  theirs[4] = theirs[4] == '0' ? '9' : '0';  // same length: the xref offsets stay right
  int chains = 0;
  const auto contract_of = [&](const std::string& xml) {
    const Validation agreement = validate(xml, "agreement.xml", sets);
    std::string revision0 = render_contract(agreement.agreement, templates()).pdf;
    // The /Producer string escapes its parentheses: change the "sto X.Y.Z" part in place.
    const std::string head = ours.substr(0, ours.find(" ("));
    const std::size_t at = revision0.find("/Producer (" + head);
    if (at == std::string::npos) throw Error("geen /Producer in revisie 0");
    revision0[at + 11 + 4] = theirs[4];
    SignedContract chain = SignedContract::create(dir_ / ("chain" + std::to_string(++chains)), revision0);
    for (const Partner& p : agreement.agreement.partners) {
      for (const Tekenbevoegde& t : p.tekenbevoegden) {
        chain.sign(signing_act(agreement.agreement, t.id, system_time()), pki, *tsa);
      }
    }
    return chain.pdf();
  };
  const std::string xml = read_whole_file(sample("regio-klein-8.xml"));
  VerifyInput in;
  in.pdf = contract_of(xml);
  in.agreement_xml = xml;
  in.ca_pem = pki.ca_pem();
  in.tsa_pem = pki.tsa_pem();
  in.ca_fingerprint = pki.ca_fingerprint();
  in.templates_dir = templates();

  // The archive names the other renderer: bytes cannot match, content does, and the verdict says so.
  in.other_renderer = theirs;
  const Verdict v = verify(in);
  EXPECT_EQ(v.revision0_check, "content") << describe(v);
  ASSERT_EQ(v.notes.size(), 1u);
  EXPECT_THAT(v.notes[0], HasSubstr(theirs));
  EXPECT_THAT(describe(v), HasSubstr("andere renderer"));
  EXPECT_EQ(v.signatures.size(), 9u);
  EXPECT_TRUE(std::all_of(v.signatures.begin(), v.signatures.end(), [](auto& s) { return s.valid; })) << describe(v);
  EXPECT_EQ(count_effect(v, Oordeel::broken), 0u) << describe(v);
  EXPECT_EQ(v.oordeel, Oordeel::untrusted);  // no audit log given

  // Without a recorded other renderer, the same file is simply not revision 0.
  in.other_renderer.clear();
  const Verdict strict = verify(in);
  EXPECT_EQ(strict.revision0_check, "none");
  EXPECT_TRUE(std::any_of(strict.findings.begin(), strict.findings.end(), [](const Bevinding& f) {
    return f.check == "revisie-0" && f.message.find("byte voor byte") != std::string::npos;
  })) << describe(strict);

  // Other content is never passed, whoever rendered it: a contract of a slightly other agreement
  // (one partner's name), checked against the original agreement.xml.
  std::string other_xml = xml;
  const std::size_t name = other_xml.find("Gemeente Zwolle");
  ASSERT_NE(name, std::string::npos);
  other_xml.replace(name, 15, "Gemeente Zwolla");
  in.pdf = contract_of(other_xml);
  in.other_renderer = theirs;
  const Verdict other = verify(in);
  EXPECT_EQ(other.oordeel, Oordeel::broken);
  EXPECT_TRUE(std::any_of(other.findings.begin(), other.findings.end(), [](const Bevinding& f) {
    return f.check == "revisie-0" && f.message.find("andere inhoud") != std::string::npos;
  })) << describe(other);
}

TEST_P(Archive, IsASnapshotOfWhatTheDatabaseRecorded) {
  for (std::size_t i = 1; i < links_.size(); ++i) ASSERT_EQ(site_->sign(links_[i]).status, 303);
  // A revision on disk that no record knows (as a signing act whose commit failed leaves it).
  const auto agreement = validate_file(sample("regio-klein-8.xml"), load_rule_sets(templates() / "regelingen"));
  SignedContract chain = SignedContract::open(dir_ / "ws" / "contracten" / (kenmerk_ + "-v1"));
  ASSERT_EQ(chain.unsigned_fields().size(), 1u);
  chain.sign(signing_act(agreement.agreement, chain.unsigned_fields()[0], site_->w().now()), site_->w().pki(),
             site_->w().tsa());
  // With a trailing slash, as a shell completes a folder name.
  export_archive(site_->w(), kenmerk_, (dir_ / "a").string() + "/", templates());
  const Verdict v = verify_archive(dir_ / "a", {site_->w().ca_fingerprint(), "", templates()});
  EXPECT_EQ(v.oordeel, Oordeel::incomplete) << describe(v);
  EXPECT_EQ(v.signatures.size(), 8u);
  EXPECT_EQ(count_effect(v, Oordeel::broken), 0u) << describe(v);
  // Private: it holds e-mail and IP addresses.
  EXPECT_EQ(std::filesystem::status(dir_ / "a").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  EXPECT_EQ(std::filesystem::status(dir_ / "a" / "audit.jsonl").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_P(Archive, AFileThatIsNoPlainFileIsAFindingNotAHang) {
  for (const auto& link : links_) ASSERT_EQ(site_->sign(link).status, 303);
  export_archive(site_->w(), kenmerk_, dir_ / "a", templates());
  std::filesystem::remove(dir_ / "a" / "audit.jsonl");
  ASSERT_EQ(::mkfifo((dir_ / "a" / "audit.jsonl").c_str(), 0600), 0);
  std::filesystem::remove(dir_ / "a" / "tsa.pem");
  std::filesystem::create_symlink("/dev/zero", dir_ / "a" / "tsa.pem");
  // In templates/ too, at any depth: validation reads every regulation file it finds.
  ASSERT_EQ(::mkfifo((dir_ / "a" / "templates" / "regelingen" / "zz.xml").c_str(), 0600), 0);
  std::filesystem::create_directory_symlink("/etc", dir_ / "a" / "templates" / "x");
  const Verdict v = verify_archive(dir_ / "a", {site_->w().ca_fingerprint(), "", templates()});
  EXPECT_EQ(v.oordeel, Oordeel::broken);
  for (const char* name : {"audit.jsonl", "tsa.pem", "templates/regelingen/zz.xml", "templates/x"}) {
    EXPECT_TRUE(std::any_of(v.findings.begin(), v.findings.end(),
                            [&](const Bevinding& f) {
                              return f.subject == name && f.message.find("geen gewoon bestand") != std::string::npos;
                            }))
        << name << "\n"
        << describe(v);
  }
}

TEST_P(Archive, ATemplateEditedLaterNeverMakesAnOldContractUnprovable) {
  for (const auto& link : links_) ASSERT_EQ(site_->sign(link).status, 303);
  // The installed templates change after the contract was opened (they are editable by design).
  const std::filesystem::path edited = dir_ / "edited";
  std::filesystem::copy(templates(), edited, std::filesystem::copy_options::recursive);
  std::string text = read_whole_file(edited / "nl" / "overeenkomst.xml");
  const std::size_t at = text.find("Aan de regio nemen");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 18, "In de regio werken");
  write_file_atomically(edited / "nl" / "overeenkomst.xml", text);
  // Export takes the copy kept when the version was opened, and the archive carries it.
  export_archive(site_->w(), kenmerk_, dir_ / "a", edited);
  EXPECT_EQ(read_whole_file(dir_ / "a" / "templates" / "nl" / "overeenkomst.xml"),
            read_whole_file(templates() / "nl" / "overeenkomst.xml"));
  const Verdict v = verify_archive(dir_ / "a", {site_->w().ca_fingerprint(), "", edited});
  EXPECT_EQ(v.oordeel, Oordeel::intact) << describe(v);
  EXPECT_EQ(v.revision0_check, "bytes");
  // A template in the archive that is not what the contract was made from is found.
  write_file_atomically(dir_ / "a" / "templates" / "nl" / "overeenkomst.xml", text);
  const Verdict changed = verify_archive(dir_ / "a", {site_->w().ca_fingerprint(), "", templates()});
  EXPECT_EQ(changed.oordeel, Oordeel::broken);
  EXPECT_TRUE(std::any_of(changed.findings.begin(), changed.findings.end(), [](const Bevinding& f) {
    return f.subject == "templates/nl/overeenkomst.xml" && f.message.find("is gewijzigd") != std::string::npos;
  })) << describe(changed);
  // Templates not as recorded are not rendered from: the installed ones are (the same here).
  EXPECT_EQ(changed.revision0_check, "bytes");
}

TEST_P(Archive, ExportsWithASingleDatabaseConnection) {
  // The export holds the agreement's lock and reads on that same connection: with one connection
  // per process it must not wait for a second.
  site_.reset();
  auto one = std::make_unique<Site>(dir_ / "one", GetParam(),
                                    std::map<std::string, std::string>{{"database.connections", "1"}});
  const std::string kenmerk = one->open(sample("regio-klein-8.xml"));
  auto exported =
      std::async(std::launch::async, [&] { return export_archive(one->w(), kenmerk, dir_ / "a", templates()); });
  if (exported.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "export waits for a second database connection";
    std::_Exit(1);  // the future would wait forever in its destructor
  }
  const ExportResult r = exported.get();
  EXPECT_EQ(r.verdict.oordeel, Oordeel::incomplete) << describe(r.verdict);  // nobody signed yet
}

TEST_P(Archive, TheDossierShortensRepeatedEventsButNeverTheSignature) {
  for (int i = 0; i < 45; ++i) site_->w().remind(kenmerk_, RemindOptions{"", true});  // the log grows, by anyone's hand
  for (const auto& link : links_) ASSERT_EQ(site_->sign(link).status, 303);
  const Verdict v = export_and_verify("a");
  EXPECT_EQ(v.oordeel, Oordeel::intact) << describe(v);
  const auto text = run_program({"/usr/bin/pdftotext", (dir_ / "a" / "bewijsdossier.pdf").string(), "-"});
  ASSERT_EQ(text.exit_code, 0);
  const std::size_t shortened = text.out.find("gebeurtenissen meer: zie audit.jsonl");
  ASSERT_NE(shortened, std::string::npos);
  // After the shortened run come the last events, the signing act among them.
  EXPECT_NE(text.out.find("ondertekend", shortened), std::string::npos);
}

// What someone with write access to the database alone can do to the log: rewrite entry `seq`
// (an IP address) and recompute every hash after it, so that the chain agrees with itself again.
// With `edit` false, the entries from `seq` on are only renumbered and re-hashed (after a move).
std::vector<AuditRecord> rechained(std::vector<AuditRecord> log, std::int64_t seq, bool edit = true) {
  std::string previous = seq == 1 ? std::string(kAuditGenesis) : log[static_cast<std::size_t>(seq - 2)].hash;
  for (auto r = log.begin() + (seq - 1); r != log.end(); ++r) {
    AuditEntry e = parse_flat_json(r->canonical);
    r->seq = (r - log.begin()) + 1;
    e["seq"] = r->seq;
    if (edit && r->seq == seq) e["ip"] = std::string("203.0.113.9");
    r->canonical = canonical_json(e);
    r->hash = chain_hash(previous, r->canonical);
    previous = r->hash;
  }
  return log;
}

std::string quoted(std::string text) {
  for (std::size_t at = text.find('\''); at != std::string::npos; at = text.find('\'', at + 2)) text.insert(at, "'");
  return "'" + text + "'";
}

void store_rechained(const Site& site, const std::string& kenmerk, const std::vector<AuditRecord>& log,
                     std::int64_t from) {
  const std::string agreement = "(SELECT id FROM agreement WHERE kenmerk = " + quoted(kenmerk) + ")";
  for (const AuditRecord& r : log) {
    if (r.seq < from) continue;
    execute_sql(site.database(), "UPDATE audit SET entry = " + quoted(r.canonical) + ", hash = " + quoted(r.hash) +
                                     " WHERE seq = " + std::to_string(r.seq) + " AND agreement_id = " + agreement);
  }
  execute_sql(site.database(),
              "UPDATE agreement SET chain_head = " + quoted(log.back().hash) + " WHERE kenmerk = " + quoted(kenmerk));
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The archive `dir` with audit.jsonl replaced by `log` and manifest.json made to agree with it.
void put_log(const std::filesystem::path& dir, const std::vector<AuditRecord>& log) {
  std::string jsonl;
  for (const AuditRecord& r : log) jsonl += jsonl_line(r) + "\n";
  const std::string old_jsonl = read_whole_file(dir / "audit.jsonl");
  const std::string old_head = parse_flat_json(jsonl_lines(old_jsonl).back()).count("hash") != 0
                                   ? audit_text(parse_flat_json(jsonl_lines(old_jsonl).back()), "hash")
                                   : "";
  std::string manifest = read_whole_file(dir / "manifest.json");
  manifest = replaced(manifest, to_hex(sha256(old_jsonl)), to_hex(sha256(jsonl)));
  manifest = replaced(manifest, old_head, log.back().hash);
  write_file_atomically(dir / "audit.jsonl", jsonl);
  write_file_atomically(dir / "manifest.json", manifest);
}

bool has_finding(const Verdict& v, const std::string& subject, const std::string& part) {
  return std::any_of(v.findings.begin(), v.findings.end(), [&](const Bevinding& f) {
    return f.effect == Oordeel::broken && f.subject == subject && f.message.find(part) != std::string::npos;
  });
}

TEST_P(Archive, ALogRewrittenAndRechainedInTheDatabaseIsCaughtByExportAndVerify) {
  for (const auto& link : links_) ASSERT_EQ(site_->sign(link).status, 303);
  const Verdict before = export_and_verify("voor");
  ASSERT_EQ(before.oordeel, Oordeel::intact) << describe(before);
  // Every signature anchors the chain as its act found it: the "signed" entry follows at once.
  const std::vector<AuditRecord> log = site_->w().store().audit(kenmerk_);
  std::vector<std::int64_t> signed_at;
  std::int64_t completed_at = 0;
  for (const AuditRecord& r : log) {
    const std::string event = audit_text(parse_flat_json(r.canonical), "event");
    if (event == "signed") signed_at.push_back(r.seq);
    if (event == "completed") completed_at = r.seq;
  }
  ASSERT_EQ(signed_at.size(), 9u);
  ASSERT_EQ(before.signatures.size(), 9u);
  for (std::size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(before.signatures[i].anchor_length, signed_at[i] - 1);
    EXPECT_EQ(before.signatures[i].anchor_head, log[static_cast<std::size_t>(signed_at[i] - 2)].hash);
  }
  // The completion is timestamped over the head it made, kept in the store and the archive.
  const auto stamps = site_->w().store().audit_timestamps(kenmerk_);
  ASSERT_EQ(stamps.size(), 1u);
  EXPECT_EQ(stamps[0].seq, completed_at);
  EXPECT_EQ(stamps[0].head, log[static_cast<std::size_t>(completed_at - 1)].hash);
  ASSERT_EQ(before.audit_timestamps.size(), 1u);
  EXPECT_EQ(before.audit_timestamps[0].seq, completed_at);
  EXPECT_GT(before.audit_timestamps[0].time, 0);
  EXPECT_EQ(jsonl_lines(read_whole_file(dir_ / "voor" / "audit-tijdstempels.jsonl")).size(), 1u);

  // An entry between the 4th and 5th signature rewritten: the 5th's anchor no longer holds, the
  // 4th's still does, and the verdict says between which lines the change lies.
  const std::int64_t rewritten = signed_at[3] + 1;
  const std::vector<AuditRecord> forged = rechained(log, rewritten);
  const std::string where = "audit.jsonl regel " + std::to_string(signed_at[4] - 1);
  const std::string between = "tussen " + std::to_string(signed_at[3]) + " en " + std::to_string(signed_at[4] - 1);
  std::filesystem::copy(dir_ / "voor", dir_ / "vervalst", std::filesystem::copy_options::recursive);
  put_log(dir_ / "vervalst", forged);
  const Verdict v = verify_archive(dir_ / "vervalst", {site_->w().ca_fingerprint(), "", templates()});
  EXPECT_EQ(v.oordeel, Oordeel::broken);
  EXPECT_TRUE(has_finding(v, where, between)) << describe(v);
  // The chain alone agrees with itself: only the anchors tell.
  EXPECT_FALSE(has_finding(v, "audit.jsonl", "hash klopt niet")) << describe(v);
  const auto cli = run_sto({"verify", (dir_ / "vervalst").string(), "--ca-fingerprint", site_->w().ca_fingerprint()});
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_THAT(cli.out, HasSubstr("herschreven"));

  // The 5th signature's own entry moved one line later: its anchor still holds (the lines before
  // it are untouched), but its act's entry no longer follows it.
  std::vector<AuditRecord> moved = log;
  std::swap(moved[static_cast<std::size_t>(signed_at[4] - 1)], moved[static_cast<std::size_t>(signed_at[4])]);
  std::filesystem::copy(dir_ / "voor", dir_ / "verschoven", std::filesystem::copy_options::recursive);
  put_log(dir_ / "verschoven", rechained(moved, signed_at[4], false));
  const Verdict later = verify_archive(dir_ / "verschoven", {site_->w().ca_fingerprint(), "", templates()});
  EXPECT_TRUE(has_finding(later, "audit.jsonl regel " + std::to_string(signed_at[4] + 1),
                          "hoort direct na regel " + std::to_string(signed_at[4] - 1)))
      << describe(later);

  // The same in the database: export refuses and writes nothing.
  store_rechained(*site_, kenmerk_, forged, rewritten);
  ASSERT_EQ(site_->w().store().audit(kenmerk_)[static_cast<std::size_t>(rewritten - 1)].canonical,
            forged[static_cast<std::size_t>(rewritten - 1)].canonical);
  try {
    export_archive(site_->w(), kenmerk_, dir_ / "na", templates());
    ADD_FAILURE() << "export wrote an archive of a rewritten log";
  } catch (const Refusal& e) {
    EXPECT_THAT(e.what(), HasSubstr("herschreven"));
    EXPECT_THAT(e.what(), HasSubstr(between));
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "na"));
  const auto refused =
      run_sto({"export", kenmerk_, "-o", (dir_ / "na-cli").string(), "--home", (dir_ / "ws").string()});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "na-cli"));

  // The last signature's own entry is covered by no signature, only by the completion's timestamp.
  const std::vector<AuditRecord> late = rechained(log, signed_at[8]);
  std::filesystem::copy(dir_ / "voor", dir_ / "laat", std::filesystem::copy_options::recursive);
  put_log(dir_ / "laat", late);
  const Verdict after_last = verify_archive(dir_ / "laat", {site_->w().ca_fingerprint(), "", templates()});
  EXPECT_TRUE(has_finding(after_last, "audit.jsonl regel " + std::to_string(completed_at),
                          "tussen " + std::to_string(signed_at[8]) + " en " + std::to_string(completed_at)))
      << describe(after_last);
  // Without its timestamp, the completion is unbound: a finding too.
  const std::string stamped = read_whole_file(dir_ / "voor" / "audit-tijdstempels.jsonl");
  write_file_atomically(dir_ / "voor" / "audit-tijdstempels.jsonl", "");
  const std::string manifest = read_whole_file(dir_ / "voor" / "manifest.json");
  write_file_atomically(dir_ / "voor" / "manifest.json",
                        replaced(manifest, to_hex(sha256(stamped)), to_hex(sha256(""))));
  const Verdict unstamped = verify_archive(dir_ / "voor", {site_->w().ca_fingerprint(), "", templates()});
  EXPECT_TRUE(has_finding(unstamped, "audit.jsonl regel " + std::to_string(completed_at), "geen tijdstempel"))
      << describe(unstamped);
}

TEST_P(Archive, ACompletionCutFromTheLogIsCaughtWhateverCameBeforeIt) {
  for (const auto& link : links_) ASSERT_EQ(site_->sign(link).status, 303);
  const std::vector<AuditRecord> log = site_->w().store().audit(kenmerk_);
  ASSERT_EQ(audit_text(parse_flat_json(log.back().canonical), "event"), "completed");
  // The completion and its timestamp deleted, then the last signature's own entry rewritten: no
  // signature anchors that entry, and without a completion no timestamp is asked for.
  std::vector<AuditRecord> cut(log.begin(), log.end() - 1);
  const std::int64_t last_signed = cut.back().seq;
  cut = rechained(cut, last_signed);
  execute_sql(site_->database(), "DELETE FROM audit_timestamp");
  execute_sql(site_->database(), "DELETE FROM audit WHERE seq = " + std::to_string(log.back().seq));
  execute_sql(site_->database(), "UPDATE agreement SET chain_length = " + std::to_string(cut.size()) +
                                     " WHERE kenmerk = " + quoted(kenmerk_));
  store_rechained(*site_, kenmerk_, cut, last_signed);
  try {
    export_archive(site_->w(), kenmerk_, dir_ / "a", templates());
    ADD_FAILURE() << "export wrote an archive whose completion was cut off";
  } catch (const Refusal& e) {
    EXPECT_THAT(e.what(), HasSubstr("geen voltooiing"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a"));
}

TEST_P(Archive, EveryTimestampOverTheChainIsCheckedAsAToken) {
  for (const auto& link : links_) ASSERT_EQ(site_->sign(link).status, 303);
  export_archive(site_->w(), kenmerk_, dir_ / "a", templates());
  const auto stamp = site_->w().store().audit_timestamps(kenmerk_).at(0);
  const auto put = [&](const std::string& name, const std::string& jsonl) {
    std::filesystem::remove_all(dir_ / name);
    std::filesystem::copy(dir_ / "a", dir_ / name, std::filesystem::copy_options::recursive);
    const std::string old = read_whole_file(dir_ / name / "audit-tijdstempels.jsonl");
    write_file_atomically(dir_ / name / "audit-tijdstempels.jsonl", jsonl);
    write_file_atomically(dir_ / name / "manifest.json", replaced(read_whole_file(dir_ / name / "manifest.json"),
                                                                  to_hex(sha256(old)), to_hex(sha256(jsonl))));
    return verify_archive(dir_ / name, {site_->w().ca_fingerprint(), "", templates()});
  };
  const auto line = [](std::int64_t seq, const std::string& head, const std::string& token) {
    return canonical_json({{"head", head}, {"seq", seq}, {"token", to_hex(token)}}) + "\n";
  };
  const std::string where = "audit-tijdstempels.jsonl regel 1";
  // A token over the right hash by a TSA the archive does not hold.
  const Pki foreign = Pki::create(dir_ / "vreemd", "", site_->w().now());
  const Verdict by_foreign =
      put("vreemd-tsa", line(stamp.seq, stamp.head, foreign.local_tsa()->timestamp(from_hex(stamp.head))));
  EXPECT_TRUE(has_finding(by_foreign, where, "niet van een TSA van het archief")) << describe(by_foreign);
  // The archive's own TSA, over another hash than the line names.
  const Verdict other_hash =
      put("andere-hash", line(stamp.seq, stamp.head, site_->w().tsa().timestamp(sha256("iets anders"))));
  EXPECT_TRUE(has_finding(other_hash, where, "hoort bij een andere hash")) << describe(other_hash);
  // A real token named at another line.
  const Verdict moved = put("verschoven", line(stamp.seq - 1, stamp.head, stamp.token));
  EXPECT_EQ(moved.oordeel, Oordeel::broken);
  EXPECT_TRUE(has_finding(moved, "audit.jsonl regel " + std::to_string(stamp.seq), "geen tijdstempel"))
      << describe(moved);
  // Malformed lines are findings, never a crash.
  const Verdict malformed = put("kapot",
                                "[1]\n{\"head\":\"zz\",\"seq\":1,\"token\":\"00\"}\n"
                                "{\"head\":\"" +
                                    stamp.head + "\",\"seq\":99999999999999999999,\"token\":\"00\"}\n" +
                                    line(stamp.seq, std::string(64, 'A'), stamp.token));
  EXPECT_EQ(malformed.oordeel, Oordeel::broken);
  for (int n = 1; n <= 4; ++n) {
    EXPECT_TRUE(has_finding(malformed, "audit-tijdstempels.jsonl regel " + std::to_string(n), ""))
        << n << "\n"
        << describe(malformed);
  }
}

TEST_P(Archive, ATsaChangedBetweenTwoSignaturesLeavesEveryTokenProvable) {
  for (std::size_t i = 0; i < 4; ++i) ASSERT_EQ(site_->sign(links_[i]).status, 303);
  // Another TSA (its own CA, answered by `openssl ts` over HTTP) is configured for the rest.
  const auto other = dir_ / "andere-tsa";
  Pki::create(other, "", site_->w().now());
  LoopbackTsa server(other, 200);
  const std::string local_tsa = site_->w().pki().tsa_pem();
  site_.reset();
  Werkruimte w = Werkruimte::open(dir_ / "ws", templates(), "",
                                  {{"tsa.url", server.url()}, {"tsa.certificate", (other / "tsa.pem").string()}});
  EXPECT_EQ(w.tsa_certificates(), local_tsa + read_whole_file(other / "tsa.pem"));
  for (std::size_t i = 4; i < links_.size(); ++i) {
    const std::string token = links_[i].substr(links_[i].rfind('/') + 1);
    const LinkView page = w.view(token, Actor{"127.0.0.1", "test"});
    ASSERT_EQ(page.kind, LinkView::Kind::sign);
    EXPECT_EQ(w.sign(token, true, page.naam, Actor{"127.0.0.1", "test"}).kind, LinkView::Kind::signed_);
  }
  EXPECT_EQ(server.targets().size(), 5u + 1u);  // five signatures and the completion's timestamp

  export_archive(w, kenmerk_, dir_ / "a", templates());
  const Verdict v = verify_archive(dir_ / "a", {w.ca_fingerprint(), "", templates()});
  EXPECT_EQ(v.oordeel, Oordeel::intact) << describe(v);
  // tsa.pem holds both TSAs, taken from the tokens, each token checked against its own.
  const std::string tsa_pem = read_whole_file(dir_ / "a" / "tsa.pem");
  EXPECT_EQ(tsa_pem, local_tsa + read_whole_file(other / "tsa.pem"));
  for (std::size_t i = 0; i < v.signatures.size(); ++i) {
    EXPECT_EQ(v.signatures[i].tsa_certificate_pem, i < 4 ? local_tsa : read_whole_file(other / "tsa.pem")) << i;
  }
  // A tsa.pem without the first TSA leaves its four tokens unprovable.
  write_file_atomically(dir_ / "a" / "tsa.pem", read_whole_file(other / "tsa.pem"));
  const Verdict without = verify_archive(dir_ / "a", {w.ca_fingerprint(), "", templates()});
  EXPECT_EQ(without.oordeel, Oordeel::broken);
  EXPECT_EQ(std::count_if(without.signatures.begin(), without.signatures.end(), [](auto& s) { return !s.valid; }), 4)
      << describe(without);
  // The bewijsdossier names both.
  write_file_atomically(dir_ / "a" / "tsa.pem", tsa_pem);
  const auto text = run_program({"/usr/bin/pdftotext", (dir_ / "a" / "bewijsdossier.pdf").string(), "-"});
  ASSERT_EQ(text.exit_code, 0);
  for (const std::string& fingerprint : certificate_fingerprints(tsa_pem)) {
    EXPECT_THAT(text.out, HasSubstr(fingerprint.substr(0, 23))) << text.out;
  }
}

INSTANTIATE_TEST_SUITE_P(On, Archive, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace sto::test
