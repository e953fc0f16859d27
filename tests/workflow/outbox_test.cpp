// Issue 20: the mails an act causes survive a crash. The last signature is given to a real
// `sto serve`, which is killed (SIGKILL) at a range of moments while it signs, completes and
// mails; a new `sto serve` on the same workspace then delivers what was not delivered.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "harness.h"
#include "sto/demo.h"

namespace sto::test {
namespace {

const std::string kPenvoerder = "penvoerder@example.nl";

struct Outcome {
  bool completed_before_restart = false;
  std::size_t completion_mails = 0;  // after the restart: at least one per address
  std::size_t duplicates = 0;        // an address mailed twice (killed between send and record)
  bool notice = false;               // the penvoerder's "Rond:" notice
  std::size_t before_restart = 0;    // completion mails the killed server had sent
  int took_ms = 0;                   // without a kill: from the signature to its last mail
};

class KilledWhileCompleting : public ::testing::Test {
 protected:
  // Completion mails in the workspace's pickup directory, and whether the notice is there.
  static std::pair<std::size_t, bool> mails_in(const std::filesystem::path& dir) {
    std::pair<std::size_t, bool> found{0, false};
    for (const auto& m : pickup_mails(dir / "ws" / "postvak")) {
      found.first += m.attachments.empty() ? 0 : 1;
      found.second = found.second || m.subject.find("Rond: ") != std::string::npos;
    }
    return found;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // `delay_ms` < 0: no kill until the mails are out.
  Outcome run(int delay_ms) {
    const auto dir = root_ / ("d" + std::to_string(delay_ms));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string database;
    std::string kenmerk;
    std::string last;
    std::set<std::string> addresses;
    {
      Site s(dir / "ws", Backend::sqlite);
      database = s.database();
      kenmerk = s.open(sample("regio-klein-8.xml"));
      std::vector<std::string> links;
      for (const auto& [address, found] : s.invite(kenmerk)) {
        links.insert(links.end(), found.begin(), found.end());
        addresses.insert(address);
      }
      last = links.back();
      links.pop_back();
      for (const auto& link : links) EXPECT_EQ(s.sign(link).status, 303);
    }
    std::ofstream(dir / "ws" / "sto.conf", std::ios::app)
        << "penvoerder.email = " << kPenvoerder << "\nherinneringen.interval = 1\nmail.claim = 1\n";
    const std::string path = last.substr(last.find("/t/"));
    int took = 0;
    const auto serve = [&](const std::string& log) {
      const std::string listen = "127.0.0.1:" + std::to_string(free_port());
      auto p = std::make_unique<Process>(std::vector<std::string>{STO_BINARY, "serve", "--home", (dir / "ws").string(),
                                                                  "--database", database, "--listen", listen},
                                         dir / log);
      EXPECT_TRUE(wait_until_serving("http://" + listen, 30));
      return std::make_pair(std::move(p), "http://" + listen);
    };

    {
      auto [process, base] = serve("serve-1.log");
      std::thread signer([&, base = base] {
        try {
          sign_via_page(base + path);
        } catch (const std::exception&) {  // the server died under it
        }
      });
      if (delay_ms >= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      } else {  // no kill: until the completion mails and the notice are out
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 600 && mails_in(dir).first < 8; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        took = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
      }
      process->kill();
      signer.join();
    }
    Outcome o;
    o.took_ms = took;
    o.before_restart = mails_in(dir).first;
    auto [process, base] = serve("serve-2.log");
    // Was the signature committed before the kill? If not, the signatory signs again.
    const HttpReply page = http(base, "GET", path);
    o.completed_before_restart = page.body.find("id=ontvangst") != std::string::npos;
    if (!o.completed_before_restart) {
      EXPECT_EQ(sign_via_page(base + path).status, 303);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::map<std::string, std::size_t> got;
    while (std::chrono::steady_clock::now() < deadline) {
      got.clear();
      o.notice = false;
      for (const auto& m : pickup_mails(dir / "ws" / "postvak")) {
        if (!m.attachments.empty()) ++got[m.to];
        if (m.subject.find("Rond: " + kenmerk) != std::string::npos) o.notice = true;
      }
      if (got.size() >= addresses.size() && o.notice) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_EQ(process->stop(), 0);
    for (const auto& [to, n] : got) {
      o.completion_mails += n;
      o.duplicates += n - 1;
    }
    EXPECT_EQ(got.size(), addresses.size()) << "delay " << delay_ms << " ms";
    EXPECT_TRUE(o.notice) << "delay " << delay_ms << " ms";
    return o;
  }

  std::filesystem::path root_ = std::filesystem::temp_directory_path() / "sto-killed-while-completing";
};

TEST_F(KilledWhileCompleting, EveryMailIsDeliveredAfterARestart) {
  // First without a kill (the delay long enough for everything): how long the last signature,
  // the completion and its mails take on this machine. Then kills spread over that time, so that
  // some fall between the completion's commit and its mails whatever this machine's speed.
  const auto started = std::chrono::steady_clock::now();
  const Outcome whole = run(-1);
  ASSERT_TRUE(whole.completed_before_restart);
  ASSERT_EQ(whole.before_restart, 8u);
  const int span = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  std::cout << "the whole run without a kill: " << span << " ms; the signature and its mails: " << whole.took_ms
            << " ms\n";
  int between = 0;  // kills after the completion, before all its mails
  for (int step = 0; step <= 10; ++step) {
    const int delay = whole.took_ms * step / 10;
    const Outcome o = run(delay);
    std::cout << "kill -9 " << delay << " ms into the last signature: "
              << (o.completed_before_restart ? "completed before the kill" : "signed again after the restart") << ", "
              << o.completion_mails << " completion mails (" << o.before_restart << " before the kill), "
              << o.duplicates << " twice, penvoerder notice " << (o.notice ? "yes" : "NO") << "\n";
    if (o.completed_before_restart && o.before_restart < 8) ++between;
    if (HasFailure()) break;
  }
  EXPECT_GT(between, 0) << "no kill fell between the completion and its mails";
}

}  // namespace
}  // namespace sto::test
