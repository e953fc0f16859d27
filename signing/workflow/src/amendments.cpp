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

namespace {

std::string names(const std::vector<Tekenbevoegde>& people) {
  std::string out;
  for (std::size_t i = 0; i < people.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == people.size() ? " en " : ", ") + people[i].naam;
  }
  return out;
}

const Partner* partner_in(const Agreement& a, const std::string& id) {
  for (const Partner& p : a.partners) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

// One sentence in Dutch on what `w` does to the agreement in force `voor` (the mails' ${wijziging}).
std::string beschrijving(const Wijziging& w, const Agreement& voor) {
  const Partner* p = partner_in(voor, w.partner_id);
  const std::string partner = p != nullptr ? p->naam.value : w.partner_id;
  switch (w.soort.value_or(WijzigingSoort::toetreding)) {
    case WijzigingSoort::toetreding:
      if (!w.partner) return "";
      return w.partner->naam.value + " treedt toe als partner; tekenbevoegd: " + names(w.partner->tekenbevoegden) + ".";
    case WijzigingSoort::uittreding:
      return partner + " treedt uit" + (w.laatste_dag ? "; de laatste dag is " + w.laatste_dag->iso() : "") + ".";
    case WijzigingSoort::vervanging: {
      std::string vertrekt = w.vertrekt;
      if (p != nullptr) {
        for (const Tekenbevoegde& t : p->tekenbevoegden) {
          if (t.id == w.vertrekt) vertrekt = t.naam;
        }
      }
      return w.opvolger ? "Bij " + partner + " volgt " + w.opvolger->naam + " (" + w.opvolger->functie + ") " +
                              vertrekt + " op als tekenbevoegde."
                        : "";
    }
    case WijzigingSoort::bijdrage:
      if (!w.bijdrage) return "";
      return "De bijdrage van " + partner + " wordt € " + format_euros_nl(w.bijdrage->geld.value_or(0)) + " en " +
             std::to_string(w.bijdrage->uren.value_or(0)) + " uur.";
  }
  return "";
}

}  // namespace

std::shared_ptr<const Werkruimte::Impl::AmendmentFacts> Werkruimte::Impl::amendment_facts(const VersionRecord& v,
                                                                                          Store::Transaction* tx) {
  {
    const std::lock_guard lock(cache_mutex);
    const auto it = amendment_facts_cache.find(v.id);
    if (it != amendment_facts_cache.end()) return it->second;
  }
  const std::vector<VersionRecord> rows = tx != nullptr ? tx->versions() : store.versions(v.kenmerk);
  const Grondslag g = grondslag(rows, v.wijziging, tx, false);
  const std::string xml = !v.xml.empty() ? v.xml : tx != nullptr ? tx->agreement_xml(v.id) : store.agreement_xml(v.id);
  const WijzigingRead w = read_wijziging(xml, "wijziging.xml");
  if (!g.contract || !w.parsed || w.wijziging.xml_sha256 != v.xml_sha256) throw Error(unsealed(v));
  auto facts = std::make_shared<AmendmentFacts>();
  facts->soort = w.wijziging.soort ? std::string(to_string(*w.wijziging.soort)) : "";
  facts->beschrijving = beschrijving(w.wijziging, g.basis.in_force);
  facts->na = apply_wijziging(g.basis.in_force, w.wijziging);
  const std::lock_guard lock(cache_mutex);
  auto& slot = amendment_facts_cache[v.id];
  if (!slot) slot = std::move(facts);
  return slot;
}

std::optional<Werkruimte::Impl::Checked> Werkruimte::Impl::check_amendment(std::string_view bytes,
                                                                           const std::string& source,
                                                                           WijzigingValidation& validation) {
  // The kenmerk the amendment names says which agreement's state to check it against.
  const WijzigingRead named = read_wijziging(bytes, source);
  if (!named.parsed || named.wijziging.kenmerk.empty()) {
    validation = WijzigingValidation{};
    validation.findings = named.findings;
    for (auto& f : validation.findings) f.file = source;
    if (!has_errors(validation.findings)) validation.findings.push_back(make_finding("wijziging.soort", 0, {}));
    return std::nullopt;
  }
  const std::string kenmerk = named.wijziging.kenmerk;
  const std::vector<VersionRecord> rows = store.versions(kenmerk);
  if (rows.empty()) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  const VersionRecord& latest = rows.back();
  if (latest.state == VersionState::open) {
    throw Refusal(latest.wijziging > 0 ? "wijziging " + std::to_string(latest.wijziging) + " van " + kenmerk +
                                             " is nog open: wacht tot zij rond is, of trek haar in (sto revoke)"
                                       : kenmerk + " versie " + std::to_string(latest.versie) +
                                             " is nog niet door iedereen getekend: een wijziging geldt pas voor een "
                                             "overeenkomst die rond is; tot dan is een wijziging een nieuwe versie");
  }
  Grondslag g = grondslag(rows, 0, nullptr, true);
  if (!g.contract || g.contract->state != VersionState::completed) {
    throw Refusal(kenmerk +
                  " heeft geen overeenkomst die rond is: een ingetrokken versie wijzig je met een nieuwe versie");
  }
  validation = validate_wijziging(bytes, source, g.basis, rule_sets);
  check_printable(validation, bytes, templates);
  if (!validation.valid()) return std::nullopt;
  return Checked{latest, std::move(g)};
}

