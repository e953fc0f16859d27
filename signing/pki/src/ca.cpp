// The installation CA: creating it, loading it, and issuing a certificate per signing act.
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "handles.h"
#include "sto/atomic_file.h"
#include "sto/diagnostics.h"
#include "sto/pki.h"

namespace sto {

namespace {

constexpr long kYear = 365L * 24 * 60 * 60 + 6 * 60 * 60;  // a Julian year: leap days included

ossl::Key new_key() {
  ossl::Key key(EVP_EC_gen("P-256"));
  if (!key) throw_openssl_error("sleutelpaar maken mislukt");
  return key;
}

void add_name(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return;
  // UTF8String as given. MBSTRING_UTF8 would apply X.520's upper bounds (64 characters for CN and
  // O), and the agreement allows names of 200: the certificate must name the partner in full.
  // The country is a PrintableString (RFC 5280 §4.1.2.4).
  const int type = std::string_view(field) == "C" ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING;
  if (X509_NAME_add_entry_by_txt(name, field, type, reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    throw_openssl_error(std::string("naamveld ") + field + " zetten mislukt");
  }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) throw_openssl_error("extensie " + value + " maken mislukt");
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) throw_openssl_error("extensie toevoegen mislukt");
}

// A certificate skeleton: version 3, random serial, validity [now - skew, not_after], subject,
// issuer (itself when `issuer` is null), public key.
ossl::Certificate new_certificate(EVP_PKEY* key, X509* issuer, std::time_t now, std::time_t not_after) {
  ossl::Certificate cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) throw_openssl_error("certificaat maken mislukt");
  const auto serial = detail::random_serial();
  std::time_t start = now;
  if (X509_set_serialNumber(cert.get(), serial.get()) != 1 ||
      X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -5 * 60, &start) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, 0, &not_after) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    throw_openssl_error("certificaatvelden zetten mislukt");
  }
  if (issuer != nullptr && X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) != 1) {
    throw_openssl_error("uitgever zetten mislukt");
  }
  return cert;
}

void sign_certificate(X509* cert, EVP_PKEY* issuer_key) {
  if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) throw_openssl_error("certificaat ondertekenen mislukt");
}

std::string key_pem(EVP_PKEY* key, const std::string& passphrase) {
  detail::Bio bio(BIO_new(BIO_s_mem()));
  const EVP_CIPHER* cipher = passphrase.empty() ? nullptr : EVP_aes_256_cbc();
  auto* pass = passphrase.empty() ? nullptr : const_cast<char*>(passphrase.c_str());
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key, cipher, pass, static_cast<int>(passphrase.size()), nullptr,
                                            nullptr) != 1) {
    throw_openssl_error("sleutel schrijven mislukt");
  }
  return detail::bio_text(bio.get());
}

// Never prompts on a terminal: no passphrase given means an encrypted key cannot be read.
int passphrase_callback(char* buffer, int size, int /*rwflag*/, void* user) {
  const auto* passphrase = static_cast<const std::string*>(user);
  if (passphrase->empty() || static_cast<int>(passphrase->size()) > size) return -1;
  passphrase->copy(buffer, passphrase->size());
  return static_cast<int>(passphrase->size());
}

ossl::Key read_key(const std::filesystem::path& path, const std::string& passphrase) {
  const std::string pem = read_whole_file(path);
  detail::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::Key key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_callback, const_cast<std::string*>(&passphrase))
          : nullptr);
  if (!key) {
    throw_openssl_error("kan de sleutel " + path.string() + " niet lezen (" +
                        (passphrase.empty() ? "versleuteld? geef het wachtwoord" : "verkeerd wachtwoord?") + ")");
  }
  return key;
}

struct NewFile {
  const char* name;
  std::string bytes;
  Access access;
};

[[noreturn]] void refuse_existing(const std::filesystem::path& dir) {
  throw Error(dir.string() + " bestaat al: een bestaande CA wordt nooit vervangen");
}

// An existing empty directory (made by the user, with its own owner and mode; perhaps a mount
// point): the files are linked in one by one, each never replacing, ca.pem first so that a
// second creator stops at once. On failure the files this call linked are removed again.
void publish_into(const std::filesystem::path& dir, const std::vector<NewFile>& files) {
  std::vector<std::filesystem::path> done;
  try {
    for (const auto& f : files) {
      if (std::filesystem::exists(dir / f.name)) refuse_existing(dir);
      StagedFile(dir / f.name, f.bytes, f.access).commit_new();
      done.push_back(dir / f.name);
    }
  } catch (...) {
    std::error_code ec;
    for (auto it = done.rbegin(); it != done.rend(); ++it) std::filesystem::remove(*it, ec);
    throw;
  }
}

