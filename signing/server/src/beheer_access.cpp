#include "beheer_access.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <sstream>
#include <vector>

#include "sto/atomic_file.h"
#include "sto/diagnostics.h"
#include "sto/pki.h"
#include "sto/utf8.h"

namespace sto::beheer {

namespace {

// scrypt with N = 2^15, r = 8, p = 1: 32 MiB and about a tenth of a second per try, the
// parameters OWASP names for scrypt; stored with the hash, so they can be raised later.
constexpr std::uint64_t kN = 1U << 15;
constexpr std::uint64_t kR = 8;
constexpr std::uint64_t kP = 1;
constexpr std::uint64_t kMaxMemory = 256ULL * 1024 * 1024;

std::filesystem::path password_file(const std::filesystem::path& workspace) { return workspace / "beheer.wachtwoord"; }

std::string from_hex(std::string_view hex) {
  std::string out;
  if (hex.size() % 2 != 0) return out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (std::size_t j = 0; j < 2; ++j) {
      const char c = hex[i + j];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return {};
      v = v * 16 + d;
    }
    out += static_cast<char>(v);
  }
  return out;
}

std::string scrypt(const std::string& password, const std::string& salt, std::uint64_t n, std::uint64_t r,
                   std::uint64_t p) {
  unsigned char key[32];
  if (EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                     n, r, p, kMaxMemory, key, sizeof key) != 1) {
    throw Error("scrypt mislukt (parameters N=" + std::to_string(n) + " r=" + std::to_string(r) +
                " p=" + std::to_string(p) + ")");
  }
  return std::string(reinterpret_cast<const char*>(key), sizeof key);
}

}  // namespace

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) throw Error("willekeurige waarde maken mislukt");
  std::vector<unsigned char> b64(4 * ((bytes + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(b64.data(), raw.data(), static_cast<int>(raw.size()));
  std::string token(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n));
  while (!token.empty() && token.back() == '=') token.pop_back();
  for (char& c : token) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return token;
}

std::string sha256_hex(std::string_view text) { return to_hex(sha256(text)); }

void check_password(const std::string& password) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < password.size();) {
    const auto code_point = next_code_point(password, i);
    if (!code_point) throw Error("het wachtwoord is geen geldige UTF-8");
    if (*code_point < 0x20 || *code_point == 0x7F) throw Error("het wachtwoord bevat een stuurteken");
    ++characters;
  }
  if (characters < kMinPasswordLength) {
    throw Error("het wachtwoord is te kort: minstens " + std::to_string(kMinPasswordLength) + " tekens");
  }
}

void set_password(const std::filesystem::path& workspace, const std::string& password) {
  check_password(password);
  if (!std::filesystem::is_directory(workspace)) throw Error(workspace.string() + " is geen werkruimte");
  std::string salt(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1) {
    throw Error("willekeurige waarde maken mislukt");
  }
  std::ostringstream line;
  line << "scrypt " << kN << ' ' << kR << ' ' << kP << ' ' << to_hex(salt) << ' '
       << to_hex(scrypt(password, salt, kN, kR, kP)) << '\n';
  write_file_atomically(password_file(workspace), line.str(), Access::owner_only);
}

bool has_password(const std::filesystem::path& workspace) { return std::filesystem::exists(password_file(workspace)); }

bool password_matches(const std::filesystem::path& workspace, const std::string& password) {
  if (!has_password(workspace)) return false;
  std::istringstream in(read_whole_file(password_file(workspace)));
  std::string scheme, salt_hex, hash_hex;
  std::uint64_t n = 0, r = 0, p = 0;
  if (!(in >> scheme >> n >> r >> p >> salt_hex >> hash_hex) || scheme != "scrypt") {
    throw Error(password_file(workspace).string() + " is onleesbaar: zet het wachtwoord opnieuw");
  }
  const std::string salt = from_hex(salt_hex);
  const std::string want = from_hex(hash_hex);
  if (salt.empty() || want.size() != 32) throw Error(password_file(workspace).string() + " is onleesbaar");
  const std::string got = scrypt(password, salt, n, r, p);
  return CRYPTO_memcmp(got.data(), want.data(), want.size()) == 0;
}

