// The chain of revisions on disk, and the signing act that appends one.
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "cms.h"
#include "draft.h"
#include "sto/atomic_file.h"
#include "sto/diagnostics.h"
#include "sto/pades.h"
#include "structure.h"

namespace sto {

namespace {

using MdContext = std::unique_ptr<EVP_MD_CTX, ossl::Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

// Passes the TSA's token through and keeps it: the signing act reports the token's time.
class KeepingToken final : public TimestampAuthority {
 public:
  explicit KeepingToken(TimestampAuthority& tsa) : tsa_(tsa) {}
  std::string timestamp(std::string_view sha256) override { return token_ = tsa_.timestamp(sha256); }
  std::string certificate_pem() const override { return tsa_.certificate_pem(); }
  std::size_t token_room() const override { return tsa_.token_room(); }

  // genTime of the token (checked by the TSA client before it was returned).
  std::time_t time() const {
    const auto* p = reinterpret_cast<const unsigned char*>(token_.data());
    std::unique_ptr<PKCS7, ossl::Deleter<PKCS7, PKCS7_free>> token(
        d2i_PKCS7(nullptr, &p, static_cast<long>(token_.size())));
    std::unique_ptr<TS_TST_INFO, ossl::Deleter<TS_TST_INFO, TS_TST_INFO_free>> info(
        token ? PKCS7_to_TS_TST_INFO(token.get()) : nullptr);
    std::tm tm{};
    if (!info || ASN1_TIME_to_tm(TS_TST_INFO_get_time(info.get()), &tm) != 1) {
      throw_openssl_error("tijdstempel zonder leesbare tijd");
    }
    return timegm(&tm);
  }

