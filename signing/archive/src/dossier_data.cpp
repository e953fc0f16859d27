// The bewijsdossier's data, from the archive's files: the same for export and verification.
#include <algorithm>

#include "archive_parts.h"
#include "sto/audit.h"
#include "sto/diagnostics.h"

namespace sto::detail {

const SignerIdentity& installation() {
  static const SignerIdentity who{"sto-installatie", "bewijsdossier", "sto", "", ""};
  return who;
}

DossierData dossier_data(const Agreement& a, const Verdict& v, const Files& f, const Manifest& m) {
  DossierData d;
  d.regio = a.regio.nummer + " " + a.regio.naam;
  d.kenmerk = a.kenmerk;
  d.versie = std::to_string(a.versie);
  d.title = "Samenwerkingsovereenkomst Sterk Techniekonderwijs";
  d.agreement_sha256 = a.xml_sha256;
  d.revision0_sha256 = v.revision0_sha256;
  d.contract_sha256 = v.contract_sha256;
  d.contract_bytes = f.at("contract.pdf").size();
  d.revisions = static_cast<int>(v.signatures.size());
  d.audit_head = v.audit_head;
  d.audit_length = v.audit_length;
  d.ca_fingerprint = certificate_fingerprint(f.at("ca.pem"));
  d.tsa_fingerprints = certificate_fingerprints(f.at("tsa.pem"));
  for (const KetenTijdstempel& t : v.audit_timestamps) {
    d.audit_timestamps.push_back("regel " + std::to_string(t.seq) + ": " + t.head + ", " + utc_text(t.time));
  }
  d.effective = v.effective ? utc_text(*v.effective) : "";
  std::size_t valid = 0;
  for (const SignatureReport& s : v.signatures) valid += s.valid ? 1 : 0;
  std::size_t bound = 0;
  for (const PartnerReport& p : v.partners) bound += p.bound ? 1 : 0;
  d.verdict = std::to_string(valid) + " van " + std::to_string(v.expected_signatures) + " handtekeningen geldig; " +
              std::to_string(bound) + " van " + std::to_string(v.partners.size()) + " partners gebonden";
  d.exported = m.exported;
  d.producer = m.producer;
  for (const char* name : {"ca.pem", "tsa.pem", "audit-tijdstempels.jsonl", "README.txt"})
    d.files.emplace_back(name, to_hex(sha256(f.at(name))));

  // Each line's events, per tekenbevoegde of this version, in log order.
  std::map<std::string, std::vector<DossierEvent>> events;
  std::map<std::string, bool> declined;
  for (const std::string& line : jsonl_lines(f.at("audit.jsonl"))) {
    AuditEntry e;
    try {
      e = parse_flat_json(line);
    } catch (const Error&) {
      e.clear();  // verify reports the line
    }
    if (audit_text(e, "versie") != d.versie || audit_text(e, "tekenbevoegde").empty()) continue;
    if (!audit_text(e, "wijziging").empty()) continue;  // an amendment's, not the contract's
    DossierEvent ev{
        audit_text(e, "time"), audit_text(e, "event"), audit_text(e, "ip"), audit_text(e, "user_agent"), {}};
    for (const char* key : {"reason", "message_id", "error"}) {
      if (!audit_text(e, key).empty()) ev.detail = audit_text(e, key);
    }
    if (ev.event == audit_event::email_changed)
      ev.detail = "van " + audit_text(e, "old_email") + " naar " + audit_text(e, "email");
    const std::string who = audit_text(e, "tekenbevoegde");
    if (ev.event == audit_event::declined) declined[who] = true;
    events[who].push_back(std::move(ev));
  }

  std::map<std::string, const SignatureReport*> signatures;
  for (const SignatureReport& s : v.signatures) signatures[s.field] = &s;
  for (const Partner& p : a.partners) {
    const auto report =
        std::find_if(v.partners.begin(), v.partners.end(), [&](const PartnerReport& r) { return r.id == p.id; });
    d.partners.push_back({p.id, p.naam.value,
                          p.penvoerder ? "penvoerder" : std::string(p.soort ? to_string(*p.soort) : ""),
                          report != v.partners.end() && report->bound});
    for (const Tekenbevoegde& t : p.tekenbevoegden) {
      DossierSignatory s;
      s.id = t.id;
      s.naam = t.naam;
      s.functie = t.functie;
      s.hoedanigheid = t.hoedanigheid ? std::string(to_string(*t.hoedanigheid)) : "";
      s.email = t.email;
      s.partner = p.naam.value;
      const auto sig = signatures.find(t.id);
      if (sig != signatures.end()) {
        const SignatureReport& r = *sig->second;
        s.state = r.valid ? "ondertekend" : "handtekening ongeldig";
        s.revision = r.revision;
        s.revision_sha256 = r.revision_sha256;
        s.certificate_sha256 = r.certificate_sha256;
        s.certificate_subject = r.subject;
        s.claimed_time = utc_text(r.claimed);
        s.timestamp = r.timestamp != 0 ? utc_text(r.timestamp) : "";
        if (r.anchor_length >= 0) s.anchor = "regel " + std::to_string(r.anchor_length) + ": " + r.anchor_head;
      } else {
        s.state = declined[t.id] ? "geweigerd" : "niet ondertekend";
      }
      s.events = std::move(events[t.id]);
      // A report for people: a long run of repeated events (reminders, views: anyone can make the
      // log long) is shortened to its first and last 20, with every act in between (signed,
      // declined, ...) kept; audit.jsonl keeps every one.
      constexpr std::size_t kEnds = 20;
      if (s.events.size() > 2 * kEnds) {
        std::vector<DossierEvent> shown;
        std::size_t skipped = 0;
        for (std::size_t i = 0; i < s.events.size(); ++i) {
          const std::string& kind = s.events[i].event;
          const bool repeated = kind == audit_event::reminded || kind == audit_event::viewed ||
                                kind == audit_event::pdf_downloaded || kind == audit_event::invited;
          if (i < kEnds || i >= s.events.size() - kEnds || !repeated) {
            if (skipped > 0) {
              shown.push_back({"", "…", "", "", std::to_string(skipped) + " gebeurtenissen meer: zie audit.jsonl"});
              skipped = 0;
            }
            shown.push_back(std::move(s.events[i]));
          } else {
            ++skipped;
          }
        }
        s.events = std::move(shown);
      }
      d.signatories.push_back(std::move(s));
    }
  }
  for (const WijzigingReport& w : v.wijzigingen) {
    DossierWijziging x;
    x.nummer = std::to_string(w.nummer);
    x.soort = w.soort;
    x.xml_sha256 = w.xml_sha256;
    x.pdf_sha256 = w.pdf_sha256;
    x.effective = w.effective ? utc_text(*w.effective) : "";
    std::size_t valid_signatures = 0;
    for (const SignatureReport& s : w.signatures) {
      valid_signatures += s.valid ? 1 : 0;
      x.signatures.push_back("revisie " + std::to_string(s.revision) + " (" + s.field + "): " + s.naam +
                             ", tijdstempel " + (s.timestamp != 0 ? utc_text(s.timestamp) : "-") + ", " +
                             (s.valid ? "geldig" : "ONGELDIG"));
    }
    // Counts, not the oordeel: that depends on the CA fingerprint the auditor gives, the dossier must not.
    x.verdict =
        std::to_string(valid_signatures) + " van " + std::to_string(w.expected_signatures) + " handtekeningen geldig";
    d.wijzigingen.push_back(std::move(x));
  }
  return d;
}

}  // namespace sto::detail