std::string Sessions::create(std::int64_t now_ms, const std::string& csrf_key) {
  const std::string cookie = random_token(32);
  Session s{sha256_hex(cookie), sha256_hex(csrf_key + ":" + cookie), now_ms};
  const std::lock_guard lock(mutex_);
  if (sessions_.size() > 10'000) {  // bounded: idle ones go first
    std::erase_if(sessions_, [&](const auto& kv) { return now_ms - kv.second.last_ms > kIdleMs; });
  }
  sessions_[s.id_hash] = s;
  return cookie;
}

std::optional<Session> Sessions::find(const std::string& cookie, std::int64_t now_ms, bool touch) {
  if (cookie.empty()) return std::nullopt;
  const std::string key = sha256_hex(cookie);
  const std::lock_guard lock(mutex_);
  const auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (now_ms - it->second.last_ms > kIdleMs) {
    sessions_.erase(it);
    return std::nullopt;
  }
  if (touch) it->second.last_ms = now_ms;
  return it->second;
}

void Sessions::end(const std::string& cookie) {
  const std::lock_guard lock(mutex_);
  sessions_.erase(sha256_hex(cookie));
}

bool Throttle::blocked(const std::string& ip, std::int64_t now_ms) {
  const std::lock_guard lock(mutex_);
  const auto it = tries_.find(ip);
  return it != tries_.end() && it->second.blocked_until_ms > now_ms;
}

void Throttle::wrong(const std::string& ip, std::int64_t now_ms) {
  const std::lock_guard lock(mutex_);
  if (tries_.size() > 100'000) {  // bounded under a spray of addresses
    std::erase_if(tries_, [&](const auto& kv) { return kv.second.blocked_until_ms <= now_ms; });
  }
  Tries& t = tries_[ip];
  t.wrong_ms.push_back(now_ms);
  while (t.wrong_ms.size() > static_cast<std::size_t>(kMaxWrong)) t.wrong_ms.pop_front();
  // A sliding window: any kMaxWrong wrong tries in a row within kWindowMs block the address.
  if (t.wrong_ms.size() == static_cast<std::size_t>(kMaxWrong) && now_ms - t.wrong_ms.front() <= kWindowMs) {
    t.blocked_until_ms = now_ms + kWindowMs;
    t.wrong_ms.clear();
  }
}

void Throttle::right(const std::string& ip) {
  const std::lock_guard lock(mutex_);
  tries_.erase(ip);
}

AccessLog::AccessLog(std::filesystem::path path) : path_(std::move(path)) {}

void AccessLog::append(AuditEntry entry) {
  const std::lock_guard lock(mutex_);
  const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw Error("kan " + path_.string() + " niet openen");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::flock(fd, LOCK_EX) != 0) throw Error("kan " + path_.string() + " niet vergrendelen");
  // The chain's head is the last line's hash: read back from the file itself, so that every
  // process appending to it continues the same chain.
  std::string text = read_whole_file(path_);
  if (!text.empty() && text.back() != '\n') {
    // A line cut short by a crash was never acknowledged (its fsync did not return): drop it, or
    // every later login would fail on it.
    text.resize(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
    if (::ftruncate(fd, static_cast<off_t>(text.size())) != 0)
      throw Error("kan " + path_.string() + " niet herstellen");
  }
  const auto lines = jsonl_lines(text);
  std::string previous(kAuditGenesis);
  std::int64_t seq = 1;
  if (!lines.empty()) {
    const AuditEntry last = parse_flat_json(lines.back());
    previous = audit_text(last, "hash");
    seq = static_cast<std::int64_t>(lines.size()) + 1;
  }
  entry["seq"] = seq;
  AuditRecord record;
  record.seq = seq;
  record.canonical = canonical_json(entry);
  record.hash = chain_hash(previous, record.canonical);
  const std::string line = jsonl_line(record) + "\n";
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) || ::fsync(fd) != 0) {
    throw Error("kan " + path_.string() + " niet schrijven");
  }
}

}  // namespace sto::beheer
