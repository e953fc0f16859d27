#include "sto/workflow.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <future>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <Poco/URI.h>

#include "sto/atomic_file.h"
#include "sto/pades.h"
#include "sto/render.h"

namespace sto {

namespace {

using Kind = LinkView::Kind;

std::int64_t to_ms(std::time_t t) { return static_cast<std::int64_t>(t) * 1000; }

// "2026-11-26T01:38:02.123Z"
std::string iso_ms(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// Letters compared without case, runs of white space as one space, ends trimmed: what a person
// typing their own name means, not how they type it. Non-ASCII letters must match exactly.
std::string loosely(std::string_view s) {
  std::string out;
  bool space = false;
  for (const char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string new_token() {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) throw_openssl_error("willekeurig token maken mislukt");
  unsigned char b64[48];
  const int n = EVP_EncodeBlock(b64, raw, sizeof raw);
  std::string token(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
  while (!token.empty() && token.back() == '=') token.pop_back();
  for (char& c : token) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return token;
}

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

}  // namespace

std::string token_hash(std::string_view token) {
  if (token.size() != 43) return "";
  for (const char c : token) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_') return "";
  }
  return to_hex(sha256(token));
}

struct Werkruimte::Impl {
  std::filesystem::path dir;
  std::filesystem::path templates;
  Configuration config;
  Store store;
  Pki pki;
  std::unique_ptr<TimestampAuthority> tsa;
  std::unique_ptr<Transport> transport;
  Clock clock = system_time;
  std::string secret;
  std::vector<RuleSet> rule_sets;

  // Per version: the agreement as opened, and its contract's chain (used only while holding
  // the agreement's lock in the store).
  struct Opened {
    std::shared_ptr<const Agreement> agreement;
    std::unique_ptr<SignedContract> chain;
  };
  std::mutex cache_mutex;
  std::map<std::int64_t, Opened> cache;
  std::set<std::string> downloaded;  // token hashes whose pdf-downloaded entry is written

  // Completion mails go out on threads of their own, so that the last signatory's request does
  // not wait for a mail with the signed PDF to every signatory.
  std::mutex mailers_mutex;
  std::vector<std::future<void>> mailers;

  Impl(std::filesystem::path d, std::filesystem::path t, Configuration c, Store s, Pki p)
      : dir(std::move(d)), templates(std::move(t)), config(std::move(c)), store(std::move(s)), pki(std::move(p)) {}
  ~Impl() { flush_mail(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void flush_mail() {
    std::vector<std::future<void>> running;
    {
      const std::lock_guard lock(mailers_mutex);
      running.swap(mailers);
    }
    for (auto& f : running) f.wait();
  }

  bool real_clock = true;
  // Milliseconds from the system clock; whole seconds of a clock a test fixed.
  std::int64_t now_ms() const {
    if (!real_clock) return to_ms(clock());
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // The version's agreement, parsed once. A version from a link lookup comes without its xml: it
  // is read then, through `tx` when the caller holds one (a second connection could wait for
  // one that only the caller's own transaction would free).
  std::shared_ptr<const Agreement> agreement_of(const VersionRecord& v, Store::Transaction* tx = nullptr) {
    {
      const std::lock_guard lock(cache_mutex);
      auto it = cache.find(v.id);
      if (it != cache.end() && it->second.agreement) return it->second.agreement;
    }
    const std::string xml = !v.xml.empty()  ? v.xml
                            : tx != nullptr ? tx->agreement_xml(v.id)
                                            : store.agreement_xml(v.id);
    ReadResult read = read_agreement(xml, "agreement.xml");
    if (!read.parsed) throw Error("de opgeslagen overeenkomst " + v.kenmerk + " is onleesbaar");
    auto agreement = std::make_shared<const Agreement>(std::move(read.agreement));
    const std::lock_guard lock(cache_mutex);
    auto& entry = cache[v.id];
    if (!entry.agreement) entry.agreement = agreement;
    return entry.agreement;
  }

  // The version's chain, up to date with the disk and with the store's record (call with the
  // agreement's lock held): revisions another process added are read; revisions beyond the
  // record (a signing act whose transaction did not commit) are removed.
  SignedContract& chain_of(const VersionRecord& v) {
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
  void forget_chain(std::int64_t version_id) {
    const std::lock_guard lock(cache_mutex);
    auto it = cache.find(version_id);
    if (it != cache.end()) it->second.chain.reset();
  }

  AuditEntry entry(std::string_view event, const Actor& actor) const {
    AuditEntry e;
    e["event"] = std::string(event);
    e["time"] = iso_ms(now_ms());
    e["ip"] = actor.ip;
    e["user_agent"] = actor.user_agent;
    return e;
  }
  static AuditEntry& about(AuditEntry& e, const SignatoryRecord& s, const VersionRecord& v) {
    e["versie"] = v.versie;
    e["tekenbevoegde"] = s.tekenbevoegde;
    e["partner"] = s.partner;
    e["naam"] = s.naam;
    return e;
  }

  void set_state(Store::Transaction& tx, SignatoryRecord& s, SignatoryState state) {
    s.state = state;
    s.state_ms = now_ms();
    tx.update_signatory(s);
  }

  // Revokes `v` and its open requests inside `tx`.
  void revoke_version(Store::Transaction& tx, VersionRecord& v, const std::string& reason, const Actor& actor) {
    for (SignatoryRecord& s : tx.signatories(v.id)) {
      if (is_final(s.state)) continue;
      set_state(tx, s, SignatoryState::revoked);
      AuditEntry e = entry(audit_event::revoked, actor);
      about(e, s, v)["reason"] = reason;
      tx.append(std::move(e));
    }
    v.state = VersionState::revoked;
    v.closed_ms = now_ms();
    tx.update_version(v);
    AuditEntry e = entry(audit_event::revoked, actor);
    e["versie"] = v.versie;
    e["reason"] = reason;
    tx.append(std::move(e));
  }

  // Requests whose every link expired become expired (inside `tx`).
  void expire_due(Store::Transaction& tx, const VersionRecord& v) {
    if (v.state != VersionState::open) return;
    for (SignatoryRecord& s : tx.signatories(v.id)) {
      if (is_final(s.state) || s.state == SignatoryState::pending) continue;
      const std::int64_t until = tx.latest_token_expiry(s.id);
      if (until == 0 || until > now_ms()) continue;
      set_state(tx, s, SignatoryState::expired);
      AuditEntry e = entry(audit_event::expired, Actor{"sto", ""});
      tx.append(std::move(about(e, s, v)));
    }
  }

  Kind classify(const LinkRecord& link) const {
    // What was done stays shown, whatever happened to the version since.
    if (link.token.document_sha256 != link.version.document_sha256) return Kind::other_version;
    if (link.signatory.state == SignatoryState::signed_) return Kind::signed_;
    if (link.signatory.state == SignatoryState::declined) return Kind::declined;
    if (link.version.state == VersionState::revoked || link.signatory.state == SignatoryState::revoked) {
      return Kind::revoked;
    }
    if (link.signatory.state == SignatoryState::expired || now_ms() >= link.token.expires_ms) return Kind::expired;
    return Kind::sign;
  }

  LinkView describe(const LinkRecord& link, Store::Transaction* tx = nullptr) {
    LinkView view;
    view.kind = classify(link);
    const auto agreement = agreement_of(link.version, tx);
    view.regio = agreement->regio.naam;
    view.kenmerk = link.version.kenmerk;
    view.versie = link.version.versie;
    view.document_sha256 = link.version.document_sha256;
    view.partner = link.signatory.partner;
    view.naam = link.signatory.naam;
    view.functie = link.signatory.functie;
    for (const Partner& p : agreement->partners) {
      for (const Tekenbevoegde& t : p.tekenbevoegden) {
        if (t.id == link.signatory.tekenbevoegde && t.hoedanigheid) {
          view.hoedanigheid = std::string(to_string(*t.hoedanigheid));
        }
      }
    }
    view.expires_ms = link.token.expires_ms;
    view.state_ms = link.signatory.state_ms;
    view.reason = link.signatory.reason;
    view.revision = link.signatory.revision;
    view.certificate_sha256 = link.signatory.certificate_sha256;
    view.revision_sha256 = link.signatory.revision_sha256;
    view.token_hash = link.token.hash;
    view.version_state = link.version.state;
    return view;
  }

  MailContext context(const VersionRecord& v, const SignatoryRecord& s, const std::string& link,
                      std::int64_t expires_ms) {
    const auto agreement = agreement_of(v);
    MailContext c;
    c.regio = agreement->regio.naam;
    c.kenmerk = v.kenmerk;
    c.versie = v.versie;
    c.document_sha256 = v.document_sha256;
    for (const Partner& p : agreement->partners) {
      if (p.penvoerder) c.penvoerder = p.naam.value;
    }
    c.partner = s.partner;
    c.naam = s.naam;
    c.functie = s.functie;
    c.link = link;
    c.verloopt = static_cast<std::time_t>(expires_ms / 1000);
    c.ca_fingerprint = pki.ca_fingerprint();
    return c;
  }

  std::string base_url() const { return config.base_url.empty() ? "http://" + config.listen : config.base_url; }

  // Mails every signatory of the latest open version in `states` a new link.
  std::vector<MailOutcome> send_links(const std::string& kenmerk, bool reminder) {
    auto v = store.latest_version(kenmerk);
    if (!v) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
    if (v->state != VersionState::open) {
      throw Refusal(kenmerk + " versie " + std::to_string(v->versie) + " is " + std::string(to_string(v->state)));
    }
    const std::string host = Poco::URI(base_url()).getHost();
    if (host == "0.0.0.0" || host == "::" || host.empty()) {
      throw Refusal("de links zouden naar " + base_url() + " wijzen: zet base_url (sto.conf of --base-url)");
    }
    {
      auto tx = store.write(kenmerk);
      expire_due(tx, *v);
      tx.commit();
    }
    std::vector<MailOutcome> outcomes;
    for (const SignatoryRecord& listed : store.signatories(v->id)) {
      // A reminder also revives a request whose links expired: a new link, valid link.days again.
      const bool wanted = reminder ? (listed.state == SignatoryState::invited ||
                                      listed.state == SignatoryState::viewed || listed.state == SignatoryState::expired)
                                   : listed.state == SignatoryState::pending;
      if (!wanted) continue;
      const std::string token = new_token();
      TokenRecord t{token_hash(token),
                    listed.id,
                    v->document_sha256,
                    now_ms(),
                    now_ms() + std::int64_t{config.link_days} * 86'400'000,
                    0};
      {
        auto tx = store.write(kenmerk);
        tx.insert_token(t);
        tx.commit();
      }
      const MailAddress to{listed.naam, listed.email};
      const MailContext c = context(*v, listed, base_url() + "/t/" + token, t.expires_ms);
      MailOutcome outcome{listed.tekenbevoegde, listed.email, false, ""};
      std::optional<Delivery> delivery;
      std::optional<MailError> failure;
      try {
        delivery = transport->send(reminder ? sto::reminder(templates, config.mail_from, to, c)
                                            : invitation(templates, config.mail_from, to, c));
      } catch (const MailError& e) {
        if (e.kind() == MailError::Kind::configuration) throw;
        failure = e;
      }
      auto tx = store.write(kenmerk);
      auto s = tx.signatory(listed.id);
      if (!s) continue;
      // The mail went out (or failed) whatever happened meanwhile, so it is recorded either way;
      // the state moves only when nobody else moved it (a signature, a revocation, another invite).
      const bool unchanged = s->state == listed.state;
      if (delivery) {
        s->mail_error.clear();
        if (unchanged && (listed.state == SignatoryState::pending || listed.state == SignatoryState::expired)) {
          s->state = SignatoryState::invited;
          s->state_ms = now_ms();
        }
        tx.update_signatory(*s);
        AuditEntry e = entry(reminder ? audit_event::reminded : audit_event::invited, Actor{});
        about(e, *s, *v);
        e["email"] = s->email;
        e["message_id"] = delivery->message_id;
        e["server_reply"] = delivery->server_reply;
        tx.append(std::move(e));
        outcome.sent = true;
        outcome.detail = delivery->server_reply;
      } else {
        s->mail_error =
            std::string(failure->kind() == MailError::Kind::permanent ? "blijvend: " : "tijdelijk: ") + failure->what();
        tx.update_signatory(*s);
        AuditEntry e = entry(audit_event::mail_failed, Actor{});
        about(e, *s, *v);
        e["email"] = s->email;
        e["error"] = s->mail_error;
        e["code"] = std::int64_t{failure->code()};
        tx.append(std::move(e));
        outcome.detail = s->mail_error;
      }
      tx.commit();
      outcomes.push_back(outcome);
    }
    return outcomes;
  }

  // Runs on a thread of its own: nothing may escape it. A mail that does not go out is in the
  // audit log (mail-failed) and on stderr; the signatures stand either way.
  void mail_completion(const VersionRecord& v, std::int64_t effective_ms) noexcept {
    try {
      mail_completion_or_throw(v, effective_ms);
    } catch (const std::exception& e) {
      std::cerr << "sto: afrondingsmails van " << v.kenmerk << " versie " << v.versie << ": " << e.what() << "\n";
    }
  }
  void mail_completion_or_throw(const VersionRecord& v, std::int64_t effective_ms) {
    const std::string pdf = SignedContract::open(dir / v.contract_dir).pdf();
    // One mail per address: someone who signed for two partners gets one, naming both.
    std::vector<std::pair<SignatoryRecord, std::string>> recipients;  // first signatory, partners
    std::map<std::string, std::size_t> by_address;
    for (const SignatoryRecord& s : store.signatories(v.id)) {
      std::string address = s.email;
      std::transform(address.begin(), address.end(), address.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      const auto [it, added] = by_address.emplace(address, recipients.size());
      if (added) {
        recipients.emplace_back(s, s.partner);
      } else {
        recipients[it->second].second += " en " + s.partner;
      }
    }
    for (const auto& [s, partners] : recipients) {
      MailContext c = context(v, s, "", 0);
      c.partner = partners;
      c.ingangsdatum = static_cast<std::time_t>(effective_ms / 1000);
      Attachment a{v.kenmerk + "-v" + std::to_string(v.versie) + "-getekend.pdf", "application/pdf", pdf};
      try {
        transport->send(completion(templates, config.mail_from, MailAddress{s.naam, s.email}, c, std::move(a)));
      } catch (const Error& e) {
        std::cerr << "sto: afrondingsmail aan " << s.email << " niet verstuurd: " << e.what() << "\n";
        auto tx = store.write(v.kenmerk);
        AuditEntry f = entry(audit_event::mail_failed, Actor{"sto", ""});
        about(f, s, v);
        f["email"] = s.email;
        f["error"] = std::string("afrondingsmail: ") + e.what();
        tx.append(std::move(f));
        tx.commit();
      }
    }
  }
};

Werkruimte::Werkruimte(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Werkruimte::Werkruimte(Werkruimte&&) noexcept = default;
Werkruimte& Werkruimte::operator=(Werkruimte&&) noexcept = default;
Werkruimte::~Werkruimte() = default;

namespace {

std::string database_url(const std::filesystem::path& dir, const std::string& configured) {
  if (configured.starts_with("sqlite:")) {
    const std::filesystem::path file = configured.substr(7);
    return "sqlite:" + (file.is_absolute() ? file : dir / file).string();
  }
  return configured;
}

}  // namespace

std::string Werkruimte::init(const std::filesystem::path& dir, const Configuration& configuration,
                             const std::string& passphrase) {
  std::filesystem::create_directories(dir);
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
  return fingerprint;
}

Werkruimte Werkruimte::open(const std::filesystem::path& dir, const std::filesystem::path& templates,
                            const std::string& passphrase, const std::map<std::string, std::string>& overrides) {
  if (!std::filesystem::exists(dir / "sto.conf")) {
    throw Error(dir.string() + " is geen werkruimte (geen sto.conf): begin met sto init");
  }
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
  impl->tsa = std::make_unique<SerialTsa>(config.tsa_url.empty()
                                              ? impl->pki.local_tsa([i = impl.get()] { return i->clock(); })
                                              : http_tsa(config.tsa_url, read_whole_file(config.tsa_certificate)));
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
  const std::string message = std::string(purpose) + '\0' + std::string(value);
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, impl_->secret.data(), impl_->secret.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, sizeof out,
                &size) == nullptr) {
    throw_openssl_error("HMAC mislukt");
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(out), size));
}

std::optional<OpenResult> Werkruimte::open_agreement(const std::filesystem::path& xml, Validation& validation) {
  Impl& w = *impl_;
  validation = validate_file(xml, w.rule_sets);
  if (!validation.valid()) return std::nullopt;
  const Agreement& a = validation.agreement;
  const std::string bytes = read_whole_file(xml);
  // What the contract is made from, read once into a private copy beside the contracts and
  // rendered from that copy, which then stays with the chain (sjablonen/): the archive carries
  // exactly the files these bytes came from, even when the installed ones change meanwhile.
  struct Scratch {
    std::filesystem::path path;
    ~Scratch() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
  } snapshot{w.dir / "contracten" /
             (".sjablonen-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()))};
  for (const auto& file : contract_inputs(w.templates, a.taal)) {
    std::filesystem::create_directories((snapshot.path / file).parent_path());
    write_file_atomically(snapshot.path / file, read_whole_file(w.templates / file));
  }
  const Contract contract = render_contract(a, snapshot.path);
  OpenResult result;
  result.kenmerk = a.kenmerk;
  result.versie = a.versie;
  result.document_sha256 = to_hex(sha256(contract.pdf));

  auto tx = w.store.write(a.kenmerk, true);
  auto latest = tx.latest_version();
  if (latest && latest->versie == a.versie) {
    if (latest->xml_sha256 != a.xml_sha256) {
      throw Refusal(a.kenmerk + " versie " + std::to_string(a.versie) +
                    " bestaat al met een andere inhoud: geef de gewijzigde overeenkomst een hogere versie");
    }
    result.already_open = true;
    result.document_sha256 = latest->document_sha256;
    result.signatories = tx.signatories(latest->id).size();
    return result;
  }
  if (latest && latest->versie > a.versie) {
    throw Refusal(a.kenmerk + " heeft al versie " + std::to_string(latest->versie) + "; versie " +
                  std::to_string(a.versie) + " is ouder");
  }
  if (latest && latest->state == VersionState::open) {
    w.revoke_version(tx, *latest, "vervangen door versie " + std::to_string(a.versie), Actor{});
    result.revoked_versie = latest->versie;
  }
  VersionRecord v;
  v.kenmerk = a.kenmerk;
  v.versie = a.versie;
  v.xml = bytes;
  v.xml_sha256 = a.xml_sha256;
  v.document_sha256 = result.document_sha256;
  v.contract_dir = "contracten/" + a.kenmerk + "-v" + std::to_string(a.versie);
  v.opened_ms = w.now_ms();
  const std::filesystem::path chain_dir = w.dir / v.contract_dir;
  if (std::filesystem::exists(chain_dir / "0000.pdf")) {
    // Left by an open whose transaction did not commit: the same contract, unsigned, is reused.
    if (read_whole_file(chain_dir / "0000.pdf") != contract.pdf || std::filesystem::exists(chain_dir / "0001.rev")) {
      throw Error(chain_dir.string() + " bestaat al met een ander contract");
    }
  } else {
    std::filesystem::create_directories(chain_dir.parent_path());
    SignedContract::create(chain_dir, contract.pdf);
  }
  // The copy the contract was rendered from goes with it (replacing one an earlier, uncommitted
  // open of the same contract left): the archive carries it (sto/render.h contract_inputs).
  std::filesystem::remove_all(chain_dir / kTemplatesCopy);
  std::filesystem::rename(snapshot.path, chain_dir / kTemplatesCopy);
  snapshot.path.clear();
  sync_parent_directory(chain_dir / kTemplatesCopy);
  v.id = tx.insert_version(v);
  std::int64_t position = 0;
  for (const Partner& p : a.partners) {
    for (const Tekenbevoegde& t : p.tekenbevoegden) {
      SignatoryRecord s;
      s.version_id = v.id;
      s.position = position++;
      s.tekenbevoegde = t.id;
      s.partner_id = p.id;
      s.partner = p.naam.value;
      s.naam = t.naam;
      s.functie = t.functie;
      s.email = t.email;
      s.state_ms = v.opened_ms;
      tx.insert_signatory(s);
    }
  }
  AuditEntry e = w.entry(audit_event::opened, Actor{});
  e["versie"] = v.versie;
  e["document_sha256"] = v.document_sha256;
  e["xml_sha256"] = v.xml_sha256;
  e["signatories"] = position;
  tx.append(std::move(e));
  tx.commit();
  result.signatories = static_cast<std::size_t>(position);
  return result;
}

std::vector<MailOutcome> Werkruimte::invite(const std::string& kenmerk) { return impl_->send_links(kenmerk, false); }
std::vector<MailOutcome> Werkruimte::remind(const std::string& kenmerk) { return impl_->send_links(kenmerk, true); }

void Werkruimte::revoke(const std::string& kenmerk, const std::string& reason) {
  if (!impl_->store.latest_version(kenmerk)) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  auto tx = impl_->store.write(kenmerk);
  auto v = tx.latest_version();
  if (!v || v->state != VersionState::open) throw Refusal(kenmerk + " heeft geen open versie");
  impl_->revoke_version(tx, *v, reason.empty() ? "ingetrokken door de penvoerder" : reason, Actor{});
  tx.commit();
}

Status Werkruimte::status(const std::string& kenmerk) {
  Status st;
  if (!impl_->store.latest_version(kenmerk)) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  {
    auto tx = impl_->store.write(kenmerk);
    auto v = tx.latest_version();
    if (!v) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
    impl_->expire_due(tx, *v);
    tx.commit();
  }
  st.version = *impl_->store.latest_version(kenmerk);
  st.signatories = impl_->store.signatories(st.version.id);
  std::int64_t last = 0;
  for (const SignatoryRecord& s : st.signatories) {
    if (s.state == SignatoryState::signed_) ++st.signed_count, last = std::max(last, s.state_ms);
    if (st.partners.empty() || st.partners.back().partner_id != s.partner_id) {
      st.partners.push_back(PartnerStatus{s.partner_id, s.partner, true});
    }
    st.partners.back().bound = st.partners.back().bound && s.state == SignatoryState::signed_;
  }
  if (!st.signatories.empty() && st.signed_count == st.signatories.size()) st.effective_ms = last;
  const auto chain = impl_->store.audit(kenmerk);
  st.audit_length = chain.size();
  st.audit_head = chain.empty() ? std::string(kAuditGenesis) : chain.back().hash;
  return st;
}

std::string Werkruimte::signed_pdf(const std::string& kenmerk) {
  auto v = impl_->store.latest_version(kenmerk);
  if (!v) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  return SignedContract::open(impl_->dir / v->contract_dir).pdf();
}

LinkView Werkruimte::view(const std::string& token, const Actor& actor) {
  Impl& w = *impl_;
  const std::string hash = token_hash(token);
  if (hash.empty()) return LinkView{};
  auto link = w.store.link(hash);
  if (!link) return LinkView{};
  const Kind kind = w.classify(*link);
  const bool first_view = kind == Kind::sign && (link->signatory.state == SignatoryState::invited ||
                                                 link->signatory.state == SignatoryState::pending);
  const bool lapsed = kind == Kind::expired && !is_final(link->signatory.state);
  if (first_view || lapsed) {
    auto tx = w.store.write(link->version.kenmerk);
    link = tx.link(hash);
    if (link && first_view && w.classify(*link) == Kind::sign &&
        (link->signatory.state == SignatoryState::invited || link->signatory.state == SignatoryState::pending)) {
      w.set_state(tx, link->signatory, SignatoryState::viewed);
      AuditEntry e = w.entry(audit_event::viewed, actor);
      tx.append(std::move(Impl::about(e, link->signatory, link->version)));
    }
    if (link && lapsed) w.expire_due(tx, link->version);
    tx.commit();
    link = w.store.link(hash);
    if (!link) return LinkView{};
  }
  return w.describe(*link);
}

std::optional<std::string> Werkruimte::contract_pdf(const std::string& token, const Actor& actor) {
  Impl& w = *impl_;
  const std::string hash = token_hash(token);
  if (hash.empty()) return std::nullopt;
  auto link = w.store.link(hash);
  if (!link) return std::nullopt;
  const Kind kind = w.classify(*link);
  if (kind != Kind::sign && kind != Kind::signed_ && kind != Kind::declined) return std::nullopt;
  std::string pdf = read_whole_file(w.dir / link->version.contract_dir / "0000.pdf");
  if (to_hex(sha256(pdf)) != link->version.document_sha256) {
    throw Error((link->version.contract_dir + "/0000.pdf") + " is niet meer het geopende contract");
  }
  // Logged once per link (per server process): the first download is the evidence; more would
  // let a link's holder grow the log, and every entry takes the agreement's write lock.
  bool first = false;
  {
    const std::lock_guard lock(w.cache_mutex);
    if (w.downloaded.size() > 100'000) w.downloaded.clear();
    first = w.downloaded.insert(hash).second;
  }
  if (first) {
    auto tx = w.store.write(link->version.kenmerk);
    AuditEntry e = w.entry(audit_event::pdf_downloaded, actor);
    tx.append(std::move(Impl::about(e, link->signatory, link->version)));
    tx.commit();
  }
  return pdf;
}

LinkView Werkruimte::sign(const std::string& token, bool confirmed, const std::string& typed_name, const Actor& actor) {
  Impl& w = *impl_;
  const std::string hash = token_hash(token);
  if (hash.empty()) return LinkView{};
  auto peek = w.store.link(hash);
  if (!peek) return LinkView{};

  std::optional<VersionRecord> completed;
  std::int64_t effective_ms = 0;
  {
    auto tx = w.store.write(peek->version.kenmerk);
    auto link = tx.link(hash);
    if (!link) return LinkView{};
    if (w.classify(*link) != Kind::sign) return w.describe(*link, &tx);  // a dead or used link signs nothing
    if (!confirmed)
      throw PageError("Bevestig eerst dat u de overeenkomst gelezen hebt en namens " + link->signatory.partner +
                      " ondertekent.");
    if (loosely(typed_name) != loosely(link->signatory.naam)) {
      throw PageError("Typ uw naam zoals hij in de overeenkomst staat: " + link->signatory.naam + ".");
    }
    VersionRecord& v = link->version;
    SignedContract& chain = w.chain_of(v);
    const auto agreement = w.agreement_of(v, &tx);
    const Revision r = chain.sign(signing_act(*agreement, link->signatory.tekenbevoegde, w.clock()), w.pki, *w.tsa);
    try {
      SignatoryRecord& s = link->signatory;
      s.revision = r.number;
      s.revision_sha256 = r.sha256;
      s.certificate_sha256 = r.certificate_sha256;
      // Signed at the TSA's time: the one the signature proves, and so what status, the completion
      // and the archive (sto verify) all name.
      s.state = SignatoryState::signed_;
      s.state_ms = std::int64_t{r.timestamp} * 1000;
      tx.update_signatory(s);
      tx.mark_token_used(hash, w.now_ms());
      v.revisions = r.number;
      AuditEntry e = w.entry(audit_event::signed_, actor);
      Impl::about(e, s, v);
      e["revision"] = std::int64_t{r.number};
      e["revision_sha256"] = r.sha256;
      e["certificate_sha256"] = r.certificate_sha256;
      e["field"] = r.field;
      tx.append(std::move(e));
      const auto all = tx.signatories(v.id);
      const bool done = std::all_of(all.begin(), all.end(),
                                    [](const SignatoryRecord& x) { return x.state == SignatoryState::signed_; });
      if (done) {
        v.state = VersionState::completed;
        v.closed_ms = w.now_ms();
        // The latest signature timestamp (sto verify recomputes it from the tokens).
        for (const auto& x : all) effective_ms = std::max(effective_ms, x.state_ms);
        AuditEntry c = w.entry(audit_event::completed, actor);
        c["versie"] = v.versie;
        c["revisions"] = v.revisions;
        c["pdf_sha256"] = r.sha256;
        c["effective"] = iso_ms(effective_ms);
        tx.append(std::move(c));
        completed = v;
      }
      tx.update_version(v);
      tx.commit();
    } catch (...) {
      // No record, no signature. But a failed commit may have committed after all (a connection
      // lost while committing), and without the connection the lock may be someone else's now:
      // so nothing is deleted here. The next act on this agreement, holding the lock, compares
      // the chain with what the database recorded and removes only a revision it does not know.
      w.forget_chain(v.id);
      throw;
    }
  }
  if (completed) {
    const std::lock_guard lock(w.mailers_mutex);
    std::erase_if(w.mailers, [](const std::future<void>& f) {
      return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
    w.mailers.push_back(
        std::async(std::launch::async, [&w, v = *completed, effective_ms] { w.mail_completion(v, effective_ms); }));
  }
  auto after = w.store.link(hash);
  return after ? w.describe(*after) : LinkView{};
}

LinkView Werkruimte::decline(const std::string& token, const std::string& reason, const Actor& actor) {
  Impl& w = *impl_;
  const std::string hash = token_hash(token);
  if (hash.empty()) return LinkView{};
  auto peek = w.store.link(hash);
  if (!peek) return LinkView{};
  {
    auto tx = w.store.write(peek->version.kenmerk);
    auto link = tx.link(hash);
    if (!link) return LinkView{};
    if (w.classify(*link) != Kind::sign) return w.describe(*link, &tx);
    if (loosely(reason).empty()) throw PageError("Geef een reden op waarom u niet ondertekent.");
    if (reason.size() > 2000) throw PageError("De reden is te lang (ten hoogste 2000 tekens).");
    SignatoryRecord& s = link->signatory;
    s.reason = reason;
    w.set_state(tx, s, SignatoryState::declined);
    tx.mark_token_used(hash, w.now_ms());
    AuditEntry e = w.entry(audit_event::declined, actor);
    Impl::about(e, s, link->version)["reason"] = reason;
    tx.append(std::move(e));
    tx.commit();
  }
  auto after = w.store.link(hash);
  return after ? w.describe(*after) : LinkView{};
}

}  // namespace sto