 private:
  TimestampAuthority& tsa_;
  std::string token_;
};

}  // namespace

struct SignedContract::State {
  std::filesystem::path dir;
  int revisions = 0;
  std::size_t size = 0;
  MdContext hash;  // SHA-256 over every byte so far
  detail::Structure pdf;
};

namespace {

using State = SignedContract::State;

std::filesystem::path revision_path(const std::filesystem::path& dir, int n) {
  std::array<char, 16> name{};
  std::snprintf(name.data(), name.size(), n == 0 ? "%04d.pdf" : "%04d.rev", n);
  return dir / name.data();
}

void update(EVP_MD_CTX* c, std::string_view bytes) {
  if (EVP_DigestUpdate(c, bytes.data(), bytes.size()) != 1) throw_openssl_error("SHA-256 mislukt");
}

MdContext copy_of(EVP_MD_CTX* c) {
  MdContext copy(EVP_MD_CTX_new());
  if (!copy || EVP_MD_CTX_copy_ex(copy.get(), c) != 1) throw_openssl_error("SHA-256 kopiëren mislukt");
  return copy;
}

// The digest of everything so far, and then of `more1` and `more2`; `c` stays usable.
std::string digest_of(EVP_MD_CTX* c, std::string_view more1 = {}, std::string_view more2 = {}) {
  const MdContext copy = copy_of(c);
  update(copy.get(), more1);
  update(copy.get(), more2);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(copy.get(), digest.data(), &length) != 1) throw_openssl_error("SHA-256 mislukt");
  return {reinterpret_cast<const char*>(digest.data()), length};
}

// A deep copy: revisions are read into a copy, which replaces the state only when all is well.
State clone(const State& s) {
  State c;
  c.dir = s.dir;
  c.revisions = s.revisions;
  c.size = s.size;
  c.hash = copy_of(s.hash.get());
  c.pdf = s.pdf;
  return c;
}

// Records the next revision, `size` bytes filling fields[field] with its xref at absolute
// `startxref`, whose bytes the hash has already taken in.
void record(State& s, std::size_t size, std::size_t field, std::size_t startxref) {
  detail::Field& filled = s.pdf.fields[field];
  filled.is_signed = true;
  filled.dict.clear();
  s.size += size;
  s.pdf.startxref = startxref;
  s.pdf.size += 2;
  ++s.revisions;
}

// A revision checked and taken in, with the digest of what its /ByteRange covers.
struct Absorbed {
  detail::Appended appended;
  std::string covered;  // raw SHA-256
  std::size_t hashed = 0;
};

// Checks that `bytes` is exactly a signing revision continuing the chain (check_appended) and
// takes it in. Hashing: the running hash takes every byte once; at the gap a copy of it goes on
// with the bytes after the gap, which gives the covered digest without hashing anything twice
// but those bytes (the gap itself is skipped by the copy, not by the running hash).
Absorbed absorb_unverified(State& s, std::string_view bytes) {
  Absorbed r{detail::check_appended(bytes, s.size, s.pdf, digest_of(s.hash.get())), {}, 0};
  const detail::Appended& a = r.appended;
  update(s.hash.get(), bytes.substr(0, a.contents_at));
  r.covered = digest_of(s.hash.get(), bytes.substr(a.contents_end));
  update(s.hash.get(), bytes.substr(a.contents_at));
  r.hashed = bytes.size() + (bytes.size() - a.contents_end);
  record(s, bytes.size(), a.field, a.startxref);
  return r;
}

// Takes in revision `bytes`, the next one, after checking that it is exactly a signing revision
// continuing the chain and that its CMS covers exactly its byte ranges.
void absorb(State& s, std::string_view bytes) {
  const std::string which = revision_path(s.dir, s.revisions + 1).string();
  try {
    const Absorbed r = absorb_unverified(s, bytes);
    if (detail::message_digest_of(r.appended.cms) != r.covered) {
      throw Error("de CMS dekt niet de bytes van de /ByteRange");
    }
  } catch (const Error& e) {
    throw Error(which + ": " + e.what());
  }
}

// Refuses a revision file after a missing one: it would be silently left out of the signed PDF.
void check_no_gap(const State& s) {
  for (const auto& entry : std::filesystem::directory_iterator(s.dir)) {
    const std::string name = entry.path().filename().string();
    int n = 0;
    const bool numbered = name.size() == 8 && name.ends_with(".rev") &&
                          std::all_of(name.begin(), name.begin() + 4, [](char c) { return c >= '0' && c <= '9'; });
    if (numbered && std::sscanf(name.c_str(), "%4d", &n) == 1 && n > s.revisions) {
      throw Error(entry.path().string() + " volgt op een ontbrekende revisie");
    }
  }
}

// Reads the revisions after the last one `s` knows; `whole`, when given, gets their bytes.
void read_following(State& s, std::string* whole) {
  for (int n = s.revisions + 1; std::filesystem::exists(revision_path(s.dir, n)); ++n) {
    const std::string bytes = read_whole_file(revision_path(s.dir, n));
    absorb(s, bytes);
    if (whole != nullptr) *whole += bytes;
  }
  check_no_gap(s);
}

State load(const std::filesystem::path& dir) {
  State s;
  s.dir = dir;
  if (!std::filesystem::exists(revision_path(dir, 0)))
    throw Error(dir.string() + " bevat geen contract (0000.pdf ontbreekt)");
  std::string whole = read_whole_file(revision_path(dir, 0));
  s.hash = MdContext(EVP_MD_CTX_new());
  if (!s.hash || EVP_DigestInit_ex(s.hash.get(), EVP_sha256(), nullptr) != 1) throw_openssl_error("SHA-256 mislukt");
  update(s.hash.get(), whole);
  s.size = whole.size();
  s.pdf = detail::read_structure(whole);
  for (const auto& f : s.pdf.fields) {
    if (f.is_signed)
      throw Error(revision_path(dir, 0).string() + ": revisie 0 bevat al een handtekening (" + f.name + ")");
  }
  read_following(s, &whole);
  // Once per open: the whole file through qpdf, strictly, must agree on what is signed.
  const detail::Structure check = detail::read_structure(whole);
  for (std::size_t i = 0; i < check.fields.size(); ++i) {
    if (check.fields.size() != s.pdf.fields.size() || check.fields[i].is_signed != s.pdf.fields[i].is_signed) {
      throw Error(dir.string() + ": de revisies en de velden van de PDF spreken elkaar tegen");
    }
  }
  return s;
}

}  // namespace

std::size_t signature_reserve(const TimestampAuthority& tsa) { return 4096 + tsa.token_room(); }

SigningAct signing_act(const Agreement& agreement, std::string_view id, std::time_t time) {
  for (const Partner& partner : agreement.partners) {
    for (const Tekenbevoegde& t : partner.tekenbevoegden) {
      if (t.id != id) continue;
      return {t.id,
              {t.naam, t.functie, partner.naam.value, partner.kvk ? partner.kvk->value : "", t.email},
              time,
              std::nullopt};
    }
  }
  throw Error("de overeenkomst heeft geen tekenbevoegde " + std::string(id));
}

SignedContract::SignedContract(std::unique_ptr<State> state) : state_(std::move(state)) {}
SignedContract::SignedContract(SignedContract&&) noexcept = default;
SignedContract& SignedContract::operator=(SignedContract&&) noexcept = default;
SignedContract::~SignedContract() = default;

SignedContract SignedContract::create(const std::filesystem::path& dir, std::string_view revision0) {
  detail::read_structure(std::string(revision0));  // refuses a PDF that sto render did not make
  std::error_code ec;
  if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir, ec)) {
    throw Error(dir.string() + " bestaat al en is niet leeg");
  }
  std::filesystem::create_directories(dir);
  StagedFile(revision_path(dir, 0), revision0).commit_new();
  return open(dir);
}

SignedContract SignedContract::open(const std::filesystem::path& dir) {
  return SignedContract(std::make_unique<State>(load(dir)));
}

