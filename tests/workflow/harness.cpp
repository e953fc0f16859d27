#include "harness.h"

#include "run.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sto::test {

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "SQLite" : "PostgreSQL";
}

std::vector<Backend> backends() {
  const char* pg = std::getenv("STO_PG_CONN");
  if (pg != nullptr && *pg != '\0') return {Backend::sqlite, Backend::postgresql};
  return {Backend::sqlite};
}

std::string fresh_database(Backend backend, const std::filesystem::path& dir) {
  if (backend == Backend::sqlite) return "sqlite:" + (dir / "test.db").string();
  const std::string conn = std::getenv("STO_PG_CONN");
  Poco::Data::PostgreSQL::Connector::registerConnector();
  Poco::Data::Session s("PostgreSQL", conn);
  using Poco::Data::Keywords::now;
  s << "SET client_min_messages = warning", now;
  s << "DROP TABLE IF EXISTS audit_timestamp, audit, token, outbox, signatory, reminder_schedule, penvoerder_summary, "
       "version, "
       "agreement, "
       "schema_version CASCADE",
      now;
  return "postgresql:" + conn;
}

void execute_sql(const std::string& url, const std::string& sql) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::PostgreSQL::Connector::registerConnector();
  const bool sqlite = url.starts_with("sqlite:");
  Poco::Data::Session s(sqlite ? "SQLite" : "PostgreSQL", url.substr(url.find(':') + 1));
  s << sql, Poco::Data::Keywords::now;
}

std::filesystem::path source_dir() { return STO_SOURCE_DIR; }
std::filesystem::path templates() { return source_dir() / "templates"; }
std::filesystem::path sample(const std::string& name) { return source_dir() / "samples" / name; }

Site::Site(const std::filesystem::path& dir, Backend backend, const std::map<std::string, std::string>& overrides)
    : dir_(dir), log_(std::make_unique<std::ostringstream>()) {
  Configuration c;
  database_ = fresh_database(backend, dir);
  c.set("database", database_);
  site_ = std::make_unique<DemoSite>(dir, templates(), c, "", overrides, log_.get());
}

std::string Site::access_log() const { return log_->str(); }

std::string Site::open(const std::filesystem::path& agreement) {
  Validation v;
  const auto opened = w().open_agreement(agreement, v);
  EXPECT_TRUE(opened.has_value()) << agreement;
  return opened ? opened->kenmerk : "";
}

std::string Site::pdfsig(const std::string& pdf) const {
  const auto nss = dir_ / "nss";
  if (!std::filesystem::exists(nss)) {
    std::filesystem::create_directories(nss);
    EXPECT_EQ(run_program({"/usr/bin/certutil", "-N", "-d", "sql:" + nss.string(), "--empty-password"}).exit_code, 0);
    EXPECT_EQ(run_program({"/usr/bin/certutil", "-A", "-d", "sql:" + nss.string(), "-n", "sto-ca", "-t", ",C,", "-i",
                           (dir_ / "pki" / "ca.pem").string()})
                  .exit_code,
              0);
  }
  const auto file = dir_ / "pdfsig-input.pdf";
  std::ofstream(file, std::ios::binary) << pdf;
  return run_program({"/usr/bin/pdfsig", "-nssdir", "sql:" + nss.string(), file.string()}).out;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace sto::test

#include <Poco/Net/ServerSocket.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

extern char** environ;

namespace sto::test {

Process::Process(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    ADD_FAILURE() << "cannot start " << argv[0];
  }
}

Process::~Process() { stop(); }

int Process::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void Process::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

unsigned short free_port() {
  Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
  return s.address().port();
}

bool wait_until_serving(const std::string& base_url, int seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    try {
      if (http(base_url, "GET", "/").status == 200) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

Delivery CountingTransport::send(const Mail& mail) {
  const std::lock_guard lock(mutex_);
  ++sent_;
  for (const auto& a : mail.attachments) attachments_.push_back(to_hex(sha256(a.bytes)));
  return Delivery{"counted-" + std::to_string(sent_) + "@test", "250 counted"};
}
std::size_t CountingTransport::sent() const {
  const std::lock_guard lock(mutex_);
  return sent_;
}
std::vector<std::string> CountingTransport::attachment_sha256() const {
  const std::lock_guard lock(mutex_);
  return attachments_;
}

}  // namespace sto::test
