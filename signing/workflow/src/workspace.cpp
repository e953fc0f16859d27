// A workspace: made (init) and opened (open) from its folder, its settings and accessors, and the
// caches its acts share: each version's agreement and contract chain.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <cctype>

#include "sto/atomic_file.h"
#include "workspace_impl.h"

namespace sto {

namespace {

std::int64_t to_ms(std::time_t t) { return static_cast<std::int64_t>(t) * 1000; }

// Serialises the TSA: the local one is shared between the server's threads, and an external
// one keeps a connection.
class SerialTsa final : public TimestampAuthority {
 public:
  explicit SerialTsa(std::unique_ptr<TimestampAuthority> inner) : inner_(std::move(inner)) {}
  std::string timestamp(std::string_view digest) override {
    const std::lock_guard lock(mutex_);
    return inner_->timestamp(digest);
  }
  std::string certificate_pem() const override { return inner_->certificate_pem(); }
  std::size_t token_room() const override { return inner_->token_room(); }

 private:
  std::mutex mutex_;
  std::unique_ptr<TimestampAuthority> inner_;
};

std::string database_url(const std::filesystem::path& dir, const std::string& configured) {
  if (configured.starts_with("sqlite:")) {
    const std::filesystem::path file = configured.substr(7);
    return "sqlite:" + (file.is_absolute() ? file : dir / file).string();
  }
  return configured;
}

}  // namespace

std::string iso_ms(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string token_hash(std::string_view token) {
  if (token.size() != 43) return "";
  for (const char c : token) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_') return "";
  }
  return to_hex(sha256(token));
}

Werkruimte::Impl::Impl(std::filesystem::path d, std::filesystem::path t, Configuration c, Store s, Pki p)
    : dir(std::move(d)), templates(std::move(t)), config(std::move(c)), store(std::move(s)), pki(std::move(p)) {}

std::int64_t Werkruimte::Impl::now_ms() const {
  if (!real_clock) return to_ms(clock());
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

std::string hmac_hex(const std::string& key, std::string_view purpose, std::string_view value) {
  const std::string message = std::string(purpose) + '\0' + std::string(value);
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, sizeof out,
                &size) == nullptr) {
    throw_openssl_error("HMAC mislukt");
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(out), size));
}

// Fields joined so that no two lists give the same text: each is length-prefixed.
std::string fields(std::initializer_list<std::string_view> values) {
  std::string out;
  for (const std::string_view v : values) out += std::to_string(v.size()) + ':' + std::string(v) + ';';
  return out;
}

// A workspace holds keys, links and personal data: from here on, whatever this process writes
// (the database and its WAL, contracts, mail, archives) is its owner's alone, whatever the
// umask it was started with; and the workspace itself is closed to others, also one made by an
// older sto (its files from then are behind it). Not being the directory's owner is no error.
void keep_private(const std::filesystem::path& dir) {
  ::umask(077);
  std::filesystem::create_directories(dir);
  std::error_code ec;
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
}

bool same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

namespace {

// The version a row belongs to as its seals bind it: an amendment's number too (a contract's
// seals read as they did before amendments existed).
std::string document_of(const VersionRecord& v) {
  return std::to_string(v.versie) + (v.wijziging > 0 ? "/w" + std::to_string(v.wijziging) : "");
}

}  // namespace

std::string unsealed(const VersionRecord& v) {
  return v.kenmerk + " versie " + std::to_string(v.versie) +
         (v.wijziging > 0 ? " wijziging " + std::to_string(v.wijziging) : std::string()) +
         " klopt niet met zijn zegel: de database is buiten sto om gewijzigd (docs/threat-model.md)";
}

std::string Werkruimte::Impl::seal(const VersionRecord& v) const {
  std::string bound = fields({v.kenmerk, document_of(v), v.xml_sha256, v.document_sha256, v.contract_dir});
  // What a new version says changed is mailed and shown: not to be written into the database.
  if (!v.changes.empty()) bound += fields({std::to_string(v.changes_from), v.changes});
  return hmac_hex(secret, "versie", bound);
}

