// The pickup directory: Maildir's tmp/ + new/ convention, so whatever reads DIR/new/ (a mail
// program, `sto demo`, an operator's script) never sees half a message.
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "outgoing.h"
#include "sto/atomic_file.h"
#include "sto/mail.h"

namespace sto {

namespace {

[[noreturn]] void configuration_error(const std::string& what) {
  throw MailError(MailError::Kind::configuration, 0, "ophaalmap: " + what);
}

// Creates `dir` with mode 0700 when it does not exist; an existing directory is left as it is.
void make_private_directory(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return;
    configuration_error(dir.string() + " is geen map");
  }
  configuration_error("kan map " + dir.string() + " niet maken: " + std::strerror(errno));
}

// The message id with anything but [A-Za-z0-9._@-] replaced, for use in a file name.
std::string file_safe(std::string_view id) {
  std::string out(id);
  for (char& c : out) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
                    c == '_' || c == '@' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

class PickupTransport final : public Transport {
 public:
  explicit PickupTransport(std::filesystem::path dir) : dir_(std::move(dir)) {
    if (!dir_.has_filename()) dir_ = dir_.parent_path();  // "out/mail/" names "out/mail"
    make_directories();
  }

  Delivery send(const Mail& mail) override {
    make_directories();  // again: the directories may have been cleaned away since
    const auto now = std::chrono::system_clock::now();
    const auto [id, bytes] = prepare(mail, std::chrono::system_clock::to_time_t(now));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::string name = std::to_string(ms) + "." + file_safe(id) + ".eml";
    const auto staged = dir_ / "tmp" / name;
    const auto delivered = dir_ / "new" / name;
    try {
      write_file_atomically(staged, bytes, Access::owner_only);  // written whole and fsynced
    } catch (const Error& e) {
      configuration_error(e.what());
    }
    if (std::rename(staged.c_str(), delivered.c_str()) != 0) {
      const int error = errno;
      std::remove(staged.c_str());
      configuration_error("kan " + staged.string() + " niet naar new/ verplaatsen: " + std::strerror(error));
    }
    sync_parent_directory(delivered);
    return {id, "pickup " + name};
  }

 private:
  void make_directories() const {
    if (dir_.has_parent_path() && !dir_.parent_path().empty()) {
      std::error_code ec;
      std::filesystem::create_directories(dir_.parent_path(), ec);
      if (ec) configuration_error("kan map " + dir_.parent_path().string() + " niet maken: " + ec.message());
    }
    make_private_directory(dir_);
    make_private_directory(dir_ / "tmp");
    make_private_directory(dir_ / "new");
  }

  std::filesystem::path dir_;
};

}  // namespace

std::unique_ptr<Transport> pickup_transport(const std::filesystem::path& dir) {
  return std::make_unique<PickupTransport>(dir);
}

}  // namespace sto