void SignedContract::discard_after(const std::filesystem::path& dir, int keep) {
  int last = keep;
  while (std::filesystem::exists(revision_path(dir, last + 1))) ++last;
  if (last == keep) return;
  // One act at a time leaves at most one revision its commit did not record; more means the
  // record was changed, and signatures are never thrown away on its word.
  if (last > keep + 1) {
    throw Error(dir.string() + " heeft " + std::to_string(last) + " handtekeningen, de database " +
                std::to_string(keep) + ": niets verworpen (is de database buiten sto om gewijzigd?)");
  }
  const std::filesystem::path from = revision_path(dir, last);
  const std::filesystem::path aside = dir / "verworpen";
  std::error_code ec;
  std::filesystem::create_directories(aside, ec);
  std::filesystem::path to = aside / from.filename();
  for (int n = 1; std::filesystem::exists(to); ++n) to = aside / (from.filename().string() + "." + std::to_string(n));
  std::filesystem::rename(from, to, ec);
  if (ec) throw Error("kan " + from.string() + " niet opzij zetten: " + ec.message());
  sync_parent_directory(from);
  sync_parent_directory(to);
}

void SignedContract::refresh() {
  if (!std::filesystem::exists(revision_path(state_->dir, state_->revisions + 1))) {
    check_no_gap(*state_);
    return;
  }
  State next = clone(*state_);
  read_following(next, nullptr);
  *state_ = std::move(next);
}

Revision SignedContract::sign(const SigningAct& act, const Pki& pki, TimestampAuthority& tsa) {
  refresh();
  const State& s = *state_;
  const auto field = std::find_if(s.pdf.fields.begin(), s.pdf.fields.end(),
                                  [&](const detail::Field& f) { return f.name == act.field; });
  if (field == s.pdf.fields.end()) throw Error("het contract heeft geen handtekeningveld " + act.field);
  if (field->is_signed) throw Error("handtekeningveld " + act.field + " is al ondertekend");

  const std::size_t reserve = signature_reserve(tsa);
  detail::Draft d = detail::draft_revision(s.pdf, s.size, digest_of(s.hash.get()), *field, act.time, reserve);
  const std::string_view draft = d.bytes;
  const std::string digest = digest_of(s.hash.get(), draft.substr(0, d.contents_at), draft.substr(d.contents_end));

  SignerCredentials credentials = pki.issue(act.signer, act.time);
  const std::string certificate = certificate_der(credentials.certificate.get());
  KeepingToken keeping(tsa);
  const std::string cms = detail::cades_detached(digest, std::move(credentials.key), credentials.certificate.get(),
                                                 pki.ca(), keeping, act.anchor);
  if (cms.size() > reserve) {
    throw Error("de handtekening (" + std::to_string(cms.size()) + " bytes) past niet in de gereserveerde " +
                std::to_string(reserve) + " bytes");
  }
  const std::string hex = detail::upper_hex(cms);
  d.bytes.replace(d.contents_at + 1, hex.size(), hex);  // the rest stays '0': DER ignores the padding

  // Written, never replacing. This revision is what check_appended() expects by construction (it
  // drafts the same bytes): checking it again here would only repeat the work; every reader does.
  const int number = s.revisions + 1;
  StagedFile(revision_path(s.dir, number), d.bytes).commit_new();

  Revision r;
  r.number = number;
  r.field = act.field;
  r.offset = s.size;
  r.size = d.bytes.size();
  r.cms_size = cms.size();
  r.timestamp = keeping.time();
  r.certificate_sha256 = to_hex(sto::sha256(certificate));
  r.certificate_pem = certificate_pem(credentials.certificate.get());
  update(state_->hash.get(), d.bytes);
  record(*state_, d.bytes.size(), static_cast<std::size_t>(field - s.pdf.fields.begin()), s.size + d.xref_at);
  r.sha256 = to_hex(digest_of(state_->hash.get()));
  return r;
}

int SignedContract::revisions() const { return state_->revisions; }
std::size_t SignedContract::size() const { return state_->size; }
std::string SignedContract::sha256() const { return to_hex(digest_of(state_->hash.get())); }

std::vector<std::string> SignedContract::fields() const {
  std::vector<std::string> out;
  for (const auto& f : state_->pdf.fields) out.push_back(f.name);
  return out;
}

std::vector<std::string> SignedContract::unsigned_fields() const {
  std::vector<std::string> out;
  for (const auto& f : state_->pdf.fields) {
    if (!f.is_signed) out.push_back(f.name);
  }
  return out;
}

std::string SignedContract::pdf() const {
  std::string out;
  out.reserve(state_->size);
  for (int n = 0; n <= state_->revisions; ++n) out += read_whole_file(revision_path(state_->dir, n));
  // The files are read again: they must still be the ones checked.
  if (out.size() != state_->size || to_hex(sto::sha256(out)) != sha256()) {
    throw Error(state_->dir.string() + " is veranderd sinds het gelezen werd");
  }
  return out;
}