std::string Werkruimte::Impl::seal(const TokenRecord& t, const SignatoryRecord& s, const VersionRecord& v) const {
  return hmac_hex(secret, "link",
                  fields({t.hash, v.kenmerk, document_of(v), s.tekenbevoegde, t.document_sha256,
                          std::to_string(t.created_ms), std::to_string(t.expires_ms)}));
}

std::string Werkruimte::Impl::seal(const SignatoryRecord& s, const VersionRecord& v) const {
  return hmac_hex(secret, "ondertekenaar",
                  fields({v.kenmerk, document_of(v), s.tekenbevoegde, s.partner_id, s.naam, s.email}));
}

bool Werkruimte::Impl::sealed(const VersionRecord& v) const { return same(v.seal, seal(v)); }

bool Werkruimte::Impl::sealed(const SignatoryRecord& s, const VersionRecord& v) const {
  return s.version_id == v.id && same(s.seal, seal(s, v));
}

bool Werkruimte::Impl::sealed(const LinkRecord& link) const {
  return sealed(link.version) && sealed(link.signatory, link.version) &&
         same(link.token.seal, seal(link.token, link.signatory, link.version));
}

void Werkruimte::Impl::seal_existing() {
  const std::filesystem::path marker = dir / "verzegeld";
  if (std::filesystem::exists(marker)) return;
  for (const std::string& kenmerk : store.kenmerken()) {
    store.transact(kenmerk, [&](Store::Transaction& tx) {
      for (VersionRecord& v : tx.versions()) {
        if (v.seal.empty()) {
          v.seal = seal(v);
          tx.seal_version(v.id, v.seal);
        }
        for (SignatoryRecord& s : tx.signatories(v.id)) {
          if (s.seal.empty()) {
            s.seal = seal(s, v);
            tx.update_signatory(s);
          }
          for (const TokenRecord& t : tx.tokens(s.id)) {
            if (t.seal.empty()) tx.seal_token(t.hash, seal(t, s, v));
          }
        }
      }
    });
  }
  StagedFile(marker, "De rijen van deze werkruimte zijn verzegeld (docs/threat-model.md).\n", Access::owner_only)
      .commit();
}

std::shared_ptr<const Agreement> Werkruimte::Impl::agreement_of(const VersionRecord& v, Store::Transaction* tx) {
  if (!sealed(v)) throw Error(unsealed(v));
  {
    const std::lock_guard lock(cache_mutex);
    auto it = cache.find(v.id);
    if (it != cache.end() && it->second.agreement) return it->second.agreement;
  }
  std::shared_ptr<const Agreement> agreement;
  if (v.wijziging > 0) {
    agreement = amendment_document(v, tx);
  } else {
    const std::string xml = !v.xml.empty()  ? v.xml
                            : tx != nullptr ? tx->agreement_xml(v.id)
                                            : store.agreement_xml(v.id);
    ReadResult read = read_agreement(xml, "agreement.xml");
    if (!read.parsed) throw Error("de opgeslagen overeenkomst " + v.kenmerk + " is onleesbaar");
    if (read.agreement.xml_sha256 != v.xml_sha256) throw Error(unsealed(v));
    agreement = std::make_shared<const Agreement>(std::move(read.agreement));
  }
  const std::lock_guard lock(cache_mutex);
  auto& entry = cache[v.id];
  if (!entry.agreement) entry.agreement = agreement;
  return entry.agreement;
}

