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

std::filesystem::path source_dir();
std::filesystem::path templates();
std::filesystem::path sample(const std::string& name);  // samples/<name>

struct Http {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};
// One request on a fresh connection. `form` is sent url-encoded when method is POST.
Http http(const std::string& base_url, const std::string& method, const std::string& path,
          const std::map<std::string, std::string>& form = {}, const std::map<std::string, std::string>& headers = {});

// A received mail, decoded.
struct ReceivedMail {
  std::string to;
  std::string subject;  // decoded
  std::string text;     // the text/plain part, decoded
  std::string html;
  std::vector<std::pair<std::string, std::string>> attachments;  // file name, bytes
  std::string raw;
};
ReceivedMail parse_mail(const std::string& raw);
std::vector<ReceivedMail> pickup_mails(const std::filesystem::path& pickup);  // oldest first
// The links (BASE/t/TOKEN) in a mail's text part.
std::vector<std::string> links_in(const ReceivedMail& mail, const std::string& base_url);
std::string token_of(const std::string& link);       // the last path segment
std::string csrf_of(const std::string& page);        // the form's csrf value
std::string typed_name_of(const std::string& page);  // the name the page asks to type

std::size_t count(const std::string& text, std::string_view what);
std::string read_text(const std::filesystem::path& path);

// A workspace in `dir` with the server running.
class Site {
 public:
  Site(const std::filesystem::path& dir, Backend backend, const std::map<std::string, std::string>& overrides = {});
  ~Site();
  Werkruimte& w() { return *werkruimte_; }
  PageServer& server() { return *server_; }
  std::string base_url() const { return base_url_; }
  std::filesystem::path pickup() const { return dir_ / "postvak"; }
  std::string access_log() const;
  // Opens samples/<name> (or a path); returns the kenmerk.
  std::string open(const std::filesystem::path& agreement);
  // Invites and returns address → links of every invitation mail received so far.
  std::map<std::string, std::vector<std::string>> invite(const std::string& kenmerk);
  // The pdfsig verdict of `pdf` with an NSS database trusting this workspace's CA: its lines.
  std::string pdfsig(const std::string& pdf) const;
  // Signs through the page as the tekenbevoegde would: GET, then POST with csrf, bevestig, naam.
  Http sign(const std::string& link);

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Werkruimte> werkruimte_;
  std::unique_ptr<std::ostringstream> log_;
  std::unique_ptr<PageServer> server_;
  std::string base_url_;
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
  int stop();  // SIGTERM, wait; the exit status (128 + signal when killed)

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
