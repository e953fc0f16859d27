// Amendments (docs/amendment-format.md): the agreement in force, and an amendment being opened.
// Once opened, an amendment is a version row of its own (VersionRecord::wijziging) and every act
// on it (invite, sign, remind, revoke, status) is the contract's own code.
#include "sto/atomic_file.h"
#include "sto/render.h"
#include "workspace_impl.h"

namespace sto {

Werkruimte::Impl::Grondslag Werkruimte::Impl::grondslag(const std::vector<VersionRecord>& rows, std::int64_t before,
                                                        Store::Transaction* tx, bool hashes) {
  Grondslag g;
  const auto xml_of = [&](const VersionRecord& v) {
    if (!sealed(v)) throw Error(unsealed(v));
    return !v.xml.empty() ? v.xml : tx != nullptr ? tx->agreement_xml(v.id) : store.agreement_xml(v.id);
  };
  for (const auto& v : rows) {
    if (v.wijziging == 0) g.contract = v;
  }
  if (!g.contract) return g;
  const ReadResult base = read_agreement(xml_of(*g.contract), "agreement.xml");
  if (!base.parsed || base.agreement.xml_sha256 != g.contract->xml_sha256) throw Error(unsealed(*g.contract));
  g.basis.in_force = base.agreement;
  for (const auto& v : rows) {
    if (v.wijziging == 0 || v.versie != g.contract->versie || v.id <= g.contract->id) continue;
    if (before != 0 && v.wijziging >= before) continue;
    g.basis.hoogste_nummer = std::max(g.basis.hoogste_nummer, v.wijziging);
    if (v.state != VersionState::completed) continue;
    const WijzigingRead w = read_wijziging(xml_of(v), "wijziging.xml");
    if (!w.parsed || w.wijziging.xml_sha256 != v.xml_sha256) throw Error(unsealed(v));
    g.basis.in_force = apply_wijziging(g.basis.in_force, w.wijziging);
    g.basis.vorige_nummer = v.wijziging;
    if (hashes) g.basis.vorige_sha256 = to_hex(sha256(chain_of(v).pdf()));
    g.in_force.push_back(v);
  }
  if (hashes && g.contract->state == VersionState::completed) {
    g.basis.contract_sha256 = to_hex(sha256(chain_of(*g.contract).pdf()));
  }
  return g;
}

std::shared_ptr<const Agreement> Werkruimte::Impl::amendment_document(const VersionRecord& v, Store::Transaction* tx) {
  const std::vector<VersionRecord> rows = tx != nullptr ? tx->versions() : store.versions(v.kenmerk);
  const Grondslag g = grondslag(rows, v.wijziging, tx, false);
  if (!g.contract)
    throw Error("wijziging " + std::to_string(v.wijziging) + " van " + v.kenmerk + " heeft geen contract");
  const std::string xml = !v.xml.empty() ? v.xml : tx != nullptr ? tx->agreement_xml(v.id) : store.agreement_xml(v.id);
  const WijzigingRead w = read_wijziging(xml, "wijziging.xml");
  if (!w.parsed || w.wijziging.xml_sha256 != v.xml_sha256) throw Error(unsealed(v));
  // Who signs is what the regulation said when it was opened: its copy beside the amendment.
  const auto sets = load_rule_sets(dir / v.contract_dir / kTemplatesCopy / "regelingen");
  const RuleSet* rules = find_rule_set(sets, g.basis.in_force.regeling.naam);
  if (rules == nullptr)
    throw Error("de regeling van " + v.kenmerk + " ontbreekt bij wijziging " + std::to_string(v.wijziging));
  return std::make_shared<const Agreement>(prepare_wijziging(w.wijziging, g.basis.in_force, *rules).document);
}

std::optional<OpenResult> Werkruimte::open_wijziging(const std::filesystem::path& xml, WijzigingValidation& validation,
                                                     const Actor& actor) {
  Impl& w = *impl_;
  const std::string bytes = read_whole_file(xml);
  // The kenmerk the amendment names says which agreement's state to check it against.
  const WijzigingRead named = read_wijziging(bytes, xml.string());
  if (!named.parsed || named.wijziging.kenmerk.empty()) {
    validation = WijzigingValidation{};
    validation.findings = named.findings;
    for (auto& f : validation.findings) f.file = xml.string();
    if (!has_errors(validation.findings)) validation.findings.push_back(make_finding("wijziging.soort", 0, {}));
    return std::nullopt;
  }
  const std::string kenmerk = named.wijziging.kenmerk;
  const std::vector<VersionRecord> rows = w.store.versions(kenmerk);
  if (rows.empty()) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  const VersionRecord& latest = rows.back();
  if (latest.state == VersionState::open) {
    throw Refusal(latest.wijziging > 0 ? "wijziging " + std::to_string(latest.wijziging) + " van " + kenmerk +
                                             " is nog open: wacht tot zij rond is, of trek haar in (sto revoke)"
                                       : kenmerk + " versie " + std::to_string(latest.versie) +
                                             " is nog niet door iedereen getekend: een wijziging geldt pas voor een "
                                             "overeenkomst die rond is; tot dan is een wijziging een nieuwe versie");
  }
  const Impl::Grondslag g = w.grondslag(rows, 0, nullptr, true);
  if (!g.contract || g.contract->state != VersionState::completed) {
    throw Refusal(kenmerk +
                  " heeft geen overeenkomst die rond is: een ingetrokken versie wijzig je met een nieuwe versie");
  }
  validation = validate_wijziging(bytes, xml.string(), g.basis, w.rule_sets);
  check_printable(validation, bytes, w.templates);
  if (!validation.valid()) return std::nullopt;
  const Wijzigingsstuk& stuk = validation.stuk;

  Impl::Scratch snapshot = w.snapshot_templates(stuk.document.taal, true);
  const Contract contract = render_wijziging(stuk, snapshot.path);
  const std::string document_sha256 = to_hex(sha256(contract.pdf));

  return w.store.transact(kenmerk, [&](Store::Transaction& tx) {
    // What was checked must still be the state: nobody opened or completed anything meanwhile.
    const auto now = tx.versions();
    if (now.empty() || now.back().id != latest.id || now.back().state != latest.state) {
      throw Refusal(kenmerk + " is intussen veranderd: open de wijziging opnieuw");
    }
    OpenResult result;
    result.kenmerk = kenmerk;
    result.versie = g.contract->versie;
    result.wijziging = stuk.wijziging.nummer;
    result.document_sha256 = document_sha256;
    VersionRecord v;
    v.kenmerk = kenmerk;
    v.versie = g.contract->versie;
    v.wijziging = stuk.wijziging.nummer;
    v.xml = bytes;
    v.xml_sha256 = stuk.wijziging.xml_sha256;
    v.document_sha256 = document_sha256;
    v.contract_dir = "contracten/" + kenmerk + "-v" + std::to_string(v.versie) + "-w" + std::to_string(v.wijziging);
    v.opened_ms = w.now_ms();
    const std::int64_t position = w.register_document(tx, v, stuk.document, contract.pdf, snapshot);
    AuditEntry e = w.penvoerder_entry(audit_event::opened, actor);
    w.of_version(e, v);
    e["soort"] = std::string(to_string(*stuk.wijziging.soort));
    e["document_sha256"] = v.document_sha256;
    e["xml_sha256"] = v.xml_sha256;
    e["overeenkomst_sha256"] = stuk.wijziging.overeenkomst_sha256;
    if (stuk.wijziging.vorige_nummer > 0) e["vorige_sha256"] = stuk.wijziging.vorige_sha256;
    e["signatories"] = position;
    tx.append(std::move(e));
    result.signatories = static_cast<std::size_t>(position);
    return result;
  });
}

void Werkruimte::Impl::amendments_status(const std::string& kenmerk, Status& st) {
  const std::vector<VersionRecord> rows = store.versions(kenmerk);
  std::optional<VersionRecord> contract;
  for (const auto& v : rows) {
    if (v.wijziging == 0) contract = v;
  }
  if (!contract) return;
  bool any = false;
  for (const auto& v : rows) {
    if (v.wijziging == 0 || v.id <= contract->id) continue;
    any = true;
    // The soort is in the audit entry of its opening too, but the row's xml says it for certain.
    const WijzigingRead w = read_wijziging(store.agreement_xml(v.id), "wijziging.xml");
    st.wijzigingen.push_back(WijzigingStatus{v.wijziging,
                                             w.wijziging.soort ? std::string(to_string(*w.wijziging.soort)) : "?",
                                             v.state, v.opened_ms, v.closed_ms});
  }
  if (contract->state != VersionState::completed) return;
  if (!any) {
    if (st.version.id == contract->id) st.in_force = st.partners;
    return;
  }
  for (const Partner& p : grondslag(rows, 0, nullptr, false).basis.in_force.partners) {
    st.in_force.push_back(PartnerStatus{p.id, p.naam.value, true});
  }
}

}  // namespace sto
