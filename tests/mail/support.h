// Test support for signing/mail: temporary directories, the loopback SMTP sink (smtp_sink.py on
// Debian's python3-aiosmtpd) and a reader that sees a message as a mail client does
// (read_eml.py, Python's email package).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sto/mail.h"

namespace sto::mail_test {

// Debian's interpreter: a pyenv python3 on PATH does not see python3-aiosmtpd.
inline constexpr const char* kPython = "/usr/bin/python3";

// A fresh directory under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// smtp_sink.py as a child process on a free loopback port. The constructor waits until it
// accepts connections; the destructor stops it (SIGTERM, then SIGKILL) and reaps it.
class SmtpSink {
 public:
  explicit SmtpSink(const std::vector<std::string>& options);
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  unsigned short port() const { return port_; }
  // The messages received so far, as stored: the DATA bytes, in order of arrival.
  std::vector<std::filesystem::path> messages() const;
  // The envelope the n-th message (1-based) came with, as smtp_sink.py's JSON.
  std::string envelope(int n) const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

struct ReadAttachment {
  std::string filename;
  std::string content_type;
  std::string bytes;
};

// What Python's email package makes of a message.
struct ReadMessage {
  std::string subject, from_name, from_address, to_name, to_address;
  std::string message_id, date, mime_version, auto_submitted, content_type;
  std::vector<std::string> parts;
  std::vector<std::string> defects;
  std::optional<std::string> plain, html;
  std::vector<ReadAttachment> attachments;
};
ReadMessage read_message(const std::filesystem::path& eml);
// The same for bytes, written to a temporary file first.
ReadMessage read_message_bytes(const std::string& bytes);

// A self-signed certificate and key for 127.0.0.1/localhost, made with the openssl CLI.
struct Certificate {
  std::filesystem::path cert, key;
};
Certificate make_certificate(const std::filesystem::path& dir, const std::string& name);

// A loopback port that nothing listens on (bound, then released).
unsigned short closed_port();

std::string read_file(const std::filesystem::path& path);

// True when `s` is non-empty and only [0-9a-f].
bool is_lower_hex(const std::string& s);

}  // namespace sto::mail_test
