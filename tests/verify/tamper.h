// Test support for the tamper suite: the pristine archive (built once and shared), copies of it to
// mutate, `sto verify` run as an auditor runs it, and what a mutation needs to know of the PDF.
#pragma once

#include <cstddef>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sto/pades.h"
#include "sto/pki.h"

namespace sto::tamper {

namespace fs = std::filesystem;

// `sto demo samples/regio-groot-108.xml`, run once. ctest runs every case in its own process, so the
// demo is kept in the build tree (STO_TAMPER_CACHE) and rebuilt only when the sto binary or the
// sample changed; a lock makes parallel cases wait for the one that builds it.
struct Demo {
  fs::path workspace;       // the demo's workspace: pki/ holds the installation's CA and TSA with keys
  fs::path archive;         // workspace/archief, never modified
  std::string fingerprint;  // "AB:CD:…" of the archive's ca.pem, computed here with OpenSSL alone
};
const Demo& demo();

// One finding of `sto verify --json`.
struct Finding {
  std::string check;
  std::string subject;
  std::string message;
  std::string effect;
};

struct VerifyRun {
  int exit_code = -1;
  std::string verdict;
  std::vector<Finding> findings;
  std::size_t signatures = 0;  // listed in the report
  std::size_t valid = 0;       // of which valid
  std::size_t expected = 0;    // expected_signatures
  std::size_t partners = 0;
  std::size_t bound = 0;
  std::string output;  // stdout and stderr, for failure messages
};

// `sto verify DIR --json`, with --ca-fingerprint when `fingerprint` is given.
VerifyRun run_verify(const fs::path& archive, const std::optional<std::string>& fingerprint);

// The findings one per line, "[check] subject: message", for test output.
std::string describe(const std::vector<Finding>& findings);

std::string read_file(const fs::path& path);
void write_file(const fs::path& path, std::string_view bytes);
std::string sha256_hex(std::string_view bytes);
// "AB:CD:…" of the first certificate in the PEM file, by OpenSSL directly (not by sto).
std::string fingerprint_of(const fs::path& pem);

// A fresh copy of `from` (every file) in `to`, which is emptied first.
void copy_archive(const fs::path& from, const fs::path& to);
// Sets manifest.json's recorded SHA-256 of `file` to the file's current hash: the archive-level
// check is then blind to the change, and only the deep checks can see it.
void rehash_manifest(const fs::path& archive, const std::string& file);
// Replaces the text `from` (must occur exactly once) in manifest.json.
void edit_manifest(const fs::path& archive, const std::string& from, const std::string& to);

// The absolute path of `program` on $PATH (posix_spawn does not search it); empty when absent.
std::string which(const std::string& program);

// What the mutations need to know of the pristine contract.pdf: object numbers and offsets read
// with qpdf, the revisions with sto::read_signed_pdf.
struct PdfFacts {
  std::string pdf;  // the bytes
  int root = 0;
  int info = 0;
  int pages = 0;              // the catalog's /Pages
  int size = 0;               // the last trailer's /Size
  std::string id;             // the last trailer's "/ID [<…> <…>]"
  std::size_t startxref = 0;  // of the last xref section
  int page1 = 0;
  int page1_content = 0;             // page 1's (first) content stream
  std::size_t page1_stream = 0;      // offset of that stream's first data byte
  std::size_t page1_length = 0;      // its /Length
  std::string page1_dict;            // page 1's dictionary without /Annots, unparsed ("<< … >>")
  std::string page1_annots;          // its /Annots entries, unparsed ("6 0 R 7 0 R"), possibly empty
  std::size_t info_offset = 0;       // where object `info` begins
  int font = 0;                      // /AcroForm /DR /Font /StoRegular
  int appearance = 0;                // the /AP /N of the field revision 1 signed
  std::string appearance_bbox;       // its /BBox, unparsed
  std::string appearance_resources;  // its /Resources, unparsed
  std::vector<SignedRevision> revisions;
};
const PdfFacts& pristine_facts();  // of demo().archive / "contract.pdf", read once

// `pdf` with an incremental update appending `objects` (number, body) after it: classic xref
// section, trailer with /Prev and the same /Root, /Info and /ID (or `root` instead of /Root).
struct Object {
  int number = 0;
  std::string body;
};
std::string incremental_update(const PdfFacts& facts, const std::vector<Object>& objects, int root = 0);
// An uncompressed stream object body with `dict_entries` added to its dictionary.
std::string stream_object(std::string_view data, std::string_view dict_entries = {});

// The forgeries (forge.cpp). Each returns the DER of a CMS for revision `r`'s /Contents.
// `r`'s /Contents replaced by `der`, in upper-case hex padded with '0' to exactly its room, as the
// signing act writes it. Fails the test (throws) when `der` does not fit.
std::string with_contents(std::string pdf, const SignedRevision& r, std::string_view der);
// A CAdES signature over exactly `r`'s covered bytes by a fresh certificate of `pki` for `who`,
// timestamped by `pki`'s own TSA at `r`'s claimed time: what the signing act would have written.
std::string cms_signed_by(const Pki& pki, const SignerIdentity& who, const SignedRevision& r);
// Bytes of the DER CMS at the start of `cms` (a /Contents without its zero padding).
std::size_t der_size(std::string_view cms);
// `cms` with its timeStampToken replaced by the one in `donor` (both may carry zero padding);
// the signed attributes and the signature value are untouched.
std::string with_timestamp_of(std::string_view cms, std::string_view donor);
// The SignerIdentity the agreement in `archive` gives tekenbevoegde `id` (sto::signing_act).
SignerIdentity identity_of(const fs::path& archive, const std::string& id);

}  // namespace sto::tamper