WijzigingValidation Werkruimte::check_wijziging(std::string_view bytes, const std::string& source) {
  WijzigingValidation validation;
  impl_->check_amendment(bytes, source, validation);
  return validation;
}

std::optional<OpenResult> Werkruimte::open_wijziging(const std::filesystem::path& xml, WijzigingValidation& validation,
                                                     const Actor& actor) {
  Impl& w = *impl_;
  const std::string bytes = read_whole_file(xml);
  const auto checked = w.check_amendment(bytes, xml.string(), validation);
  if (!checked) return std::nullopt;
  const VersionRecord& latest = checked->latest;
  const Impl::Grondslag& g = checked->grondslag;
  const std::string& kenmerk = latest.kenmerk;
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

std::shared_ptr<const Werkruimte::Impl::Amendments> Werkruimte::Impl::amendments_of(const std::string& kenmerk) {
  const std::vector<VersionRecord> rows = store.versions(kenmerk);
  std::string key;
  for (const auto& v : rows) {
    key += std::to_string(v.id) + ":" + std::string(to_string(v.state)) + ":" + std::to_string(v.closed_ms) + ";";
  }
  {
    const std::lock_guard lock(cache_mutex);
    const auto it = amendments_cache.find(kenmerk);
    if (it != amendments_cache.end() && it->second->key == key) return it->second;
  }
  auto made = std::make_shared<Amendments>();
  made->key = key;
  std::optional<VersionRecord> contract;
  for (const auto& v : rows) {
    if (v.wijziging == 0) contract = v;
  }
  // A completed document never changes again: its signed PDF is what its files hold. Status is
  // what one reads when something is wrong, so a file that cannot be read leaves the hash out
  // (verify and the outbox say why) and the result is not kept: it is read again next time.
  bool whole = true;
  const auto signed_sha256 = [&](const VersionRecord& v) {
    try {
      return to_hex(sha256(SignedContract::open(dir / v.contract_dir).pdf()));
    } catch (const std::exception&) {
      whole = false;
      return std::string();
    }
  };
  if (contract) {
    for (const auto& v : rows) {
      if (v.wijziging == 0 || v.id <= contract->id) continue;
      if (!sealed(v)) throw Error(unsealed(v));
      // The soort is in the audit entry of its opening too, but the row's xml says it for certain.
      const WijzigingRead w = read_wijziging(store.agreement_xml(v.id), "wijziging.xml");
      made->wijzigingen.push_back(WijzigingStatus{
          v.wijziging, w.wijziging.soort ? std::string(to_string(*w.wijziging.soort)) : "?", v.state, v.opened_ms,
          v.closed_ms, v.state == VersionState::completed ? signed_sha256(v) : std::string()});
    }
    if (contract->state == VersionState::completed) {
      made->contract_sha256 = signed_sha256(*contract);
      made->in_force = std::make_shared<const Agreement>(grondslag(rows, 0, nullptr, false).basis.in_force);
    }
  }
  if (!whole) return made;
  const std::lock_guard lock(cache_mutex);
  auto& slot = amendments_cache[kenmerk];
  slot = std::move(made);
  return slot;
}

void Werkruimte::Impl::amendments_status(const std::string& kenmerk, Status& st) {
  const auto a = amendments_of(kenmerk);
  st.wijzigingen = a->wijzigingen;
  st.contract_sha256 = a->contract_sha256;
  if (!a->in_force) return;
  for (const Partner& p : a->in_force->partners) st.in_force.push_back(PartnerStatus{p.id, p.naam.value, true});
}

Agreement Werkruimte::agreement_in_force(const std::string& kenmerk) {
  if (!impl_->store.latest_version(kenmerk)) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  const auto a = impl_->amendments_of(kenmerk);
  if (!a->in_force) {
    throw Refusal(kenmerk + " is nog niet door iedereen getekend: er geldt nog geen overeenkomst");
  }
  return *a->in_force;
}

}  // namespace sto
