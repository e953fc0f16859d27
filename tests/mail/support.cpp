#include "support.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sto::mail_test {

namespace {

const std::filesystem::path kHere = std::filesystem::path(STO_SOURCE_DIR) / "tests" / "mail";

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command, returns its standard output; throws when it fails.
std::string run(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen: " + command);
  std::string out;
  char buffer[65536];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error("failed (" + std::to_string(status) + "): " + command);
  return out;
}

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

std::optional<std::string> optional_string(const Poco::JSON::Object::Ptr& object, const std::string& key) {
  if (object->isNull(key)) return std::nullopt;
  return object->getValue<std::string>(key);
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "sto-mail-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool is_lower_hex(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

SmtpSink::SmtpSink(const std::vector<std::string>& options) {
  const auto port_file = dir_.path() / "port";
  std::vector<std::string> args{kPython,       (kHere / "smtp_sink.py").string(),
                                "--dir",       (dir_.path() / "received").string(),
                                "--port-file", port_file.string()};
  args.insert(args.end(), options.begin(), options.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  if (::posix_spawn(&pid_, kPython, nullptr, nullptr, argv.data(), environ) != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start smtp_sink.py");
  }
  // The sink writes its port once it listens (the kernel chose it: no race over the number).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(port_file)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("smtp_sink.py exited before listening (python3-aiosmtpd installed?)");
    }
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("smtp_sink.py did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  port_ = static_cast<unsigned short>(std::stoi(read_file(port_file)));
}

SmtpSink::~SmtpSink() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<std::filesystem::path> SmtpSink::messages() const {
  std::vector<std::filesystem::path> out;
  for (int n = 1;; ++n) {
    const auto path = dir_.path() / "received" / (std::to_string(n) + ".eml");
    if (!std::filesystem::exists(path)) break;
    out.push_back(path);
  }
  return out;
}

std::string SmtpSink::envelope(int n) const {
  return read_file(dir_.path() / "received" / (std::to_string(n) + ".json"));
}

ReadMessage read_message(const std::filesystem::path& eml) {
  const std::string json =
      run(quote(kPython) + " " + quote((kHere / "read_eml.py").string()) + " " + quote(eml.string()));
  const auto root = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
  ReadMessage m;
  m.subject = root->getValue<std::string>("subject");
  for (const auto& [key, name, address] :
       {std::tuple{"from", &m.from_name, &m.from_address}, std::tuple{"to", &m.to_name, &m.to_address}}) {
    const auto box = root->getObject(key);
    *name = box->getValue<std::string>("name");
    *address = box->getValue<std::string>("address");
  }
  m.message_id = root->getValue<std::string>("message_id");
  m.date = root->getValue<std::string>("date");
  m.mime_version = root->getValue<std::string>("mime_version");
  m.auto_submitted = root->getValue<std::string>("auto_submitted");
  m.content_type = root->getValue<std::string>("content_type");
  for (const auto& part : *root->getArray("parts")) m.parts.push_back(part.convert<std::string>());
  for (const auto& defect : *root->getArray("defects")) m.defects.push_back(defect.convert<std::string>());
  m.plain = optional_string(root, "plain");
  m.html = optional_string(root, "html");
  const auto attachments = root->getArray("attachments");
  for (std::size_t i = 0; i < attachments->size(); ++i) {
    const auto a = attachments->getObject(static_cast<unsigned>(i));
    m.attachments.push_back({a->getValue<std::string>("filename"), a->getValue<std::string>("content_type"),
                             unhex(a->getValue<std::string>("hex"))});
  }
  return m;
}

ReadMessage read_message_bytes(const std::string& bytes) {
  TempDir dir;
  const auto path = dir.path() / "message.eml";
  std::ofstream(path, std::ios::binary) << bytes;
  return read_message(path);
}

Certificate make_certificate(const std::filesystem::path& dir, const std::string& name) {
  Certificate c{dir / (name + ".pem"), dir / (name + "-key.pem")};
  run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + quote(c.key.string()) +
      " -out " + quote(c.cert.string()) + " -days 2 -subj /CN=localhost" +
      " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null");
  return c;
}

unsigned short closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot bind a loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace sto::mail_test
