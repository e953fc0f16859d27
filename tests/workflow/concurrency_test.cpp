// 140 tekenbevoegden signing at the same moment: against one server, and against two `sto serve`
// processes sharing one database (and one workspace directory). Every signature must end up as
// its own valid revision, recorded once, with an unbroken audit chain.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <barrier>
#include <set>
#include <thread>

#include "harness.h"
#include "sto/audit.h"
#include "sto/pades.h"

namespace sto::test {
namespace {

class Concurrency : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sto-conc-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Every link's path, its form's csrf and the name to type, fetched before the rush.
  struct Prepared {
    std::string path;
    std::string csrf;
    std::string naam;
  };
  static std::vector<Prepared> prepare(const std::string& base_url, const std::vector<std::string>& paths) {
    std::vector<Prepared> out;
    for (const auto& path : paths) {
      const Http page = http(base_url, "GET", path);
      EXPECT_EQ(page.status, 200);
      out.push_back(Prepared{path, csrf_of(page.body), typed_name_of(page.body)});
    }
    return out;
  }

  // All at once: one thread per signatory, released together; returns the HTTP statuses.
  static std::vector<int> rush(const std::vector<std::string>& bases, const std::vector<Prepared>& all) {
    std::vector<int> statuses(all.size(), 0);
    std::barrier start(static_cast<std::ptrdiff_t>(all.size()));
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < all.size(); ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        try {
          statuses[i] = http(bases[i % bases.size()], "POST", all[i].path + "/onderteken",
                             {{"csrf", all[i].csrf}, {"bevestig", "ja"}, {"naam", all[i].naam}})
                            .status;
        } catch (const std::exception&) {
          statuses[i] = -1;
        }
      });
    }
    for (auto& t : threads) t.join();
    return statuses;
  }

  // The chain on disk, the records and the audit log agree: n revisions, n signed events with
  // revisions 1..n, each signatory once, the chain whole, pdfsig valid n times.
  void expect_consistent(Werkruimte& w, const std::string& kenmerk, std::size_t n, const Site* site) {
    const Status st = w.status(kenmerk);
    EXPECT_EQ(st.signed_count, n);
    EXPECT_EQ(st.version.state, VersionState::completed);
    const auto chain = SignedContract::open(dir_ / "ws" / st.version.contract_dir);
    EXPECT_EQ(static_cast<std::size_t>(chain.revisions()), n);
    std::vector<std::string> lines;
    for (const auto& r : w.store().audit(kenmerk)) lines.push_back(jsonl_line(r));
    std::string head;
    EXPECT_THAT(verify_chain(lines, head), ::testing::IsEmpty());
    std::set<std::int64_t> revisions;
    std::set<std::string> signers;
    for (const auto& line : lines) {
      const AuditEntry e = parse_flat_json(line);
      if (std::get<std::string>(e.at("event")) != "signed") continue;
      revisions.insert(std::get<std::int64_t>(e.at("revision")));
      signers.insert(std::get<std::string>(e.at("tekenbevoegde")));
    }
    EXPECT_EQ(revisions.size(), n);
    EXPECT_EQ(*revisions.begin(), 1);
    EXPECT_EQ(*revisions.rbegin(), static_cast<std::int64_t>(n));
    EXPECT_EQ(signers.size(), n);
    if (site != nullptr) {
      const std::string verdict = site->pdfsig(chain.pdf());
      EXPECT_EQ(count(verdict, "Signature is Valid."), n);
      EXPECT_EQ(count(verdict, "Certificate is Trusted."), n);
    }
  }

  std::filesystem::path dir_;
};

TEST_P(Concurrency, OneHundredFortySignAtOnceAgainstOneServer) {
  Site site(dir_ / "ws", GetParam());
  auto counting = std::make_unique<CountingTransport>();
  const std::string kenmerk = site.open(sample("regio-groot-108.xml"));
  std::vector<std::string> paths;
  for (const auto& [address, links] : site.invite(kenmerk)) {
    for (const auto& link : links) paths.push_back(link.substr(site.base_url().size()));
  }
  ASSERT_EQ(paths.size(), 140u);
  const auto prepared = prepare(site.base_url(), paths);
  CountingTransport* completion = counting.get();
  site.w().set_transport(std::move(counting));
  const auto statuses = rush({site.base_url()}, prepared);
  for (std::size_t i = 0; i < statuses.size(); ++i) EXPECT_EQ(statuses[i], 303) << prepared[i].naam;
  expect_consistent(site.w(), kenmerk, 140, &site);
  site.w().flush_mail();
  const std::string signed_sha = to_hex(sha256(site.w().signed_pdf(kenmerk)));
  ASSERT_FALSE(completion->attachment_sha256().empty());
  for (const auto& sha : completion->attachment_sha256()) EXPECT_EQ(sha, signed_sha);
}

TEST_P(Concurrency, TwoServeProcessesShareOneDatabase) {
  std::string database;
  std::vector<std::string> paths;
  std::string kenmerk;
  {
    // Opened and invited here; then two servers take over the same workspace and database.
    Site site(dir_ / "ws", GetParam());
    database = site.w().configuration().database;
    kenmerk = site.open(sample("regio-groot-108.xml"));
    for (const auto& [address, links] : site.invite(kenmerk)) {
      for (const auto& link : links) paths.push_back(link.substr(site.base_url().size()));
    }
  }
  ASSERT_EQ(paths.size(), 140u);
  const unsigned short a = free_port();
  const unsigned short b = free_port();
  std::vector<std::string> bases;
  std::vector<std::unique_ptr<Process>> servers;
  for (const unsigned short port : {a, b}) {
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    servers.push_back(
        std::make_unique<Process>(std::vector<std::string>{STO_BINARY, "serve", "--home", (dir_ / "ws").string(),
                                                           "--database", database, "--listen", listen},
                                  dir_ / ("serve-" + std::to_string(port) + ".log")));
    bases.push_back("http://" + listen);
    ASSERT_TRUE(wait_until_serving(bases.back(), 30)) << listen;
  }
  const auto prepared = prepare(bases[0], paths);
  const auto statuses = rush(bases, prepared);
  for (std::size_t i = 0; i < statuses.size(); ++i) EXPECT_EQ(statuses[i], 303) << prepared[i].naam;
  for (auto& s : servers) EXPECT_EQ(s->stop(), 0);
  Werkruimte w = Werkruimte::open(dir_ / "ws", templates(), "", {{"database", database}});
  Site* no_site = nullptr;
  expect_consistent(w, kenmerk, 140, no_site);
  // Both servers signed: each one's access log has sign requests.
  for (const unsigned short port : {a, b}) {
    const std::string log = read_text(dir_ / ("serve-" + std::to_string(port) + ".log"));
    EXPECT_GE(count(log, "POST /t/…/onderteken 303"), 60u) << port;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Concurrency, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace sto::test
