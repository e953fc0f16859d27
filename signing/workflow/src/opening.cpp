// A version being opened (validated, rendered, registered with one request per tekenbevoegde)
// and a version being revoked.
#include <unistd.h>

#include <random>
#include <sstream>

#include "sto/atomic_file.h"
#include "sto/render.h"
#include "sto/template.h"
#include "workspace_impl.h"

namespace sto {

void Werkruimte::Impl::revoke_version(Store::Transaction& tx, VersionRecord& v, const std::string& reason,
                                      const Actor& actor) {
  for (SignatoryRecord& s : tx.signatories(v.id)) {
    if (is_final(s.state)) continue;
    set_state(tx, s, SignatoryState::revoked);
    AuditEntry e = penvoerder_entry(audit_event::revoked, actor);
    about(e, s, v)["reason"] = reason;
    tx.append(std::move(e));
  }
  v.state = VersionState::revoked;
  v.closed_ms = now_ms();
  tx.update_version(v);
  AuditEntry e = penvoerder_entry(audit_event::revoked, actor);
  of_version(e, v);
  e["reason"] = reason;
  tx.append(std::move(e));
}

void Werkruimte::revoke(const std::string& kenmerk, const std::string& reason, const Actor& actor) {
  if (!impl_->store.latest_version(kenmerk)) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  impl_->store.transact(kenmerk, [&](Store::Transaction& tx) {
    auto v = tx.latest_version();
    if (!v || v->state != VersionState::open) throw Refusal(kenmerk + " heeft geen open versie");
    impl_->revoke_version(tx, *v, reason.empty() ? "ingetrokken door de penvoerder" : reason, actor);
  });
}

Werkruimte::Impl::Scratch::~Scratch() {
  std::error_code ec;
  if (!path.empty()) std::filesystem::remove_all(path, ec);
}

Werkruimte::Impl::Scratch Werkruimte::Impl::snapshot_templates(Taal taal, bool wijziging) const {
  Scratch snapshot{dir / "contracten" /
                   (".sjablonen-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()))};
  for (const auto& file : contract_inputs(templates, taal, wijziging)) {
    std::filesystem::create_directories((snapshot.path / file).parent_path());
    write_file_atomically(snapshot.path / file, read_whole_file(templates / file));
  }
  return snapshot;
}

std::pair<std::int64_t, std::string> Werkruimte::Impl::changes_since(const Agreement& a,
                                                                     const std::filesystem::path& made_from) {
  std::optional<VersionRecord> before;
  for (const VersionRecord& r : store.versions(a.kenmerk)) {
    if (r.wijziging == 0 && r.versie < a.versie) before = r;
  }
  if (!before) return {0, {}};
  ReadResult old = read_agreement(store.agreement_xml(before->id), "agreement.xml");
  if (!old.parsed) return {0, {}};
  // The same versie and fingerprint on both sides: those differ in every new version, and are no news.
  old.agreement.versie = a.versie;
  old.agreement.xml_sha256 = a.xml_sha256;
  const std::filesystem::path old_templates = std::filesystem::exists(dir / before->contract_dir / kTemplatesCopy)
                                                  ? dir / before->contract_dir / kTemplatesCopy
                                                  : templates;
  try {
    const Document then = Template::load_for(old_templates, old.agreement.taal).fill(old.agreement);
    const Document now = Template::load_for(made_from, a.taal).fill(a);
    std::string text;
    for (const std::string& line : differences(then, now)) text += line + "\n";
    return {before->versie, text};
  } catch (const Error&) {
    return {0, {}};  // the old version no longer fills its template: no difference to tell
  }
}

std::vector<std::string> Werkruimte::Impl::changes_for(const VersionRecord& v, const std::string& tekenbevoegde) {
  if (v.changes.empty() || v.changes_from == 0) return {};
  for (const VersionRecord& r : store.versions(v.kenmerk)) {
    if (r.wijziging != 0 || r.versie != v.changes_from) continue;
    for (const SignatoryRecord& s : store.signatories(r.id)) {
      // Who was asked to sign the version before (mailed at least once) saw it.
      if (s.tekenbevoegde == tekenbevoegde && (s.invited_ms != 0 || s.state != SignatoryState::pending)) {
        std::vector<std::string> lines;
        std::string line;
        std::istringstream in(v.changes);
        while (std::getline(in, line)) {
          if (!line.empty()) lines.push_back(line);
        }
        return lines;
      }
    }
  }
  return {};
}

std::int64_t Werkruimte::Impl::register_document(Store::Transaction& tx, VersionRecord& v, const Agreement& document,
                                                 const std::string& pdf, Scratch& snapshot) {
  const std::filesystem::path chain_dir = dir / v.contract_dir;
  if (std::filesystem::exists(chain_dir / "0000.pdf")) {
    // Left by an open whose transaction did not commit (or by this one's first run): the
    // same document, unsigned, is reused.
    if (read_whole_file(chain_dir / "0000.pdf") != pdf || std::filesystem::exists(chain_dir / "0001.rev")) {
      throw Error(chain_dir.string() + " bestaat al met een ander document");
    }
  } else {
    std::filesystem::create_directories(chain_dir.parent_path());
    SignedContract::create(chain_dir, pdf);
  }
  // The copy the document was rendered from goes with it (replacing one an earlier, uncommitted
  // open of the same document left): the archive carries it (sto/render.h contract_inputs). A
  // second run of this transaction finds it moved already.
  if (!snapshot.path.empty()) {
    std::filesystem::remove_all(chain_dir / kTemplatesCopy);
    std::filesystem::rename(snapshot.path, chain_dir / kTemplatesCopy);
    snapshot.path.clear();
    sync_parent_directory(chain_dir / kTemplatesCopy);
  }
  v.seal = seal(v);
  v.id = tx.insert_version(v);
  std::int64_t position = 0;
  for (const Partner& p : document.partners) {
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
      s.seal = seal(s, v);
      tx.insert_signatory(s);
    }
  }
  return position;
}

std::optional<OpenResult> Werkruimte::open_agreement(const std::filesystem::path& xml, Validation& validation,
                                                     const Actor& actor) {
  Impl& w = *impl_;
  validation = validate_file(xml, w.rule_sets);
  const std::string bytes = read_whole_file(xml);
  check_printable(validation, bytes, w.templates);
  if (!validation.valid()) return std::nullopt;
  const Agreement& a = validation.agreement;
  // What the contract is made from, read once into a private copy beside the contracts and
  // rendered from that copy, which then stays with the chain (sjablonen/): the archive carries
  // exactly the files these bytes came from, even when the installed ones change meanwhile.
  Impl::Scratch snapshot = w.snapshot_templates(a.taal, false);
  const Contract contract = render_contract(a, snapshot.path);
  const auto [changes_from, changes] = w.changes_since(a, snapshot.path);
  const std::string document_sha256 = to_hex(sha256(contract.pdf));

  return w.store.transact(
      a.kenmerk,
      [&](Store::Transaction& tx) {
        OpenResult result;
        result.kenmerk = a.kenmerk;
        result.versie = a.versie;
        result.document_sha256 = document_sha256;
        // The newest row may be an amendment of the newest contract version (sto/store.h).
        auto latest = tx.latest_contract();
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
        if (auto current = tx.latest_version(); current && current->state == VersionState::open) {
          w.revoke_version(tx, *current, "vervangen door versie " + std::to_string(a.versie), actor);
          result.revoked_versie = current->versie;
        }
        VersionRecord v;
        v.kenmerk = a.kenmerk;
        v.versie = a.versie;
        v.xml = bytes;
        v.xml_sha256 = a.xml_sha256;
        v.document_sha256 = document_sha256;
        v.contract_dir = "contracten/" + a.kenmerk + "-v" + std::to_string(a.versie);
        v.opened_ms = w.now_ms();
        v.changes_from = changes_from;
        v.changes = changes;
        const std::int64_t position = w.register_document(tx, v, a, contract.pdf, snapshot);
        AuditEntry e = w.penvoerder_entry(audit_event::opened, actor);
        w.of_version(e, v);
        e["document_sha256"] = v.document_sha256;
        e["xml_sha256"] = v.xml_sha256;
        e["signatories"] = position;
        tx.append(std::move(e));
        result.signatories = static_cast<std::size_t>(position);
        return result;
      },
      true);
}

}  // namespace sto
