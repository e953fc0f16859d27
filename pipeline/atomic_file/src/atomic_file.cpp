#include "sto/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

#include "sto/diagnostics.h"

namespace sto {

namespace {

// The process's umask, read without setting it (umask(2) can only set it: setting it to read it
// would let another thread create a file under the wrong mask meanwhile). Linux's
// /proc/self/status has it since 4.7; without it, the usual 022.
mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
  }
  return 022;
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error) {
  throw Error("kan " + path.string() + " niet schrijven: " + what + ": " + std::strerror(error));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

void sync_parent_directory(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  Fd directory(::open(dir.c_str(), O_RDONLY | O_DIRECTORY));
  if (directory.get() >= 0) ::fsync(directory.get());
}

StagedFile::StagedFile(std::filesystem::path path, std::string_view bytes, Access access) : path_(std::move(path)) {
  const std::filesystem::path dir = path_.has_parent_path() ? path_.parent_path() : std::filesystem::path(".");
  std::string temp = (dir / ("." + path_.filename().string() + ".XXXXXX")).string();
  Fd file(::mkstemp(temp.data()));
  if (file.get() < 0) fail("tijdelijk bestand", path_, errno);
  const auto discard = [&](const char* what) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail(what, path_, error);
  };
  // mkstemp creates the file 0600.
  if (access == Access::shared && ::fchmod(file.get(), 0666 & ~current_umask()) != 0) discard("rechten");
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(file.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) discard("schrijven");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(file.get()) != 0) discard("fsync");
  if (::close(file.release()) != 0) discard("sluiten");
  temp_ = std::move(temp);
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::exchange(other.temp_, {})) {}

StagedFile::~StagedFile() {
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void StagedFile::commit() {
  if (temp_.empty()) return;
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp_.c_str());
    temp_.clear();
    fail("hernoemen", path_, error);
  }
  temp_.clear();
  sync_parent_directory(path_);
}

void StagedFile::commit_new() {
  if (temp_.empty()) return;
  // link() fails with EEXIST instead of replacing, atomically; the temporary name then goes.
  const int linked = ::link(temp_.c_str(), path_.c_str());
  const int error = errno;
  ::unlink(temp_.c_str());
  temp_.clear();
  if (linked != 0) {
    if (error == EEXIST) throw Error(path_.string() + " bestaat al en wordt niet vervangen");
    fail("vastleggen", path_, error);
  }
  sync_parent_directory(path_);
}

std::string read_whole_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error("kan " + path.string() + " niet lezen: het is een map");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("kan " + path.string() + " niet lezen: " + std::strerror(errno));
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw Error("kan " + path.string() + " niet lezen: leesfout");
  return bytes;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes, Access access) {
  StagedFile(path, bytes, access).commit();
}

}  // namespace sto