SignedContract& Werkruimte::Impl::chain_of(const VersionRecord& v) {
  if (!sealed(v)) throw Error(unsealed(v));
  const std::filesystem::path path = dir / v.contract_dir;
  std::unique_ptr<SignedContract>* slot = nullptr;
  {
    const std::lock_guard lock(cache_mutex);
    slot = &cache[v.id].chain;
  }
  if (*slot == nullptr) {
    SignedContract::discard_after(path, static_cast<int>(v.revisions));
    *slot = std::make_unique<SignedContract>(SignedContract::open(path));
  } else {
    (*slot)->refresh();
    if ((*slot)->revisions() > v.revisions) {
      slot->reset();
      SignedContract::discard_after(path, static_cast<int>(v.revisions));
      *slot = std::make_unique<SignedContract>(SignedContract::open(path));
    }
  }
  if ((*slot)->revisions() != v.revisions) {
    throw Error(path.string() + " heeft " + std::to_string((*slot)->revisions()) + " handtekeningen, de database " +
                std::to_string(v.revisions));
  }
  return **slot;
}

void Werkruimte::Impl::forget_chain(std::int64_t version_id) {
  const std::lock_guard lock(cache_mutex);
  auto it = cache.find(version_id);
  if (it != cache.end()) it->second.chain.reset();
}

AuditEntry Werkruimte::Impl::entry(std::string_view event, const Actor& actor) const {
  AuditEntry e;
  e["event"] = std::string(event);
  e["time"] = iso_ms(now_ms());
  e["ip"] = actor.ip;
  e["user_agent"] = actor.user_agent;
  return e;
}

AuditEntry Werkruimte::Impl::penvoerder_entry(std::string_view event, const Actor& actor) const {
  AuditEntry e = entry(event, actor);
  // "cli": the commands; "sto": the installation itself (the schedule, expiry).
  if (actor.ip != Actor{}.ip && actor.ip != "sto") e["via"] = std::string("beheer");
  return e;
}

AuditEntry& Werkruimte::Impl::of_version(AuditEntry& e, const VersionRecord& v) {
  e["versie"] = v.versie;
  if (v.wijziging > 0) e["wijziging"] = v.wijziging;
  return e;
}

AuditEntry& Werkruimte::Impl::about(AuditEntry& e, const SignatoryRecord& s, const VersionRecord& v) {
  of_version(e, v);
  e["tekenbevoegde"] = s.tekenbevoegde;
  e["partner"] = s.partner;
  e["naam"] = s.naam;
  return e;
}

void Werkruimte::Impl::set_state(Store::Transaction& tx, SignatoryRecord& s, SignatoryState state) {
  s.state = state;
  s.state_ms = now_ms();
  tx.update_signatory(s);
}

Werkruimte::Werkruimte(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Werkruimte::Werkruimte(Werkruimte&&) noexcept = default;
Werkruimte& Werkruimte::operator=(Werkruimte&&) noexcept = default;
Werkruimte::~Werkruimte() = default;

std::string Werkruimte::init(const std::filesystem::path& dir, const Configuration& configuration,
                             const std::string& passphrase) {
  keep_private(dir);
  const std::string fingerprint = Pki::create(dir / "pki", passphrase).ca_fingerprint();
  if (!std::filesystem::exists(dir / "sto.conf")) {
    StagedFile conf(dir / "sto.conf", configuration.text(), Access::owner_only);
    conf.commit_new();
  }
  if (!std::filesystem::exists(dir / "geheim")) {
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) throw_openssl_error("geheim maken mislukt");
    StagedFile secret(dir / "geheim", to_hex(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw)) + "\n",
                      Access::owner_only);
    secret.commit_new();
  }
  const Configuration loaded = Configuration::load(dir / "sto.conf");
  Store::open(database_url(dir, loaded.database));
  // A new workspace has nothing from before seals existed (Impl::seal_existing).
  if (!std::filesystem::exists(dir / "verzegeld")) {
    StagedFile(dir / "verzegeld", "De rijen van deze werkruimte zijn verzegeld (docs/threat-model.md).\n",
               Access::owner_only)
        .commit();
  }
  return fingerprint;
}

