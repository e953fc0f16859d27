#include "harness.h"

#include "run.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
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
  s << "DROP TABLE IF EXISTS audit, token, signatory, version, agreement, schema_version CASCADE", now;
  return "postgresql:" + conn;
}

std::filesystem::path source_dir() { return STO_SOURCE_DIR; }
std::filesystem::path templates() { return source_dir() / "templates"; }
std::filesystem::path sample(const std::string& name) { return source_dir() / "samples" / name; }

Http http(const std::string& base_url, const std::string& method, const std::string& path,
          const std::map<std::string, std::string>& form, const std::map<std::string, std::string>& headers) {
  const Poco::URI uri(base_url);
  std::unique_ptr<Poco::Net::HTTPClientSession> https;
  if (uri.getScheme() == "https") {
    // The tests' servers use a certificate made for the test: TLS is what is tested here.
    static const Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_NONE);
    https = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
  }
  Poco::Net::HTTPClientSession plain(uri.getHost(), uri.getPort());
  Poco::Net::HTTPClientSession& session = https ? *https : plain;
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) request.set(k, v);
  if (method == "POST") {
    Poco::Net::HTMLForm f;
    for (const auto& [k, v] : form) f.set(k, v);
    std::ostringstream body;
    f.write(body);
    request.setContentType("application/x-www-form-urlencoded");
    request.setContentLength(static_cast<std::streamsize>(body.str().size()));
    session.sendRequest(request) << body.str();
  } else {
    session.sendRequest(request);
  }
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Http r;
  r.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, r.body);
  for (const auto& [k, v] : response) {
    std::string name = k;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    r.headers[name] = v;
  }
  return r;
}

namespace {

class Parts final : public Poco::Net::PartHandler {
 public:
  explicit Parts(ReceivedMail& mail) : mail_(mail) {}
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string body;
    Poco::StreamCopier::copyToString(stream, body);
    const std::string type = header.get("Content-Type", "");
    const std::string disposition = header.get("Content-Disposition", "");
    if (disposition.starts_with("attachment")) {
      std::string name;
      Poco::Net::MessageHeader::splitParameters(disposition, name, params_);
      mail_.attachments.emplace_back(params_.get("filename", ""), body);
    } else if (type.starts_with("text/plain")) {
      mail_.text += body;
    } else if (type.starts_with("text/html")) {
      mail_.html += body;
    } else if (type.starts_with("multipart/")) {
      // A nested multipart/alternative: read its parts too.
      std::istringstream nested("Content-Type: " + type + "\r\n\r\n" + body);
      Poco::Net::MailMessage inner;
      Parts again(mail_);
      inner.read(nested, again);
    }
  }

 private:
  ReceivedMail& mail_;
  Poco::Net::NameValueCollection params_;
};

}  // namespace

ReceivedMail parse_mail(const std::string& raw) {
  ReceivedMail mail;
  mail.raw = raw;
  std::istringstream in(raw);
  Poco::Net::MailMessage message;
  Parts parts(mail);
  message.read(in, parts);
  mail.to = message.get("To", "");
  mail.subject = Poco::Net::MailMessage::decodeWord(message.get("Subject", ""));
  if (!message.isMultipart()) mail.text = message.getContent();
  return mail;
}

std::vector<ReceivedMail> pickup_mails(const std::filesystem::path& pickup) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::exists(pickup / "new")) {
    for (const auto& e : std::filesystem::directory_iterator(pickup / "new")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<ReceivedMail> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    out.push_back(parse_mail(std::string(std::istreambuf_iterator<char>(in), {})));
  }
  return out;
}

std::vector<std::string> links_in(const ReceivedMail& mail, const std::string& base_url) {
  std::vector<std::string> links;
  std::istringstream lines(mail.text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.starts_with(base_url + "/t/")) links.push_back(line);
  }
  return links;
}

std::string token_of(const std::string& link) { return link.substr(link.rfind('/') + 1); }

namespace {
std::string between(const std::string& s, std::string_view before, std::string_view after) {
  const auto b = s.find(before);
  if (b == std::string::npos) return "";
  const auto start = b + before.size();
  const auto e = s.find(after, start);
  return e == std::string::npos ? "" : s.substr(start, e - start);
}
std::string unescape(std::string s) {
  for (const auto& [entity, c] : {std::pair<std::string_view, std::string_view>{"&lt;", "<"},
                                  {"&gt;", ">"},
                                  {"&quot;", "\""},
                                  {"&#39;", "'"},
                                  {"&amp;", "&"}}) {
    for (auto at = s.find(entity); at != std::string::npos; at = s.find(entity, at + c.size())) {
      s.replace(at, entity.size(), c);
    }
  }
  return s;
}
}  // namespace

std::string csrf_of(const std::string& page) { return between(page, "name=csrf value=\"", "\""); }
std::string typed_name_of(const std::string& page) {
  return unescape(between(page, "Typ uw naam ter bevestiging: <b>", "</b>"));
}

Site::Site(const std::filesystem::path& dir, Backend backend, const std::map<std::string, std::string>& overrides)
    : dir_(dir) {
  Configuration c;
  c.set("database", fresh_database(backend, dir));
  c.set("listen", "127.0.0.1:0");
  Werkruimte::init(dir, c, "");
  werkruimte_ = std::make_unique<Werkruimte>(Werkruimte::open(dir, templates(), "", overrides));
  log_ = std::make_unique<std::ostringstream>();
  server_ = std::make_unique<PageServer>(*werkruimte_, "127.0.0.1:0", log_.get());
  server_->start();
  base_url_ = server_->base_url();
  werkruimte_->configure("base_url", base_url_);
}

Site::~Site() { server_->stop(); }

std::string Site::access_log() const { return log_->str(); }

std::string Site::open(const std::filesystem::path& agreement) {
  Validation v;
  const auto opened = werkruimte_->open_agreement(agreement, v);
  EXPECT_TRUE(opened.has_value()) << agreement;
  return opened ? opened->kenmerk : "";
}

std::map<std::string, std::vector<std::string>> Site::invite(const std::string& kenmerk) {
  for (const auto& o : werkruimte_->invite(kenmerk)) EXPECT_TRUE(o.sent) << o.email << ": " << o.detail;
  std::map<std::string, std::vector<std::string>> links;
  for (const ReceivedMail& m : pickup_mails(pickup())) {
    const auto lt = m.to.find('<');
    const std::string address = lt == std::string::npos ? m.to : m.to.substr(lt + 1, m.to.find('>') - lt - 1);
    for (const auto& link : links_in(m, base_url_)) links[address].push_back(link);
  }
  return links;
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

Http Site::sign(const std::string& link) {
  const std::string path = link.substr(base_url_.size());
  const Http page = http(base_url_, "GET", path);
  EXPECT_EQ(page.status, 200) << page.body;
  return http(base_url_, "POST", path + "/onderteken",
              {{"csrf", csrf_of(page.body)}, {"bevestig", "ja"}, {"naam", typed_name_of(page.body)}},
              {{"Sec-Fetch-Site", "same-origin"}});
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
