// Private to signing/server: who may use the penvoerder's pages. The password's hash (scrypt),
// the sessions (in this process's memory), the throttle of wrong passwords per address, and the
// log of logins and logouts (hash-chained as the agreements' audit logs are: sto/audit.h).
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "sto/audit.h"

namespace sto::beheer {

// --- the password (DIR/beheer.wachtwoord, 0600: "scrypt N r p SALT HASH", hex) ---
inline constexpr std::size_t kMinPasswordLength = 10;
// Throws sto::Error for a password shorter than kMinPasswordLength characters or one with a
// control character, and when the file cannot be written.
void set_password(const std::filesystem::path& workspace, const std::string& password);
void check_password(const std::string& password);  // the same checks, nothing written
bool has_password(const std::filesystem::path& workspace);
// Whether `password` is the one set; false when none is set. Costs one scrypt (~32 MiB, ~0.1 s).
bool password_matches(const std::filesystem::path& workspace, const std::string& password);

// --- sessions ---
inline constexpr std::int64_t kIdleMs = 8LL * 3600 * 1000;  // a session ends after 8 hours idle

struct Session {
  std::string id_hash;  // hex SHA-256 of the cookie's value: what is kept
  std::string csrf;     // the forms' token for this session
  std::int64_t last_ms = 0;
};

class Sessions {
 public:
  // A new session: returns the cookie's value (32 random bytes, base64url).
  std::string create(std::int64_t now_ms, const std::string& csrf_key);
  // The session of a cookie's value; nullopt when unknown or idle for longer than kIdleMs (then
  // it is ended). `touch` restarts its idle time: a person's request does, a page's own polling
  // does not (a tab left open must not keep a session alive for ever).
  std::optional<Session> find(const std::string& cookie, std::int64_t now_ms, bool touch = true);
  void end(const std::string& cookie);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;
};

// --- wrong passwords per address ---
inline constexpr int kMaxWrong = 10;                         // in a row, within kWindowMs
inline constexpr std::int64_t kWindowMs = 15LL * 60 * 1000;  // … and then blocked this long
class Throttle {
 public:
  bool blocked(const std::string& ip, std::int64_t now_ms);
  // Counts a try as wrong before its password is checked (right() takes it back), so that tries
  // in parallel cannot pass the limit while scrypt runs.
  void wrong(const std::string& ip, std::int64_t now_ms);
  void right(const std::string& ip);

 private:
  struct Tries {
    std::deque<std::int64_t> wrong_ms;  // the last kMaxWrong wrong tries in a row
    std::int64_t blocked_until_ms = 0;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Tries> tries_;
};

// --- DIR/beheer.jsonl: logins, logouts and refused logins, hash-chained (sto/audit.h) ---
class AccessLog {
 public:
  explicit AccessLog(std::filesystem::path path);
  // Appends `entry` (seq added), fsynced, under an exclusive lock of the file (several server
  // processes may share a workspace).
  void append(AuditEntry entry);

 private:
  std::filesystem::path path_;
  std::mutex mutex_;
};

// A random value of `bytes` bytes, base64url without padding.
std::string random_token(std::size_t bytes);
// Hex SHA-256.
std::string sha256_hex(std::string_view text);

}  // namespace sto::beheer