Werkruimte Werkruimte::open(const std::filesystem::path& dir, const std::filesystem::path& templates,
                            const std::string& passphrase, const std::map<std::string, std::string>& overrides) {
  if (!std::filesystem::exists(dir / "sto.conf")) {
    throw Error(dir.string() + " is geen werkruimte (geen sto.conf): begin met sto init");
  }
  keep_private(dir);
  Configuration config = Configuration::load(dir / "sto.conf");
  for (const auto& [key, value] : overrides) config.set(key, value);
  // Files named in sto.conf are relative to the workspace, not to where the command runs.
  for (std::string* file : {&config.tsa_certificate, &config.tls_certificate, &config.tls_key, &config.smtp.ca_file,
                            &config.smtp_password_file}) {
    if (!file->empty() && std::filesystem::path(*file).is_relative()) *file = (dir / *file).string();
  }
  if (!config.smtp_password_file.empty()) {
    std::string password = read_whole_file(config.smtp_password_file);
    password = password.substr(0, password.find_first_of("\r\n"));
    if (password.empty()) throw Error(config.smtp_password_file + " is leeg");
    config.smtp.password = password;
  }
  std::string secret = read_whole_file(dir / "geheim");
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.size() < 64) throw Error((dir / "geheim").string() + " is te kort");
  Store store = Store::open(database_url(dir, config.database), static_cast<std::size_t>(config.database_connections));
  Pki pki = Pki::load(dir / "pki", passphrase);
  auto impl = std::make_unique<Impl>(dir, templates, config, std::move(store), std::move(pki));
  impl->secret = std::move(secret);
  impl->rule_sets = load_rule_sets(templates / "regelingen");
  impl->seal_existing();
  impl->tsa = std::make_unique<SerialTsa>(config.tsa_url.empty()
                                              ? impl->pki.local_tsa([i = impl.get()] { return i->clock(); })
                                              : http_tsa(config.tsa_url, read_whole_file(config.tsa_certificate)));
  // The TSAs trusted before stay trusted for the tokens they made (Werkruimte::tsa_certificates).
  const std::filesystem::path history = dir / "tsa-geschiedenis.pem";
  impl->tsa_history = std::filesystem::exists(history) ? read_whole_file(history) : std::string();
  const std::string current = impl->tsa->certificate_pem();
  if (impl->tsa_history.find(current) == std::string::npos) {
    impl->tsa_history += current;
    StagedFile(history, impl->tsa_history, Access::owner_only).commit();
  }
  if (config.mail_transport == "smtp") {
    impl->transport = smtp_transport(config.smtp);
  } else {
    const std::filesystem::path pickup = config.pickup_dir;
    impl->transport = pickup_transport(pickup.is_absolute() ? pickup : dir / pickup);
  }
  return Werkruimte(std::move(impl));
}

const Configuration& Werkruimte::configuration() const { return impl_->config; }
void Werkruimte::configure(const std::string& key, const std::string& value) { impl_->config.set(key, value); }
const std::filesystem::path& Werkruimte::dir() const { return impl_->dir; }
Store& Werkruimte::store() { return impl_->store; }
std::string Werkruimte::ca_fingerprint() const { return impl_->pki.ca_fingerprint(); }
const Pki& Werkruimte::pki() const { return impl_->pki; }
TimestampAuthority& Werkruimte::tsa() { return *impl_->tsa; }
std::string Werkruimte::tsa_certificates() const { return impl_->tsa_history; }
std::time_t Werkruimte::now() const { return impl_->clock(); }
void Werkruimte::set_clock(Clock clock) {
  impl_->clock = std::move(clock);
  impl_->real_clock = false;
}
void Werkruimte::set_transport(std::unique_ptr<Transport> transport) {
  impl_->flush_mail();
  impl_->transport = std::move(transport);
}
void Werkruimte::flush_mail() { impl_->flush_mail(); }

std::string Werkruimte::mac(std::string_view purpose, std::string_view value) const {
  return hmac_hex(impl_->secret, purpose, value);
}

}  // namespace sto
