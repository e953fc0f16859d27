// The verdict on an archive: its files against the manifest, the contract, and the
// bewijsdossier re-rendered from the files.
#include <algorithm>

#include "archive_parts.h"
#include "sto/archive.h"
#include "sto/diagnostics.h"

namespace sto {

namespace fs = std::filesystem;
using namespace detail;

Verdict verify_archive(const fs::path& dir, const ArchiveCheck& check) {
  std::vector<Bevinding> problems;
  std::vector<std::string> notes;
  Files f;
  Manifest m;
  std::string manifest;
  const auto check_recorded = [&](const std::string& name, const std::string& actual) {
    const auto recorded = m.files.find(name);
    if (recorded == m.files.end()) {
      if (!m.files.empty()) problems.push_back({"archief", name, "staat niet in manifest.json"});
    } else if (recorded->second != actual) {
      problems.push_back(
          {"archief", name, "is gewijzigd: SHA-256 " + actual + ", manifest.json noemt " + recorded->second});
    }
  };
  try {
    manifest = read_archive_file(dir, "manifest.json");
    m = read_manifest(manifest);
  } catch (const Error& e) {
    problems.push_back({"archief", "manifest.json", e.what()});
  }
  for (const char* name : kFiles) {
    try {
      f[name] = read_archive_file(dir, name);
    } catch (const Error& e) {
      problems.push_back({"archief", name, e.what()});
      f[name] = "";
      continue;
    }
    // contract.pdf is hashed once, by the verdict's reading (below).
    if (name != std::string_view("contract.pdf")) check_recorded(name, to_hex(sha256(f[name])));
  }

  // The amendments' own files (contract.pdf is hashed once, by its verdict's reading).
  std::map<std::int64_t, fs::path> amendment_templates;
  for (const ManifestWijziging& w : m.wijzigingen) {
    for (const char* name : {"wijziging.xml", "contract.pdf"}) {
      const std::string file = amendment_file(w.nummer, name);
      try {
        f[file] = read_archive_file(dir, file);
        if (name == std::string_view("wijziging.xml")) check_recorded(file, to_hex(sha256(f[file])));
      } catch (const Error& e) {
        problems.push_back({"archief", file, e.what()});
      }
    }
    const std::string folder = amendment_file(w.nummer, "templates");
    if (archive_templates_sound(dir, m, folder, problems)) amendment_templates[w.nummer] = dir / folder;
  }
  // A folder of amendments the manifest does not list was added afterwards.
  std::error_code listing;
  for (const auto& entry : fs::directory_iterator(dir / "wijzigingen", listing)) {
    const std::string name = entry.path().filename().string();
    const bool listed = std::any_of(m.wijzigingen.begin(), m.wijzigingen.end(),
                                    [&](const ManifestWijziging& w) { return std::to_string(w.nummer) == name; });
    if (!listed) problems.push_back({"archief", "wijzigingen/" + name, "staat niet in manifest.json"});
  }

  // The templates the contract was made from, as the archive carries them; an archive without
  // them (none so far) is rendered with the installed ones.
  fs::path templates = check.templates_dir;
  if (m.templates.empty()) {
    notes.push_back("het archief bevat geen templates: revisie 0 is gerenderd met de geïnstalleerde");
  } else if (archive_templates_sound(dir, m, "templates", problems)) {
    templates = dir / "templates";
  }
  VerifyInput in = contract_input(f, m, templates);
  if (m.audit_head.empty()) in.audit_head.reset();
  if (!check.ca_pem.empty()) in.ca_pem = check.ca_pem;
  // The auditor's own copy of the CA is trusted as such.
  in.ca_fingerprint = check.ca_fingerprint.empty() ? certificate_fingerprint(check.ca_pem) : check.ca_fingerprint;
  Verdict v = verify(in);
  if (!f["contract.pdf"].empty()) check_recorded("contract.pdf", v.contract_sha256);
  verify_amendments(f, m, amendment_templates, in, v);
  for (Bevinding& p : problems) add_finding(v, std::move(p));
  v.notes.insert(v.notes.end(), notes.begin(), notes.end());

  // What the manifest says of the files must be what they are: an auditor may read it alone.
  const auto agreement = agreement_of(f["agreement.xml"], templates);
  if (!manifest.empty() && !m.files.empty()) {
    const auto compare = [&](const char* what, const std::string& said, const std::string& is) {
      if (said != is)
        add_finding(v,
                    {"archief", "manifest.json", std::string(what) + ": noemt " + said + ", het archief heeft " + is});
    };
    if (agreement) {
      compare("kenmerk", m.kenmerk, agreement->kenmerk);
      compare("versie", std::to_string(m.versie), std::to_string(agreement->versie));
    }
    compare("ca_fingerprint", normalize_fingerprint(m.ca_fingerprint), certificate_fingerprint(f["ca.pem"]));
    compare("contract.sha256", m.contract_sha256, v.contract_sha256);
    compare("contract.revision0_sha256", m.revision0_sha256, v.revision0_sha256);
    compare("contract.revisions", std::to_string(m.revisions), std::to_string(v.signatures.size()));
    compare("audit.length", std::to_string(m.audit_length), std::to_string(v.audit_length));
  }

  // The bewijsdossier: what the archive proves, re-rendered, and signed by the installation.
  // Not from a log whose chain is broken: what it would print is already known to be false (and
  // such a log may be made huge to make the report so).
  const bool log_broken = std::any_of(v.findings.begin(), v.findings.end(), [](const Bevinding& b) {
    return b.check == "audit" && b.effect == Oordeel::broken;
  });
  if (log_broken) {
    add_finding(v, {"bewijsdossier", "bewijsdossier.pdf", "niet gecontroleerd: het audit-log is niet heel"});
  } else if (!agreement || f["bewijsdossier.pdf"].empty()) {
    add_finding(
        v, {"bewijsdossier", "bewijsdossier.pdf", "niet te controleren (geen geldige agreement.xml of geen dossier)"});
  } else {
    try {
      const std::string dossier0 = detail::render_dossier(dossier_data(*agreement, v, f, m), templates);
      for (std::string& p :
           verify_installation_document(f["bewijsdossier.pdf"], dossier0, detail::kDossierField, installation(),
                                        in.ca_pem, in.tsa_pem, !in.other_renderer.empty())) {
        add_finding(v, {"bewijsdossier", "bewijsdossier.pdf", std::move(p)});
      }
    } catch (const Error& e) {
      add_finding(v, {"bewijsdossier", "bewijsdossier.pdf", std::string("niet na te maken: ") + e.what()});
    }
  }
  if (v.oordeel == Oordeel::broken) v.effective.reset();
  return v;
}

}  // namespace sto