namespace {

// Where revision 0 ends when the caller does not know: after the first "%%EOF" line whose prefix
// qpdf reads as a contract. A few candidates only: a stream may hold those bytes by chance, but
// not many times over, and each candidate costs a parse.
std::size_t revision0_end(std::string_view pdf) {
  std::string first_error = "geen %%EOF";
  std::size_t at = 0;
  for (int tries = 0; tries < 8; ++tries) {
    at = pdf.find("%%EOF\n", at);
    if (at == std::string_view::npos) break;
    at += 6;
    try {
      detail::read_structure(std::string(pdf.substr(0, at)));
      return at;
    } catch (const Error& e) {
      if (tries == 0) first_error = e.what();
    }
  }
  throw Error("geen revisie 0 van een contract gevonden: " + first_error);
}

}  // namespace

SignedPdf read_signed_pdf(std::string_view pdf, std::size_t revision0_size) {
  if (revision0_size == 0) revision0_size = revision0_end(pdf);
  if (revision0_size > pdf.size()) throw Error("het bestand is korter dan revisie 0");
  SignedPdf out;
  out.revision0_size = revision0_size;
  State s;
  const std::string_view r0 = pdf.substr(0, revision0_size);
  s.pdf = detail::read_structure(std::string(r0));
  for (const auto& f : s.pdf.fields) {
    if (f.is_signed) throw Error("revisie 0 bevat al een handtekening (" + f.name + ")");
    out.fields.push_back(f.name);
  }
  s.hash = MdContext(EVP_MD_CTX_new());
  if (!s.hash || EVP_DigestInit_ex(s.hash.get(), EVP_sha256(), nullptr) != 1) throw_openssl_error("SHA-256 mislukt");
  update(s.hash.get(), r0);
  s.size = r0.size();
  out.revision0_sha256 = to_hex(digest_of(s.hash.get()));
  out.bytes_hashed = r0.size();
  while (s.size < pdf.size()) {
    // A signing revision ends at the first "%%EOF" line after its /Contents: nothing it writes
    // after the hex digits holds those bytes (the appearance shows hex glyph ids). A wrong cut
    // could only make the exact comparison fail, never pass.
    const std::string_view rest = pdf.substr(s.size);
    const std::size_t open = rest.find("/Contents <");
    const std::size_t close = open == std::string_view::npos ? open : rest.find('>', open);
    const std::size_t eof = close == std::string_view::npos ? close : rest.find("%%EOF\n", close);
    SignedRevision r;
    r.number = s.revisions + 1;
    r.offset = s.size;
    try {
      if (eof == std::string_view::npos) {
        throw Error(open == std::string_view::npos ? "er staat geen handtekening (/Contents) in"
                                                   : "geen %%EOF na de /Contents");
      }
      const std::string_view bytes = rest.substr(0, eof + 6);
      const Absorbed a = absorb_unverified(s, bytes);
      r.field = s.pdf.fields[a.appended.field].name;
      r.size = bytes.size();
      r.gap_begin = r.offset + a.appended.contents_at;
      r.gap_end = r.offset + a.appended.contents_end;
      r.claimed = a.appended.time;
      r.cms = a.appended.cms;
      r.covered = a.covered;
      r.sha256 = to_hex(digest_of(s.hash.get()));
      out.bytes_hashed += a.hashed;
      out.revisions.push_back(std::move(r));
    } catch (const Error& e) {
      out.broken = (r.number == 1 ? std::string("na revisie 0") : "na revisie " + std::to_string(r.number - 1)) +
                   " volgen " + std::to_string(pdf.size() - r.offset) + " bytes (vanaf byte " +
                   std::to_string(r.offset) + ") die geen handtekeningrevisie zijn: " + e.what();
      out.broken_at = r.offset;
      return out;
    }
  }
  // As open() does: qpdf, reading the whole file strictly, must agree on what is signed.
  try {
    const detail::Structure whole = detail::read_structure(std::string(pdf));
    bool same = whole.fields.size() == s.pdf.fields.size();
    for (std::size_t i = 0; same && i < whole.fields.size(); ++i) {
      same = whole.fields[i].name == s.pdf.fields[i].name && whole.fields[i].is_signed == s.pdf.fields[i].is_signed;
    }
    if (!same) throw Error("qpdf leest andere velden of handtekeningen dan de revisies");
  } catch (const Error& e) {
    out.broken = std::string("het hele bestand: ") + e.what();
    out.broken_at = 0;
  }
  return out;
}

void SignedContract::write_pdf(const std::filesystem::path& path) const { write_file_atomically(path, pdf()); }

}  // namespace sto