// A new directory: the files go into a private directory (0700) beside it, which then takes its
// name in one step that never replaces. A crash leaves no half-made PKI (at worst a hidden
// .pki.XXXXXX beside it), and of two `sto init` at once exactly one wins.
void publish(std::filesystem::path dir, const std::vector<NewFile>& files) {
  dir = std::filesystem::weakly_canonical(dir);  // a symbolic link: its target is the directory
  if (!dir.has_filename()) dir = dir.parent_path();
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return publish_into(dir, files);
  const std::filesystem::path parent = dir.parent_path();
  std::filesystem::create_directories(parent);
  std::string temp = (parent / ("." + dir.filename().string() + ".XXXXXX")).string();
  if (::mkdtemp(temp.data()) == nullptr) {
    throw Error("kan geen map maken naast " + dir.string() + ": " + std::strerror(errno));
  }
  try {
    for (const auto& f : files) StagedFile(std::filesystem::path(temp) / f.name, f.bytes, f.access).commit();
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, dir.c_str(), RENAME_NOREPLACE) != 0) {
      if (errno == EEXIST || errno == ENOTEMPTY) refuse_existing(dir);
      throw Error("kan " + dir.string() + " niet maken: " + std::strerror(errno));
    }
  } catch (...) {
    std::filesystem::remove_all(temp, ec);
    throw;
  }
  sync_parent_directory(dir);
}

std::time_t not_after_of(X509* cert) {
  struct tm t {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &t) != 1) throw_openssl_error("geldigheid lezen mislukt");
  return timegm(&t);
}

}  // namespace

Pki::Pki(std::unique_ptr<State> state) : state_(std::move(state)) {}
Pki::Pki(Pki&&) noexcept = default;
Pki& Pki::operator=(Pki&&) noexcept = default;
Pki::~Pki() = default;

Pki Pki::create(const std::filesystem::path& dir, const std::string& passphrase, std::time_t now) {
  std::error_code ec;
  if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir, ec)) refuse_existing(dir);
  auto s = std::make_unique<State>();
  // A random tag in the names: two installations never share a subject, which NSS and other
  // stores use to find issuers.
  std::array<unsigned char, 4> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) throw_openssl_error("toevalsgetal mislukt");
  const std::string id = to_hex({reinterpret_cast<const char*>(random.data()), random.size()});

  s->ca_key = new_key();
  s->ca = new_certificate(s->ca_key.get(), nullptr, now, now + 30 * kYear);
  X509_NAME* ca_name = X509_get_subject_name(s->ca.get());
  add_name(ca_name, "C", "NL");
  add_name(ca_name, "O", "sto ondertekening");
  add_name(ca_name, "CN", "sto installatie-CA " + id);
  if (X509_set_issuer_name(s->ca.get(), ca_name) != 1) throw_openssl_error("uitgever zetten mislukt");
  add_extension(s->ca.get(), s->ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(s->ca.get(), s->ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(s->ca.get(), s->ca.get(), NID_subject_key_identifier, "hash");
  sign_certificate(s->ca.get(), s->ca_key.get());

  s->tsa_key = new_key();
  s->tsa = new_certificate(s->tsa_key.get(), s->ca.get(), now, now + 30 * kYear - 24 * 60 * 60);
  X509_NAME* tsa_name = X509_get_subject_name(s->tsa.get());
  add_name(tsa_name, "C", "NL");
  add_name(tsa_name, "O", "sto ondertekening");
  add_name(tsa_name, "CN", "sto tijdstempeldienst " + id);
  add_extension(s->tsa.get(), s->ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(s->tsa.get(), s->ca.get(), NID_key_usage, "critical,digitalSignature");
  // RFC 3161 §2.3: the TSA's certificate has exactly this EKU, critical.
  add_extension(s->tsa.get(), s->ca.get(), NID_ext_key_usage, "critical,timeStamping");
  add_extension(s->tsa.get(), s->ca.get(), NID_subject_key_identifier, "hash");
  add_extension(s->tsa.get(), s->ca.get(), NID_authority_key_identifier, "keyid:always");
  sign_certificate(s->tsa.get(), s->ca_key.get());

  publish(dir, {{"ca.pem", certificate_pem(s->ca.get()), Access::shared},
                {"ca.key", key_pem(s->ca_key.get(), passphrase), Access::owner_only},
                {"tsa.pem", certificate_pem(s->tsa.get()), Access::shared},
                {"tsa.key", key_pem(s->tsa_key.get(), passphrase), Access::owner_only}});
  return Pki(std::move(s));
}

Pki Pki::load(const std::filesystem::path& dir, const std::string& passphrase) {
  auto s = std::make_unique<State>();
  s->ca = detail::read_certificate(read_whole_file(dir / "ca.pem"), (dir / "ca.pem").string());
  s->tsa = detail::read_certificate(read_whole_file(dir / "tsa.pem"), (dir / "tsa.pem").string());
  s->ca_key = read_key(dir / "ca.key", passphrase);
  s->tsa_key = read_key(dir / "tsa.key", passphrase);
  if (X509_check_private_key(s->ca.get(), s->ca_key.get()) != 1) {
    throw_openssl_error((dir / "ca.key").string() + " hoort niet bij ca.pem");
  }
  if (X509_check_private_key(s->tsa.get(), s->tsa_key.get()) != 1) {
    throw_openssl_error((dir / "tsa.key").string() + " hoort niet bij tsa.pem");
  }
  return Pki(std::move(s));
}

X509* Pki::ca() const { return state_->ca.get(); }
std::string Pki::ca_pem() const { return certificate_pem(state_->ca.get()); }
std::string Pki::tsa_pem() const { return certificate_pem(state_->tsa.get()); }

std::string Pki::ca_fingerprint() const {
  const std::string hex = to_hex(sha256(certificate_der(state_->ca.get())));
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) out += ':';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i + 1])));
  }
  return out;
}

