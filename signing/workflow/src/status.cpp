// The penvoerder's view of an agreement: every request's state, the partners bound, the
// effective date and the audit chain's head; requests whose links all expired are marked first.
#include "workspace_impl.h"

namespace sto {

void Werkruimte::Impl::expire_due(Store::Transaction& tx, const VersionRecord& v) {
  if (v.state != VersionState::open) return;
  for (SignatoryRecord& s : tx.signatories(v.id)) {
    if (is_final(s.state) || s.state == SignatoryState::pending) continue;
    const std::int64_t until = tx.latest_token_expiry(s.id);
    if (until == 0 || until > now_ms()) continue;
    set_state(tx, s, SignatoryState::expired);
    AuditEntry e = entry(audit_event::expired, Actor{"sto", ""});
    tx.append(std::move(about(e, s, v)));
  }
}

Status Werkruimte::status(const std::string& kenmerk) {
  Status st;
  if (!impl_->store.latest_version(kenmerk)) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  impl_->store.transact(kenmerk, [&](Store::Transaction& tx) {
    auto v = tx.latest_version();
    if (!v) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
    impl_->expire_due(tx, *v);
  });
  st.version = *impl_->store.latest_version(kenmerk);
  st.signatories = impl_->store.signatories(st.version.id);
  std::int64_t last = 0;
  for (const SignatoryRecord& s : st.signatories) {
    if (s.state == SignatoryState::signed_) ++st.signed_count, last = std::max(last, s.state_ms);
    if (st.partners.empty() || st.partners.back().partner_id != s.partner_id) {
      st.partners.push_back(PartnerStatus{s.partner_id, s.partner, true});
    }
    st.partners.back().bound = st.partners.back().bound && s.state == SignatoryState::signed_;
  }
  if (!st.signatories.empty() && st.signed_count == st.signatories.size()) st.effective_ms = last;
  const auto chain = impl_->store.audit(kenmerk);
  st.audit_length = chain.size();
  st.audit_head = chain.empty() ? std::string(kAuditGenesis) : chain.back().hash;
  return st;
}

std::string Werkruimte::signed_pdf(const std::string& kenmerk) {
  auto v = impl_->store.latest_version(kenmerk);
  if (!v) throw Refusal("onbekend kenmerk \"" + kenmerk + "\"");
  return SignedContract::open(impl_->dir / v->contract_dir).pdf();
}

}  // namespace sto
