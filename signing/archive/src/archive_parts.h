// Private to signing/archive: the parts export (export.cpp) and verification (check.cpp) share.
// Both build the bewijsdossier's data from the archive's files by the same function
// (dossier_data), so verification can re-render it byte for byte.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dossier.h"
#include "sto/agreement.h"
#include "sto/pades.h"
#include "sto/store.h"
#include "sto/verify.h"

namespace sto::detail {

// The files an archive holds besides manifest.json, in the order the manifest lists them.
constexpr std::array<const char*, 8> kFiles = {
    "agreement.xml", "contract.pdf", "audit.jsonl", "audit-tijdstempels.jsonl",
    "ca.pem",        "tsa.pem",      "README.txt",  "bewijsdossier.pdf"};

// audit-tijdstempels.jsonl: one line per RFC 3161 timestamp over the audit chain's head (sto/store.h
// AuditTimestampRecord), {"head": hex, "seq": n, "token": hex of the DER}, canonical (sto/audit.h).
std::string audit_timestamps_jsonl(const std::vector<AuditTimestampRecord>& timestamps);

using Files = std::map<std::string, std::string>;

// Who signs the bewijsdossier: the installation itself.
const SignerIdentity& installation();

// An amendment the archive holds (wijzigingen/<nummer>/: wijziging.xml, contract.pdf, templates/).
struct ManifestWijziging {
  std::int64_t nummer = 0;
  std::string soort;
};

inline constexpr std::int64_t kWijzigingMax = std::int64_t{1} << 31;  // the reader's limit for a number

// "wijzigingen/<nummer>/<name>"
std::string amendment_file(std::int64_t nummer, std::string_view name);

// What the archive records of how it was made.
struct Manifest {
  std::string kenmerk;
  std::int64_t versie = 0;
  std::string exported;
  std::string producer;
  std::map<std::string, std::string> templates;  // "templates/…" -> SHA-256 hex: what revision 0 was made from
  std::string audit_head;
  std::size_t audit_length = 0;
  std::string ca_fingerprint;
  std::string contract_sha256;
  std::string revision0_sha256;
  std::size_t revisions = 0;
  std::map<std::string, std::string> files;    // name -> SHA-256 hex
  std::vector<ManifestWijziging> wijzigingen;  // in order; their files are in `files` and `templates`
};

// manifest.json for `m` and the verdict `v` on the contract (manifest.cpp).
std::string manifest_json(const Manifest& m, const Verdict& v);
// Reads manifest.json; throws sto::Error when it is not one.
Manifest read_manifest(const std::string& text);

// The bewijsdossier's data: from the archive's files, the verdict on them and the manifest
// (dossier_data.cpp).
DossierData dossier_data(const Agreement& a, const Verdict& v, const Files& f, const Manifest& m);

// --- files.cpp ---
// A file of the archive, as long as it is a plain file of a plausible size: an archive is input,
// and a FIFO (which would block), a link to /dev/zero or a huge file must be a finding, not a
// hang. Throws sto::Error saying what is wrong with it.
std::string read_archive_file(const std::filesystem::path& dir, const std::string& name);
// Whether the archive's templates/ can be rendered from: every entry, at any depth, a plain file
// or folder (no link, FIFO or device: validation reads every regulation file it finds), exactly
// the files manifest.json lists, each as recorded. Adds a finding per problem to `problems`.
// `folder`: "templates", or an amendment's "wijzigingen/<n>/templates".
bool archive_templates_sound(const std::filesystem::path& dir, const Manifest& m, const std::string& folder,
                             std::vector<Bevinding>& problems);
// What sto/verify.h checks of the contract, from the archive's files.
VerifyInput contract_input(const Files& f, const Manifest& m, const std::filesystem::path& templates_dir);
// --- amendments.cpp ---
// The amendments the manifest lists, each verified as the contract is (sto/verify.h with
// VerifyInput::wijziging; `contract` is the contract's input, `templates` per number where its
// templates are) after the contract's verdict `v`, and their chain: numbers in order, each naming
// contract.pdf and the amendment before it by SHA-256, in effect after what precedes it, and
// every amendment audit.jsonl calls completed present. Adds a WijzigingReport each, and findings.
void verify_amendments(const Files& f, const Manifest& m,
                       const std::map<std::int64_t, std::filesystem::path>& templates, const VerifyInput& contract,
                       Verdict& v);

// The agreement in `xml` when it is valid with the regulations under `templates_dir`.
std::optional<Agreement> agreement_of(const std::string& xml, const std::filesystem::path& templates_dir);

}  // namespace sto::detail