SignerCredentials Pki::issue(const SignerIdentity& who, std::time_t now) const {
  if (who.naam.empty()) throw Error("een certificaat zonder naam wordt niet uitgegeven");
  SignerCredentials out;
  out.key = new_key();
  const std::time_t end = std::min(now + 25 * kYear, not_after_of(state_->ca.get()));
  out.certificate = new_certificate(out.key.get(), state_->ca.get(), now, end);
  X509_NAME* name = X509_get_subject_name(out.certificate.get());
  add_name(name, "C", "NL");
  add_name(name, "O", who.partner);
  if (!who.kvk.empty()) add_name(name, "organizationIdentifier", "NTRNL-" + who.kvk);
  add_name(name, "title", who.functie);
  add_name(name, "CN", who.naam);
  X509* ca = state_->ca.get();
  add_extension(out.certificate.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(out.certificate.get(), ca, NID_key_usage, "critical,digitalSignature,nonRepudiation");
  add_extension(out.certificate.get(), ca, NID_subject_key_identifier, "hash");
  add_extension(out.certificate.get(), ca, NID_authority_key_identifier, "keyid:always");
  if (!who.email.empty()) {
    // The config syntax would treat a comma in the address as a separator; the schema's
    // e-mail rule allows none, and a stray one here must not add a second name.
    if (who.email.find_first_of(",\n") != std::string::npos) throw Error("ongeldig e-mailadres: " + who.email);
    add_extension(out.certificate.get(), ca, NID_subject_alt_name, "email:" + who.email);
  }
  sign_certificate(out.certificate.get(), state_->ca_key.get());
  return out;
}

std::string Pki::crl(std::time_t now, std::time_t next_update) const {
  if (next_update <= now) throw Error("een CRL moet na haar uitgifte nog geldig zijn");
  using Crl = std::unique_ptr<X509_CRL, ossl::Deleter<X509_CRL, X509_CRL_free>>;
  using Time = std::unique_ptr<ASN1_TIME, ossl::Deleter<ASN1_TIME, ASN1_TIME_free>>;
  X509* ca = state_->ca.get();
  Crl crl(X509_CRL_new());
  Time this_update(ASN1_TIME_set(nullptr, now));
  Time next(ASN1_TIME_set(nullptr, std::min(next_update, not_after_of(ca))));
  // The CRL number: the issue time, so that a later CRL has a higher one (RFC 5280 §5.2.3).
  detail::Integer number(ASN1_INTEGER_new());
  if (!crl || !this_update || !next || !number || ASN1_INTEGER_set_int64(number.get(), now) != 1 ||
      X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca)) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
    throw_openssl_error("CRL maken mislukt");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca, nullptr, nullptr, crl.get(), 0);
  X509_EXTENSION* aki = X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
  const int added = aki != nullptr ? X509_CRL_add_ext(crl.get(), aki, -1) : 0;
  X509_EXTENSION_free(aki);
  if (added != 1 || X509_CRL_sign(crl.get(), state_->ca_key.get(), EVP_sha256()) <= 0) {
    throw_openssl_error("CRL ondertekenen mislukt");
  }
  return der(i2d_X509_CRL, crl.get(), "CRL");
}

}  // namespace sto
