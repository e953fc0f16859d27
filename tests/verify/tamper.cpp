#include "tamper.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/file.h>
#include <unistd.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>

#include "run.h"

namespace sto::tamper {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

// What the cached demo was built from: the sto binary, the sample and the templates (which the
// binary reads at run time), by size and modification time.
std::string stamp() {
  std::ostringstream out;
  const auto add = [&](const fs::path& p) {
    out << p.string() << ' ' << fs::file_size(p) << ' ' << fs::last_write_time(p).time_since_epoch().count() << '\n';
  };
  add(STO_BINARY);
  add(fs::path(STO_SOURCE_DIR) / "samples" / "regio-groot-108.xml");
  std::vector<fs::path> templates;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(STO_SOURCE_DIR) / "templates")) {
    if (e.is_regular_file()) templates.push_back(e.path());
  }
  std::sort(templates.begin(), templates.end());
  for (const fs::path& p : templates) add(p);
  return out.str();
}

// Holds an exclusive flock on `path` while it lives.
class FileLock {
 public:
  explicit FileLock(const fs::path& path) : fd_(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) fail("cannot lock " + path.string());
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

 private:
  int fd_;
};

Demo build_demo() {
  const fs::path cache = STO_TAMPER_CACHE;
  fs::create_directories(cache.parent_path());
  FileLock lock(cache.string() + ".lock");
  Demo d;
  d.workspace = cache / "demo";
  d.archive = d.workspace / "archief";
  const std::string want = stamp();
  std::error_code ec;
  const bool fresh = fs::exists(cache / "stamp", ec) && read_file(cache / "stamp") == want &&
                     fs::exists(d.archive / "manifest.json", ec);
  if (!fresh) {
    fs::remove_all(cache);
    fs::create_directories(cache);
    const test::RunResult r = test::run_sto(
        {"demo", (fs::path(STO_SOURCE_DIR) / "samples" / "regio-groot-108.xml").string(), "-o", d.workspace.string()});
    if (r.exit_code != 0) fail("sto demo failed (" + std::to_string(r.exit_code) + "):\n" + r.out + r.err);
    write_file(cache / "stamp", want);  // last: only a complete demo is ever reused
  }
  d.fingerprint = fingerprint_of(d.archive / "ca.pem");
  return d;
}

std::size_t count_of(const Poco::JSON::Array::Ptr& array, const char* flag) {
  std::size_t n = 0;
  for (std::size_t i = 0; array && i < array->size(); ++i) {
    if (array->getObject(static_cast<unsigned>(i))->getValue<bool>(flag)) ++n;
  }
  return n;
}

PdfFacts read_facts(std::string pdf) {
  PdfFacts f;
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("contract.pdf", pdf.data(), pdf.size());
  QPDFObjectHandle trailer = q.getTrailer();
  f.root = trailer.getKey("/Root").getObjectID();
  f.info = trailer.getKey("/Info").getObjectID();
  f.size = trailer.getKey("/Size").getIntValueAsInt();
  // The raw /ID as the trailers write it (qpdf would re-encode the strings).
  const std::size_t id = pdf.rfind("/ID [");
  f.id = pdf.substr(id, pdf.find(']', id) + 1 - id);
  const std::size_t sx = pdf.rfind("startxref\n");
  f.startxref = std::stoul(pdf.substr(sx + 10));

  const std::map<QPDFObjGen, QPDFXRefEntry> xref = q.getXRefTable();
  const auto offset_of = [&](int object) {
    const auto e = xref.find(QPDFObjGen(object, 0));
    if (e == xref.end() || e->second.getType() != 1) fail("object " + std::to_string(object) + " not in the xref");
    return static_cast<std::size_t>(e->second.getOffset());
  };

  QPDFObjectHandle page = QPDFPageDocumentHelper(q).getAllPages().at(0).getObjectHandle();
  f.page1 = page.getObjectID();
  QPDFObjectHandle content = page.getKey("/Contents");
  if (content.isArray()) content = content.getArrayItem(0);
  f.page1_content = content.getObjectID();
  const std::size_t object_at = offset_of(f.page1_content);
  std::size_t data = pdf.find("stream", object_at) + 6;
  data += pdf[data] == '\r' ? 2 : 1;
  f.page1_stream = data;
  f.page1_length = static_cast<std::size_t>(content.getDict().getKey("/Length").getIntValue());
  QPDFObjectHandle copy = page.shallowCopy();
  if (copy.hasKey("/Annots")) {
    QPDFObjectHandle annots = copy.getKey("/Annots");
    for (int i = 0; i < annots.getArrayNItems(); ++i) {
      f.page1_annots += (i == 0 ? "" : " ") + annots.getArrayItem(i).unparse();
    }
    copy.removeKey("/Annots");
  }
  f.page1_dict = copy.unparse();
  f.info_offset = offset_of(f.info);

  f.pages = q.getRoot().getKey("/Pages").getObjectID();
  QPDFObjectHandle acroform = q.getRoot().getKey("/AcroForm");
  f.font = acroform.getKey("/DR").getKey("/Font").getKey("/StoRegular").getObjectID();
  f.revisions = read_signed_pdf(pdf).revisions;
  if (f.revisions.empty()) fail("contract.pdf has no signatures");
  QPDFObjectHandle fields = acroform.getKey("/Fields");
  for (int i = 0; i < fields.getArrayNItems(); ++i) {
    QPDFObjectHandle field = fields.getArrayItem(i);
    if (field.getKey("/T").getUTF8Value() != f.revisions[0].field) continue;
    QPDFObjectHandle ap = field.getKey("/AP").getKey("/N");
    f.appearance = ap.getObjectID();
    f.appearance_bbox = ap.getDict().getKey("/BBox").unparse();
    f.appearance_resources = ap.getDict().getKey("/Resources").unparse();
  }
  if (f.appearance == 0) fail("no appearance for " + f.revisions[0].field);
  f.pdf = std::move(pdf);
  return f;
}

}  // namespace

