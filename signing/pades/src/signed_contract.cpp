// The chain of revisions on disk, and the signing act that appends one.
#include <openssl/evp.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

#include "appearance.h"
#include "cms.h"
#include "sto/atomic_file.h"
#include "sto/diagnostics.h"
#include "sto/pades.h"

namespace sto {

namespace {

using MdContext = std::unique_ptr<EVP_MD_CTX, ossl::Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

struct Field {
  std::string name;       // /T: the tekenbevoegde id
  std::string signed_by;  // /TU: the appearance text before the time
  int object = 0;
  int generation = 0;
  std::string dict;  // as revision 0 wrote it, nested references kept
  double width = 0;
  double height = 0;
  bool is_signed = false;
};

}  // namespace

struct SignedContract::State {
  std::filesystem::path dir;
  int revisions = 0;
  std::size_t size = 0;
  MdContext hash;  // SHA-256 over every byte so far
  std::size_t startxref = 0;
  int next_object = 0;  // the trailer's /Size
  int root_object = 0;
  int info_object = 0;
  std::string id0;  // first /ID element, raw
  int font_object = 0;
  detail::GlyphWidths widths;
  std::vector<Field> fields;
};

namespace {

std::filesystem::path revision_path(const std::filesystem::path& dir, int n) {
  std::array<char, 16> name{};
  std::snprintf(name.data(), name.size(), n == 0 ? "%04d.pdf" : "%04d.rev", n);
  return dir / name.data();
}

MdContext new_hash() {
  MdContext c(EVP_MD_CTX_new());
  if (!c || EVP_DigestInit_ex(c.get(), EVP_sha256(), nullptr) != 1) throw_openssl_error("SHA-256 starten mislukt");
  return c;
}

void update(EVP_MD_CTX* c, std::string_view bytes) {
  if (EVP_DigestUpdate(c, bytes.data(), bytes.size()) != 1) throw_openssl_error("SHA-256 mislukt");
}

// The digest so far, leaving `c` usable for more bytes.
std::string digest_of(EVP_MD_CTX* c, std::string_view more1 = {}, std::string_view more2 = {}) {
  MdContext copy(EVP_MD_CTX_new());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (!copy || EVP_MD_CTX_copy_ex(copy.get(), c) != 1) throw_openssl_error("SHA-256 kopiëren mislukt");
  update(copy.get(), more1);
  update(copy.get(), more2);
  if (EVP_DigestFinal_ex(copy.get(), digest.data(), &length) != 1) throw_openssl_error("SHA-256 mislukt");
  return {reinterpret_cast<const char*>(digest.data()), length};
}

// qpdf does not expose the last startxref: read it from the file's tail (ISO 32000-1 §7.5.5),
// checked, and require the classic xref table our appended sections continue.
std::size_t last_startxref(std::string_view pdf) {
  const std::size_t tail = pdf.size() > 1024 ? pdf.size() - 1024 : 0;
  const std::size_t at = pdf.rfind("startxref");
  if (at == std::string_view::npos || at < tail) throw Error("PDF zonder startxref aan het eind");
  std::size_t p = at + 9;
  while (p < pdf.size() && (pdf[p] == '\r' || pdf[p] == '\n' || pdf[p] == ' ')) ++p;
  std::size_t offset = 0;
  const auto [end, error] = std::from_chars(pdf.data() + p, pdf.data() + pdf.size(), offset);
  if (error != std::errc() || end == pdf.data() + p || offset >= pdf.size() || pdf.substr(offset, 4) != "xref") {
    throw Error("PDF met een ongeldige startxref (geen klassieke xref-tabel)");
  }
  return offset;
}

detail::GlyphWidths glyph_widths(QPDFObjectHandle font) {
  detail::GlyphWidths out;
  auto descendants = font.getKey("/DescendantFonts");
  if (!descendants.isArray() || descendants.getArrayNItems() < 1) throw Error("lettertype zonder DescendantFonts");
  auto cid_font = descendants.getArrayItem(0);
  if (cid_font.getKey("/DW").isNumber()) out.default_width = cid_font.getKey("/DW").getNumericValue();
  auto w = cid_font.getKey("/W");
  if (!w.isArray()) return out;
  const int n = w.getArrayNItems();
  // ISO 32000-1 §9.7.4.3: "c [w1 w2 …]" or "c_first c_last w".
  for (int i = 0; i + 1 < n;) {
    auto first = w.getArrayItem(i);
    auto next = w.getArrayItem(i + 1);
    if (!first.isInteger()) throw Error("ongeldige /W in het lettertype");
    const long long c = first.getIntValue();
    if (next.isArray()) {
      for (int k = 0; k < next.getArrayNItems(); ++k) {
        out.widths[static_cast<char32_t>(c + k)] = next.getArrayItem(k).getNumericValue();
      }
      i += 2;
    } else if (i + 2 < n && next.isInteger() && w.getArrayItem(i + 2).isNumber()) {
      const double width = w.getArrayItem(i + 2).getNumericValue();
      for (long long k = c; k <= next.getIntValue() && k - c < 0x10000; ++k)
        out.widths[static_cast<char32_t>(k)] = width;
      i += 3;
    } else {
      throw Error("ongeldige /W in het lettertype");
    }
  }
  return out;
}

// What signing needs of the PDF's structure, read once with qpdf.
void index(SignedContract::State& s, const std::string& pdf) {
  try {
    QPDF q;
    q.setSuppressWarnings(true);
    q.processMemoryFile("contract.pdf", pdf.data(), pdf.size());
    auto trailer = q.getTrailer();
    auto id = trailer.getKey("/ID");
    if (!trailer.getKey("/Size").isInteger() || !trailer.getKey("/Info").isIndirect() || !id.isArray() ||
        id.getArrayNItems() != 2 || !id.getArrayItem(0).isString()) {
      throw Error("PDF-trailer zonder /Size, /Info of /ID");
    }
    s.next_object = trailer.getKey("/Size").getIntValueAsInt();
    s.root_object = q.getRoot().getObjectID();
    s.info_object = trailer.getKey("/Info").getObjectID();
    s.id0 = id.getArrayItem(0).getStringValue();
    auto form = q.getRoot().getKey("/AcroForm");
    auto font = form.getKey("/DR").getKey("/Font").getKey("/StoRegular");
    if (!form.getKey("/Fields").isArray() || !font.isIndirect()) {
      throw Error("PDF zonder handtekeningvelden of zonder /DR /StoRegular (niet door sto render gemaakt)");
    }
    s.font_object = font.getObjectID();
    s.widths = glyph_widths(font);
    s.fields.clear();
    for (auto field : form.getKey("/Fields").aitems()) {
      if (!field.isIndirect() || !field.getKey("/FT").isNameAndEquals("/Sig") || !field.getKey("/T").isString()) {
        throw Error("PDF met een veld dat geen handtekeningveld is");
      }
      Field f;
      f.name = field.getKey("/T").getUTF8Value();
      f.signed_by = field.getKey("/TU").isString() ? field.getKey("/TU").getUTF8Value() : f.name;
      f.object = field.getObjectID();
      f.generation = field.getGeneration();
      f.is_signed = !field.getKey("/V").isNull();
      if (!f.is_signed) {
        if (field.hasKey("/AP")) throw Error("leeg handtekeningveld " + f.name + " heeft al een weergave");
        f.dict = field.unparseResolved();
      }
      auto rect = field.getKey("/Rect");
      if (!rect.isArray() || rect.getArrayNItems() != 4) throw Error("handtekeningveld " + f.name + " zonder /Rect");
      f.width = std::abs(rect.getArrayItem(2).getNumericValue() - rect.getArrayItem(0).getNumericValue());
      f.height = std::abs(rect.getArrayItem(3).getNumericValue() - rect.getArrayItem(1).getNumericValue());
      s.fields.push_back(std::move(f));
    }
    if (s.fields.empty()) throw Error("PDF zonder handtekeningvelden");
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string("PDF lezen mislukt: ") + e.what());
  }
  s.startxref = last_startxref(pdf);
}

// Reads revisions from(0-based) onwards; returns the whole file when from == 0.
void load(SignedContract::State& s) {
  std::string pdf;
  s.hash = new_hash();
  int n = 0;
  for (; std::filesystem::exists(revision_path(s.dir, n)); ++n) {
    const std::string bytes = read_whole_file(revision_path(s.dir, n));
    update(s.hash.get(), bytes);
    pdf += bytes;
  }
  if (n == 0) throw Error(s.dir.string() + " bevat geen contract (0000.pdf ontbreekt)");
  s.revisions = n - 1;
  s.size = pdf.size();
  index(s, pdf);
}

std::string pdf_date(std::time_t time) {
  std::tm t{};
  gmtime_r(&time, &t);
  std::array<char, 80> text{};
  std::snprintf(text.data(), text.size(), "D:%04d%02d%02d%02d%02d%02dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                t.tm_hour, t.tm_min, t.tm_sec);
  return text.data();
}

std::string upper_hex(std::string_view bytes) {
  std::string h = to_hex(bytes);
  std::transform(h.begin(), h.end(), h.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
  return h;
}

std::string ref(int object) { return std::to_string(object) + " 0 R"; }

// The bytes one signing act appends, with the /ByteRange and /Contents placeholders.
struct Draft {
  std::string bytes;
  std::size_t byte_range_at = 0;  // offsets within `bytes`
  std::size_t contents_at = 0;    // of the '<'
  std::size_t contents_end = 0;   // just past the '>'
  std::size_t xref_at = 0;
  int new_size = 0;
};

// pyHanko, PDFBox and iText all reserve a space-padded "[0 0 0 0]" and overwrite it in place.
constexpr std::size_t kByteRangeWidth = 48;

Draft draft_revision(const SignedContract::State& s, const Field& field, std::time_t time) {
  const int sig = s.next_object;
  const int appearance = s.next_object + 1;
  const std::string stream = detail::appearance_stream(field.signed_by + ", " + detail::appearance_time(time),
                                                       field.width, field.height, s.widths);
  Draft d;
  std::vector<std::pair<int, std::size_t>> offsets;
  std::string& b = d.bytes;
  b = "\n";
  offsets.emplace_back(sig, s.size + b.size());
  b += std::to_string(sig) + " 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (" +
       pdf_date(time) + ")\n/ByteRange ";
  d.byte_range_at = b.size();
  b += "[0 0 0 0]" + std::string(kByteRangeWidth - 9, ' ') + "\n/Contents ";
  d.contents_at = b.size();
  b += "<" + std::string(2 * kSignatureReserve, '0') + ">";
  d.contents_end = b.size();
  b += " >>\nendobj\n";
  offsets.emplace_back(appearance, s.size + b.size());
  b += std::to_string(appearance) + " 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 " +
       detail::pdf_number(field.width) + " " + detail::pdf_number(field.height) + "] /Resources << /Font << /F1 " +
       ref(s.font_object) + " >> >> /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream +
       "endstream\nendobj\n";
  // The field, rewritten under its own number: revision 0's dictionary plus /V and /AP.
  std::string dict = field.dict;
  const std::size_t close = dict.rfind(">>");
  if (close == std::string::npos) throw Error("handtekeningveld " + field.name + " is geen woordenboek");
  dict.insert(close, "/V " + ref(sig) + " /AP << /N " + ref(appearance) + " >> ");
  offsets.emplace_back(field.object, s.size + b.size());
  b += std::to_string(field.object) + " " + std::to_string(field.generation) + " obj\n" + dict + "\nendobj\n";

  // xref: one subsection per run of consecutive numbers; entries of exactly 20 bytes.
  std::sort(offsets.begin(), offsets.end());
  d.xref_at = b.size();
  b += "xref\n0 1\n0000000000 65535 f \n";
  for (std::size_t i = 0; i < offsets.size();) {
    std::size_t j = i;
    while (j + 1 < offsets.size() && offsets[j + 1].first == offsets[j].first + 1) ++j;
    b += std::to_string(offsets[i].first) + " " + std::to_string(j - i + 1) + "\n";
    for (std::size_t k = i; k <= j; ++k) {
      std::array<char, 24> entry{};
      const int gen = offsets[k].first == field.object ? field.generation : 0;
      std::snprintf(entry.data(), entry.size(), "%010zu %05d n \n", offsets[k].second, gen);
      b += entry.data();
    }
    i = j + 1;
  }
  d.new_size = s.next_object + 2;
  // /ID: the first element stays (the document's identity); the second changes per revision.
  const std::string id1 = sha256(digest_of(s.hash.get()) + field.name + pdf_date(time)).substr(0, 16);
  b += "trailer\n<< /Size " + std::to_string(d.new_size) + " /Root " + ref(s.root_object) + " /Info " +
       ref(s.info_object) + " /ID [<" + upper_hex(s.id0) + "> <" + upper_hex(id1) + ">] /Prev " +
       std::to_string(s.startxref) + " >>\nstartxref\n" + std::to_string(s.size + d.xref_at) + "\n%%EOF\n";
  return d;
}

}  // namespace

SigningAct signing_act(const Agreement& agreement, std::string_view id, std::time_t time) {
  for (const Partner& partner : agreement.partners) {
    for (const Tekenbevoegde& t : partner.tekenbevoegden) {
      if (t.id != id) continue;
      return {t.id, {t.naam, t.functie, partner.naam.value, partner.kvk ? partner.kvk->value : "", t.email}, time};
    }
  }
  throw Error("de overeenkomst heeft geen tekenbevoegde " + std::string(id));
}

SignedContract::SignedContract(std::unique_ptr<State> state) : state_(std::move(state)) {}
SignedContract::SignedContract(SignedContract&&) noexcept = default;
SignedContract& SignedContract::operator=(SignedContract&&) noexcept = default;
SignedContract::~SignedContract() = default;

SignedContract SignedContract::create(const std::filesystem::path& dir, std::string_view revision0) {
  auto s = std::make_unique<State>();
  s->dir = dir;
  s->hash = new_hash();
  update(s->hash.get(), revision0);
  s->size = revision0.size();
  index(*s, std::string(revision0));  // refuses a PDF without empty signature fields
  std::filesystem::create_directories(dir);
  StagedFile(revision_path(dir, 0), revision0).commit_new();
  return SignedContract(std::move(s));
}

SignedContract SignedContract::open(const std::filesystem::path& dir) {
  auto s = std::make_unique<State>();
  s->dir = dir;
  load(*s);
  return SignedContract(std::move(s));
}

void SignedContract::refresh() {
  // Rare (two servers signing one contract): reading everything again is simplest and exact.
  if (std::filesystem::exists(revision_path(state_->dir, state_->revisions + 1))) load(*state_);
}

Revision SignedContract::sign(const SigningAct& act, const Pki& pki, TimestampAuthority& tsa) {
  refresh();
  State& s = *state_;
  const auto field =
      std::find_if(s.fields.begin(), s.fields.end(), [&](const Field& f) { return f.name == act.field; });
  if (field == s.fields.end()) throw Error("het contract heeft geen handtekeningveld " + act.field);
  if (field->is_signed) throw Error("handtekeningveld " + act.field + " is al ondertekend");

  Draft d = draft_revision(s, *field, act.time);
  const std::size_t a = s.size + d.contents_at;
  const std::size_t b = s.size + d.contents_end;
  const std::size_t c = s.size + d.bytes.size() - b;
  std::string byte_range = "[0 " + std::to_string(a) + " " + std::to_string(b) + " " + std::to_string(c) + "]";
  byte_range.resize(kByteRangeWidth, ' ');  // 4 numbers below 10^10 always fit
  d.bytes.replace(d.byte_range_at, kByteRangeWidth, byte_range);
  const std::string_view draft = d.bytes;
  const std::string digest = digest_of(s.hash.get(), draft.substr(0, d.contents_at), draft.substr(d.contents_end));

  const SignerCredentials credentials = pki.issue(act.signer, act.time);
  const std::string cms = detail::cades_detached(digest, credentials, pki.ca(), tsa);
  if (cms.size() > kSignatureReserve) {
    throw Error("de handtekening (" + std::to_string(cms.size()) + " bytes) past niet in de gereserveerde " +
                std::to_string(kSignatureReserve) + " bytes");
  }
  const std::string hex = upper_hex(cms);
  d.bytes.replace(d.contents_at + 1, hex.size(), hex);  // the rest stays '0': DER ignores the padding

  const int number = s.revisions + 1;
  StagedFile(revision_path(s.dir, number), d.bytes).commit_new();

  Revision r;
  r.number = number;
  r.field = act.field;
  r.offset = s.size;
  r.size = d.bytes.size();
  r.cms_size = cms.size();
  r.certificate_sha256 = to_hex(sto::sha256(certificate_der(credentials.certificate.get())));
  r.certificate_pem = certificate_pem(credentials.certificate.get());
  update(s.hash.get(), d.bytes);
  s.size += d.bytes.size();
  s.startxref = r.offset + d.xref_at;
  s.next_object = d.new_size;
  s.revisions = number;
  field->is_signed = true;
  r.sha256 = to_hex(digest_of(s.hash.get()));
  return r;
}

int SignedContract::revisions() const { return state_->revisions; }
std::size_t SignedContract::size() const { return state_->size; }
std::string SignedContract::sha256() const { return to_hex(digest_of(state_->hash.get())); }

std::vector<std::string> SignedContract::fields() const {
  std::vector<std::string> out;
  for (const auto& f : state_->fields) out.push_back(f.name);
  return out;
}

std::vector<std::string> SignedContract::unsigned_fields() const {
  std::vector<std::string> out;
  for (const auto& f : state_->fields) {
    if (!f.is_signed) out.push_back(f.name);
  }
  return out;
}

std::string SignedContract::pdf() const {
  std::string out;
  out.reserve(state_->size);
  for (int n = 0; n <= state_->revisions; ++n) out += read_whole_file(revision_path(state_->dir, n));
  if (out.size() != state_->size) throw Error(state_->dir.string() + " is veranderd terwijl het gelezen werd");
  return out;
}

void SignedContract::write_pdf(const std::filesystem::path& path) const { write_file_atomically(path, pdf()); }

}  // namespace sto
