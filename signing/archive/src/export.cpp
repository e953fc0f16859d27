// sto export: a locked snapshot of the agreement, judged, then written with its signed
// bewijsdossier into a private folder that takes the archive's name in one step.
#include <unistd.h>

#include <random>

#include "archive_parts.h"
#include "sto/archive.h"
#include "sto/atomic_file.h"
#include "sto/audit.h"
#include "sto/diagnostics.h"
#include "sto/render.h"

namespace sto {

namespace fs = std::filesystem;
using namespace detail;

namespace {

std::string readme(const fs::path& templates_dir, const Agreement& a, const Manifest& m, std::size_t signatures) {
  std::string text = read_whole_file(templates_dir / "archief" / "README.txt");
  const std::map<std::string, std::string> values = {{"kenmerk", a.kenmerk},
                                                     {"versie", std::to_string(a.versie)},
                                                     {"regio", a.regio.nummer + " " + a.regio.naam},
                                                     {"exported", m.exported},
                                                     {"producer", m.producer},
                                                     {"ca_fingerprint", m.ca_fingerprint},
                                                     {"handtekeningen", std::to_string(signatures)}};
  for (const auto& [key, value] : values) {
    const std::string placeholder = "${" + key + "}";
    for (std::size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
      text.replace(at, placeholder.size(), value);
    }
  }
  return text;
}

// Revision 0 of the bewijsdossier signed by the installation, in a scratch chain under `scratch`.
std::string signed_dossier(const std::string& revision0, Werkruimte& w, const fs::path& scratch) {
  SignedContract chain = SignedContract::create(scratch, revision0);
  chain.sign({detail::kDossierField, installation(), w.now(), std::nullopt}, w.pki(), w.tsa());
  std::string pdf = chain.pdf();
  fs::remove_all(scratch);
  return pdf;
}

// The signed PDF in `dir` as far as the database recorded it (`recorded` revisions): a revision
// written by an act whose commit failed is on disk, but in no record; the next act removes it.
std::string recorded_pdf(const fs::path& dir, std::int64_t recorded_revisions) {
  const SignedContract chain = SignedContract::open(dir);
  std::string pdf = chain.pdf();
  const auto recorded = static_cast<std::size_t>(recorded_revisions);
  if (static_cast<std::size_t>(chain.revisions()) > recorded) {  // rare: only then find where to cut
    const SignedPdf read = read_signed_pdf(pdf);
    pdf.resize(recorded == 0 ? read.revision0_size
                             : read.revisions[recorded - 1].offset + read.revisions[recorded - 1].size);
  }
  return pdf;
}

}  // namespace

ExportResult export_archive(Werkruimte& w, const std::string& kenmerk, const fs::path& dir_as_given,
                            const fs::path& templates_dir) {
  // "-o archief/" names the folder "archief", not an empty name inside it.
  fs::path dir = fs::absolute(dir_as_given).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  std::error_code ec;
  if (fs::exists(dir) && !fs::is_empty(dir, ec)) throw Error(dir.string() + " bestaat al en is niet leeg");
  if (!w.store().latest_version(kenmerk)) throw Refusal("geen overeenkomst met kenmerk " + kenmerk);

  // A snapshot: the agreement's lock keeps signing acts out while the files are read, and the
  // contract is cut to the revisions the database recorded (a revision written by an act whose
  // commit failed is on disk, but in no record; the next act removes it).
  Files f;
  Manifest m;
  fs::path contract_dir;
  std::map<std::int64_t, fs::path> amendment_dirs;
  w.store().transact(kenmerk, [&](Store::Transaction& lock) {
    f.clear();
    m = Manifest{};
    amendment_dirs.clear();
    // The contract; its amendments (docs/amendment-format.md) are documents of their own.
    const auto version = lock.latest_contract();
    if (!version) throw Refusal("geen overeenkomst met kenmerk " + kenmerk);
    f["agreement.xml"] = lock.agreement_xml(version->id);
    // Read on the lock's own connection and from the files: another connection could be the one
    // this process does not have (database.connections = 1).
    contract_dir = w.dir() / version->contract_dir;
    f["contract.pdf"] = recorded_pdf(contract_dir, version->revisions);
    // Its completed amendments, in order; one open or revoked never took effect (the log has it).
    for (const VersionRecord& a : lock.versions()) {
      if (a.wijziging == 0 || a.versie != version->versie || a.id < version->id) continue;
      if (a.state != VersionState::completed) continue;
      const std::string xml = lock.agreement_xml(a.id);
      const WijzigingRead read = read_wijziging(xml, "wijziging.xml");
      if (!read.parsed || !read.wijziging.soort || read.wijziging.xml_sha256 != a.xml_sha256) {
        throw Error("de opgeslagen wijziging " + std::to_string(a.wijziging) + " van " + kenmerk + " is onleesbaar");
      }
      f[amendment_file(a.wijziging, "wijziging.xml")] = xml;
      f[amendment_file(a.wijziging, "contract.pdf")] = recorded_pdf(w.dir() / a.contract_dir, a.revisions);
      m.wijzigingen.push_back({a.wijziging, std::string(to_string(*read.wijziging.soort))});
      amendment_dirs[a.wijziging] = w.dir() / a.contract_dir / kTemplatesCopy;
    }
    for (const AuditRecord& r : lock.audit()) {
      f["audit.jsonl"] += jsonl_line(r) + "\n";
      m.audit_head = r.hash;
      ++m.audit_length;
    }
    f["audit-tijdstempels.jsonl"] = audit_timestamps_jsonl(lock.audit_timestamps());
  });
  if (m.audit_length == 0) m.audit_head = std::string(kAuditGenesis);
  f["ca.pem"] = w.pki().ca_pem();
  // Checked against every TSA the workspace ever trusted; the archive keeps those that signed a
  // token in it (below).
  f["tsa.pem"] = w.tsa_certificates();
  // The templates, fonts and regulations the contract was made from: the copy kept when it was
  // opened; for a version opened before copies were kept, the installed ones.
  const fs::path made_from =
      fs::exists(contract_dir / kTemplatesCopy) ? contract_dir / kTemplatesCopy : fs::path(templates_dir);
  const auto agreement = agreement_of(f["agreement.xml"], made_from);
  if (!agreement) throw Error("de opgeslagen agreement.xml van " + kenmerk + " is niet (meer) geldig met deze regels");
  for (const fs::path& file : contract_inputs(made_from, agreement->taal)) {
    const std::string name = "templates/" + file.generic_string();
    f[name] = read_whole_file(made_from / file);
    m.templates[name] = to_hex(sha256(f[name]));
  }
  m.kenmerk = kenmerk;
  m.versie = agreement->versie;
  m.exported = utc_text(w.now());
  m.producer = producer();
  m.ca_fingerprint = normalize_fingerprint(w.ca_fingerprint());

  // Each amendment's templates, regulations and fonts: the copy kept when it was opened.
  for (const ManifestWijziging& a : m.wijzigingen) {
    const auto taal = read_wijziging(f.at(amendment_file(a.nummer, "wijziging.xml")), "wijziging.xml").wijziging.taal;
    for (const fs::path& file : contract_inputs(amendment_dirs.at(a.nummer), taal, true)) {
      const std::string name = amendment_file(a.nummer, "templates/" + file.generic_string());
      f[name] = read_whole_file(amendment_dirs.at(a.nummer) / file);
      m.templates[name] = to_hex(sha256(f[name]));
    }
  }

  VerifyInput in = contract_input(f, m, made_from);
  in.ca_fingerprint = m.ca_fingerprint;
  ExportResult result{verify(in), 0};
  verify_amendments(f, m, amendment_dirs, in, result.verdict);
  // The installation signs what the archive says: never a contract it finds broken itself.
  if (result.verdict.oordeel == Oordeel::broken) {
    std::string why;
    for (const Bevinding& b : result.verdict.findings) {
      if (b.effect == Oordeel::broken && why.size() < 600)
        why += "\n  [" + b.check + "] " + b.subject + ": " + b.message;
    }
    throw Refusal("het contract van " + kenmerk + " is niet ongeschonden; geen archief geschreven:" + why);
  }
  // tsa.pem: the certificate of every TSA that signed a token in the archive, taken from the
  // tokens, and the one that will timestamp the bewijsdossier.
  f["tsa.pem"] = timestamp_certificates(result.verdict);
  if (f["tsa.pem"].find(w.tsa().certificate_pem()) == std::string::npos) f["tsa.pem"] += w.tsa().certificate_pem();

  // Staged beside `dir`, renamed into place: never half an archive under its name.
  const fs::path parent = fs::absolute(dir).parent_path();
  fs::create_directories(parent);
  const fs::path staging = parent / ("." + dir.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(std::random_device{}()));
  fs::create_directory(staging);
  // The archive holds e-mail and IP addresses: the owner hands it over, nobody else reads it here.
  fs::permissions(staging, fs::perms::owner_all, fs::perm_options::replace);
  try {
    f["README.txt"] = readme(templates_dir, *agreement, m, result.verdict.signatures.size());
    const std::string dossier0 = detail::render_dossier(dossier_data(*agreement, result.verdict, f, m), made_from);
    f["bewijsdossier.pdf"] = signed_dossier(dossier0, w, staging / ".bewijsdossier");
    // contract.pdf was hashed in the verdict's one pass: not again.
    for (const char* name : kFiles) {
      m.files[name] =
          name == std::string_view("contract.pdf") ? result.verdict.contract_sha256 : to_hex(sha256(f.at(name)));
    }
    for (const WijzigingReport& a : result.verdict.wijzigingen) {
      m.files[amendment_file(a.nummer, "wijziging.xml")] = a.xml_sha256;
      m.files[amendment_file(a.nummer, "contract.pdf")] = a.pdf_sha256;
    }
    f["manifest.json"] = manifest_json(m, result.verdict);
    for (const auto& [name, bytes] : f) {
      fs::create_directories((staging / name).parent_path());
      write_file_atomically(staging / name, bytes, Access::owner_only);
    }
    if (fs::exists(dir)) fs::remove(dir);  // empty, checked above
    fs::rename(staging, dir);
    result.files = f.size();
    sync_parent_directory(dir);
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  return result;
}

}  // namespace sto
