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
};

class KilledWhileCompleting : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(root_); }

  Outcome run(int delay_ms) {
    const auto dir = root_ / std::to_string(delay_ms);
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
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      process->kill();
      signer.join();
    }
    Outcome o;
    for (const auto& m : pickup_mails(dir / "ws" / "postvak")) o.before_restart += m.attachments.empty() ? 0 : 1;
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
  // From a kill before the signature to one after every mail went out, in steps, so that some
  // kills fall between the completion's commit and its mails whatever this machine's speed.
  int between = 0;  // kills after the completion, before all its mails
  for (int delay = 0, runs = 0; runs < 60; delay += delay < 200 ? 10 : 50, ++runs) {
    const Outcome o = run(delay);
    std::cout << "kill -9 " << delay << " ms into the last signature: "
              << (o.completed_before_restart ? "completed before the kill" : "signed again after the restart") << ", "
              << o.completion_mails << " completion mails (" << o.before_restart << " before the kill), "
              << o.duplicates << " twice, penvoerder notice " << (o.notice ? "yes" : "NO") << "\n";
    if (o.completed_before_restart && o.before_restart < 8) ++between;
    if (o.before_restart >= 8 || HasFailure()) break;
  }
  EXPECT_GT(between, 0) << "no kill fell between the completion and its mails";
}

}  // namespace
}  // namespace sto::test