const Demo& demo() {
  static const Demo d = build_demo();
  return d;
}

const PdfFacts& pristine_facts() {
  static const PdfFacts f = read_facts(read_file(demo().archive / "contract.pdf"));
  return f;
}

VerifyRun run_verify(const fs::path& archive, const std::optional<std::string>& fingerprint) {
  std::vector<std::string> args{"verify", archive.string(), "--json"};
  if (fingerprint) {
    args.push_back("--ca-fingerprint");
    args.push_back(*fingerprint);
  }
  const test::RunResult r = test::run_sto(args);
  VerifyRun v;
  v.exit_code = r.exit_code;
  v.output = r.out + r.err;
  try {
    const auto root = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    v.verdict = root->getValue<std::string>("verdict");
    v.expected = root->getValue<std::size_t>("expected_signatures");
    const auto findings = root->getArray("findings");
    for (std::size_t i = 0; i < findings->size(); ++i) {
      const auto f = findings->getObject(static_cast<unsigned>(i));
      v.findings.push_back({f->getValue<std::string>("check"), f->getValue<std::string>("subject"),
                            f->getValue<std::string>("message"), f->getValue<std::string>("effect")});
    }
    const auto signatures = root->getArray("signatures");
    v.signatures = signatures->size();
    v.valid = count_of(signatures, "valid");
    const auto partners = root->getArray("partners");
    v.partners = partners->size();
    v.bound = count_of(partners, "bound");
  } catch (const std::exception& e) {
    v.verdict.clear();  // not JSON: the assertions on the verdict show the output
    v.output += std::string("\n(no JSON verdict: ") + e.what() + ")";
  }
  return v;
}

std::string describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) out += "  [" + f.check + "] " + f.subject + ": " + f.message + "\n";
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail("cannot write " + path.string());
}

std::string sha256_hex(std::string_view bytes) { return to_hex(sha256(bytes)); }

std::string fingerprint_of(const fs::path& pem) {
  const std::string text = read_file(pem);
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  X509* cert = bio != nullptr ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (cert == nullptr) fail("no certificate in " + pem.string());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  X509_digest(cert, EVP_sha256(), md, &n);
  X509_free(cert);
  std::string out;
  char hex[4];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%02X", md[i]);
    out += (i == 0 ? "" : ":") + std::string(hex);
  }
  return out;
}

void copy_archive(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::create_directories(to.parent_path());
  fs::copy(from, to, fs::copy_options::recursive);  // templates/ included
}

void rehash_manifest(const fs::path& archive, const std::string& file) {
  const auto root = Poco::JSON::Parser().parse(read_file(archive / "manifest.json")).extract<Poco::JSON::Object::Ptr>();
  const std::string recorded = root->getObject("files")->getValue<std::string>(file);
  // By its entry under "files": the contract's hash is in the manifest twice.
  edit_manifest(archive, "\"" + file + "\": \"" + recorded + "\"",
                "\"" + file + "\": \"" + sha256_hex(read_file(archive / file)) + "\"");
}

void edit_manifest(const fs::path& archive, const std::string& from, const std::string& to) {
  std::string text = read_file(archive / "manifest.json");
  const std::size_t at = text.find(from);
  if (at == std::string::npos || text.find(from, at + 1) != std::string::npos) {
    fail("manifest.json holds \"" + from + "\" not exactly once");
  }
  write_file(archive / "manifest.json", text.replace(at, from.size(), to));
}

std::string which(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

std::string incremental_update(const PdfFacts& facts, const std::vector<Object>& objects, int root) {
  std::string body = facts.pdf;
  std::map<int, std::size_t> offsets;
  int size = facts.size;
  for (const Object& o : objects) {
    body += '\n';
    offsets[o.number] = body.size();
    body += std::to_string(o.number) + " 0 obj\n" + o.body + "\nendobj\n";
    size = std::max(size, o.number + 1);
  }
  const std::size_t xref_at = body.size();
  body += "xref\n0 1\n0000000000 65535 f \n";
  char entry[64];
  for (const auto& [number, offset] : offsets) {
    std::snprintf(entry, sizeof entry, "%d 1\n%010zu 00000 n \n", number, offset);
    body += entry;
  }
  body += "trailer\n<< /Size " + std::to_string(size) + " /Root " + std::to_string(root != 0 ? root : facts.root) +
          " 0 R /Info " + std::to_string(facts.info) + " 0 R " + facts.id + " /Prev " +
          std::to_string(facts.startxref) + " >>\nstartxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
  return body;
}

std::string stream_object(std::string_view data, std::string_view dict_entries) {
  return "<< " + std::string(dict_entries) + (dict_entries.empty() ? "" : " ") + "/Length " +
         std::to_string(data.size()) + " >>\nstream\n" + std::string(data) + "\nendstream";
}

}  // namespace sto::tamper
