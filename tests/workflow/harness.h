// Test support for the workflow: a workspace on a real database (an SQLite file, or the
// PostgreSQL server tests/support/pg-throwaway.sh started and named in $STO_PG_CONN), the page
// server on a free loopback port, the mails in the pickup directory, and an HTTP client.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sto/demo.h"
#include "sto/server.h"
#include "sto/workflow.h"

namespace sto::test {

enum class Backend { sqlite, postgresql };
std::string backend_name(const ::testing::TestParamInfo<Backend>& info);
// SQLite always; PostgreSQL too when $STO_PG_CONN names a server (the ctest entry that runs
// this binary under pg-throwaway.sh).
std::vector<Backend> backends();
// The database URL for a test: a fresh file in `dir`, or the PostgreSQL database emptied.
std::string fresh_database(Backend backend, const std::filesystem::path& dir);
// Runs `sql` on the database at `url` (as fresh_database gives it) behind sto's back: what
// someone with write access to the database alone can do.
void execute_sql(const std::string& url, const std::string& sql);

std::filesystem::path source_dir();
std::filesystem::path templates();
std::filesystem::path sample(const std::string& name);  // samples/<name>

// The HTTP client, the mail reader and the signing visit are the ones `sto demo` uses (sto/demo.h).
using Http = HttpReply;

std::size_t count(const std::string& text, std::string_view what);
std::string read_text(const std::filesystem::path& path);

// A workspace in `dir` on a fresh database of `backend`, with the server running (DemoSite).
class Site {
 public:
  Site(const std::filesystem::path& dir, Backend backend, const std::map<std::string, std::string>& overrides = {});
  Werkruimte& w() { return site_->werkruimte(); }
  PageServer& server() { return site_->server(); }
  std::string base_url() const { return site_->base_url(); }
  std::filesystem::path pickup() const { return site_->pickup(); }
  std::string access_log() const;
  const std::string& database() const { return database_; }
  // Opens samples/<name> (or a path); returns the kenmerk.
  std::string open(const std::filesystem::path& agreement);
  // Invites and returns address → links of every invitation mail received so far.
  std::map<std::string, std::vector<std::string>> invite(const std::string& kenmerk) { return site_->invite(kenmerk); }
  // The pdfsig verdict of `pdf` with an NSS database trusting this workspace's CA: its lines.
  std::string pdfsig(const std::string& pdf) const;
  // Signs through the page as the tekenbevoegde would: GET, then POST with csrf, bevestig, naam.
  Http sign(const std::string& link) { return sign_via_page(link); }

 private:
  std::filesystem::path dir_;
  std::string database_;
  std::unique_ptr<std::ostringstream> log_;  // before site_: the server writes to it until it stops
  std::unique_ptr<DemoSite> site_;
};

}  // namespace sto::test

namespace sto::test {

// A child process (posix_spawn), stopped with SIGTERM and reaped when destroyed. Its stdout and
// stderr go to `log`.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::filesystem::path& log);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  int stop();   // SIGTERM, wait; the exit status (128 + signal when killed)
  void kill();  // SIGKILL, wait: a crash

 private:
  int pid_ = -1;
};

// A TCP port on 127.0.0.1 nobody listens on right now.
unsigned short free_port();
// Waits until GET / on `base_url` answers; false after `seconds`.
bool wait_until_serving(const std::string& base_url, int seconds);

// Counts what it is given instead of delivering it: for tests that do not read mail back.
class CountingTransport final : public Transport {
 public:
  Delivery send(const Mail& mail) override;
  std::size_t sent() const;
  std::vector<std::string> attachment_sha256() const;

 private:
  mutable std::mutex mutex_;
  std::size_t sent_ = 0;
  std::vector<std::string> attachments_;
};

}  // namespace sto::test
