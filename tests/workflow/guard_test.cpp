// Issue 20: clients that connect and send nothing, or trickle a header a byte at a time, do not
// stop the server from answering everyone else. On loopback, bounded in time: the attackers
// come from other loopback addresses (127.0.0.2, 127.0.0.3) than the signatory (127.0.0.1).
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "harness.h"
#include "sto/demo.h"

namespace sto::test {
namespace {

using Clock = std::chrono::steady_clock;

// A TCP connection to 127.0.0.1:`port` from `source` (any 127/8 address is this machine's).
int connect_from(const std::string& source, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Whether the server has closed `fd` (end of stream or reset), without waiting.
bool closed_by_server(int fd) {
  char byte = 0;
  const ssize_t n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

class SlowClients : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / "sto-slow-clients";
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    // Both ends of 370 connections live in this process.
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = std::max<rlim_t>(files.rlim_cur, std::min<rlim_t>(files.rlim_max, 4096));
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SlowClients, IdleAndTricklingConnectionsDoNotStopTheOthers) {
  Site s(dir_ / "ws", Backend::sqlite);
  const std::string kenmerk = s.open(sample("regio-klein-8.xml"));
  const auto invited = s.invite(kenmerk);
  const std::string link = invited.begin()->second.front().substr(s.base_url().size());
  const int port = Poco::URI(s.base_url()).getPort();

  std::vector<int> idle;
  for (int i = 0; i < 300; ++i) idle.push_back(connect_from("127.0.0.2", port));
  std::vector<int> slow;
  for (int i = 0; i < 70; ++i) slow.push_back(connect_from("127.0.0.3", port));
  ASSERT_EQ(std::count(idle.begin(), idle.end(), -1) + std::count(slow.begin(), slow.end(), -1), 0);
  // One header byte every 4 s on each: within every read timeout, never a whole header.
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    const std::string header = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa";
    for (std::size_t at = 0; !done; at = (at + 1) % header.size()) {
      for (const int fd : slow) ::send(fd, &header[at], 1, MSG_NOSIGNAL);
      for (int i = 0; i < 40 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  // The signatory meanwhile, for 12 s: every request answered, none slow.
  std::vector<double> latencies;
  int answered = 0;
  int failed = 0;
  const auto until = Clock::now() + std::chrono::seconds(12);
  while (Clock::now() < until) {
    const auto start = Clock::now();
    try {
      answered += http(s.base_url(), "GET", link).status == 200 ? 1 : 0;
    } catch (const std::exception&) {
      ++failed;
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  done = true;
  trickle.join();
  std::sort(latencies.begin(), latencies.end());
  const double slowest = latencies.back();
  const double median = latencies[latencies.size() / 2];
  std::cout << "during 300 idle and 70 trickling connections: " << answered << " of " << latencies.size()
            << " requests answered, median " << median << " ms, slowest " << slowest << " ms\n";
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(answered, static_cast<int>(latencies.size()));
  EXPECT_GT(answered, 50);
  EXPECT_LT(slowest, 2000.0);

  // Every attacking connection was closed by the server: at accept beyond 16 per address, the
  // rest when their 5 s for a header had passed.
  int open = 0;
  for (const int fd : idle) open += closed_by_server(fd) ? 0 : 1;
  for (const int fd : slow) open += closed_by_server(fd) ? 0 : 1;
  EXPECT_EQ(open, 0);
  for (const int fd : idle) ::close(fd);
  for (const int fd : slow) ::close(fd);
  // And the server still answers.
  EXPECT_EQ(http(s.base_url(), "GET", link).status, 200);
}

}  // namespace
}  // namespace sto::test
