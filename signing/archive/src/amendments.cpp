// An archive's amendments (wijzigingen/<n>/, docs/amendment-format.md): each judged as its contract
// is, and the chain they form with the contract, the manifest and the audit log.
#include <algorithm>
#include <set>

#include "archive_parts.h"
#include "sto/audit.h"
#include "sto/diagnostics.h"

namespace sto::detail {

std::string amendment_file(std::int64_t nummer, std::string_view name) {
  return "wijzigingen/" + std::to_string(nummer) + "/" + std::string(name);
}

namespace {

// The numbers of the amendments audit.jsonl says were completed.
std::set<std::int64_t> completed_in_log(std::string_view jsonl) {
  std::set<std::int64_t> out;
  for (const std::string& line : jsonl_lines(jsonl)) {
    AuditEntry e;
    try {
      e = parse_flat_json(line);
    } catch (const Error&) {
      continue;  // the chain's check reports it
    }
    if (audit_text(e, "event") != audit_event::completed) continue;
    const auto it = e.find("wijziging");
    if (it == e.end()) continue;
    if (const auto* n = std::get_if<std::int64_t>(&it->second)) out.insert(*n);
  }
  return out;
}

}  // namespace

void verify_amendments(const Files& f, const Manifest& m,
                       const std::map<std::int64_t, std::filesystem::path>& templates, const VerifyInput& contract,
                       Verdict& v) {
  std::vector<std::string> earlier;
  std::int64_t previous = 0;
  std::optional<std::size_t> before_at;  // index in v.wijzigingen of the amendment before this one
  std::set<std::int64_t> present;
  for (const ManifestWijziging& mw : m.wijzigingen) {
    const std::string who = "wijziging " + std::to_string(mw.nummer) + " (" + mw.soort + ")";
    const auto add = [&](const std::string& subject, std::string message) {
      add_finding(v, {"wijziging", who + subject, std::move(message)});
    };
    present.insert(mw.nummer);
    const auto xml = f.find(amendment_file(mw.nummer, "wijziging.xml"));
    const auto pdf = f.find(amendment_file(mw.nummer, "contract.pdf"));
    const auto made_from = templates.find(mw.nummer);
    if (xml == f.end() || pdf == f.end() || made_from == templates.end()) {
      add("", "ontbreekt in het archief (wijziging.xml, contract.pdf of templates/)");
      continue;
    }
    VerifyInput in = contract;
    in.pdf = pdf->second;
    in.templates_dir = made_from->second;
    in.wijziging = WijzigingInput{mw.nummer, xml->second, earlier};
    Verdict own = verify(in);
    WijzigingReport report;
    report.nummer = mw.nummer;
    report.soort = mw.soort;
    report.oordeel = own.oordeel;
    report.signatures = own.signatures;
    report.expected_signatures = own.expected_signatures;
    report.effective = own.effective;
    report.pdf_sha256 = own.contract_sha256;
    // What the contract's verdict already says (the CA, the log's chain) is not said again.
    for (Bevinding& b : own.findings) {
      if (b.check == "ca") continue;
      const bool known = std::any_of(v.findings.begin(), v.findings.end(), [&](const Bevinding& k) {
        return k.message == b.message && k.subject == b.subject;
      });
      if (!known) add_finding(v, {b.check, who + ": " + b.subject, std::move(b.message), b.effect});
    }
    if (own.oordeel == Oordeel::incomplete)
      add("", "is niet door iedereen ondertekend, maar staat als rond in het archief");

    // Its links: the number, the contract and the amendment before it, the dates.
    const WijzigingRead read = read_wijziging(xml->second, "wijziging.xml");
    const Wijziging& w = read.wijziging;
    report.xml_sha256 = w.xml_sha256;
    if (w.nummer != mw.nummer) add("", "wijziging.xml heeft nummer " + std::to_string(w.nummer));
    if (w.soort && std::string(to_string(*w.soort)) != mw.soort) {
      add("", "wijziging.xml is een " + std::string(to_string(*w.soort)) + ", manifest.json zegt " + mw.soort);
    }
    const WijzigingReport* before = before_at ? &v.wijzigingen[*before_at] : nullptr;
    if (mw.nummer <= previous) add("", "staat niet na wijziging " + std::to_string(previous));
    if (w.overeenkomst_sha256 != v.contract_sha256) {
      add("", "noemt een ander ondertekend contract (SHA-256 " + w.overeenkomst_sha256 + ") dan contract.pdf (" +
                  v.contract_sha256 + ")");
    }
    if (before == nullptr && w.vorige_line != 0) {
      add("", "noemt wijziging " + std::to_string(w.vorige_nummer) + " als vorige, maar die staat niet in het archief");
    } else if (before != nullptr && (w.vorige_nummer != before->nummer || w.vorige_sha256 != before->pdf_sha256)) {
      add("", "noemt als vorige wijziging " + std::to_string(w.vorige_nummer) + " (" + w.vorige_sha256 +
                  "), het archief heeft daar wijziging " + std::to_string(before->nummer) + " (" + before->pdf_sha256 +
                  ")");
    }
    const auto since = before != nullptr ? before->effective : v.effective;
    if (report.effective && since && *report.effective < *since) {
      add("", "ging in op " + utc_text(*report.effective) + ", vóór wat eraan voorafgaat (" + utc_text(*since) + ")");
    }
    if (pdf->second.size() > 0) {
      const auto recorded = m.files.find(amendment_file(mw.nummer, "contract.pdf"));
      if (recorded != m.files.end() && recorded->second != own.contract_sha256) {
        add_finding(v, {"archief", amendment_file(mw.nummer, "contract.pdf"),
                        "is gewijzigd: SHA-256 " + own.contract_sha256 + ", manifest.json noemt " + recorded->second});
      }
    }
    v.wijzigingen.push_back(std::move(report));
    before_at = v.wijzigingen.size() - 1;
    previous = mw.nummer;
    earlier.push_back(xml->second);
  }
  // What the log says was completed must all be here: cutting one out of the archive (and the
  // manifest) leaves its events in the chain, whose head the signed bewijsdossier pins.
  for (const std::int64_t n : completed_in_log(f.at("audit.jsonl"))) {
    if (!present.contains(n)) {
      add_finding(v, {"wijziging", "wijziging " + std::to_string(n),
                      "is volgens audit.jsonl door iedereen ondertekend, maar ontbreekt in het archief"});
    }
  }
}

}  // namespace sto::detail
