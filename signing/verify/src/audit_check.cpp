#include "audit_check.h"

#include <algorithm>
#include <map>
#include <set>

#include "sto/audit.h"
#include "sto/diagnostics.h"

namespace sto::detail {

namespace {

std::optional<std::int64_t> number_of(const AuditEntry& e, const char* key) {
  const auto it = e.find(key);
  if (it == e.end()) return std::nullopt;
  if (const auto* n = std::get_if<std::int64_t>(&it->second)) return *n;
  return std::nullopt;
}

void add(Verdict& v, std::string subject, std::string message) {
  add_finding(v, {"audit", std::move(subject), std::move(message), Oordeel::broken});
}

// What binds the log from outside it: the signatures' anchors and the timestamps over its head.
struct Anchor {
  std::int64_t length = 0;  // entries before it
  std::string head;         // the hash it holds
  std::string by;           // "revisie 3 (t-1)", "tijdstempel over regel 12"
};

bool is_hash(const std::string& text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// `completed_line`: this document's "completed" entry (0: none); `report_tokens`: whether the
// timestamps' own findings are this call's to report (the contract's, once per archive).
void check_anchors(const std::vector<std::string>& lines, const std::vector<std::string>& hashes,
                   const std::map<int, std::size_t>& signed_at, std::size_t completed_line,
                   const std::optional<std::string>& timestamps, bool report_tokens, const Anchors& trust,
                   Verdict& verdict) {
  const auto hash_at = [&](std::int64_t length) -> std::string {
    return length == 0 ? std::string(kAuditGenesis) : hashes[static_cast<std::size_t>(length - 1)];
  };
  const auto size = static_cast<std::int64_t>(lines.size());
  std::vector<Anchor> anchors;
  // A signature made before anchoring existed (sto before issue 16) has none, and nobody without
  // the keys can remove one from a signature: from the first anchored signature of a document on,
  // every one must have it.
  bool anchoring = false;
  std::vector<std::string> unanchored;
  for (const SignatureReport& s : verdict.signatures) {
    const std::string name = "revisie " + std::to_string(s.revision) + " (" + s.field + ")";
    if (!s.valid) continue;  // what an invalid signature says binds nothing; it is a finding already
    if (s.anchor_length < 0) {
      if (anchoring) {
        add(verdict, name, "de handtekening draagt geen anker van de auditketen, die ervoor wel");
      } else {
        unanchored.push_back(std::to_string(s.revision));
      }
      continue;
    }
    anchoring = true;
    if (s.anchor_length >= size) {
      add(verdict, name,
          "de handtekening ankert de keten na regel " + std::to_string(s.anchor_length) + ", maar het log heeft " +
              std::to_string(size) + " regels (ingekort?)");
      continue;
    }
    const auto at = signed_at.find(s.revision);
    if (at != signed_at.end() && static_cast<std::int64_t>(at->second) != s.anchor_length + 1) {
      add(verdict, "audit.jsonl regel " + std::to_string(at->second),
          "de ondertekening van " + name + " hoort direct na regel " + std::to_string(s.anchor_length) +
              " te staan, die de handtekening ankert");
    }
    anchors.push_back({s.anchor_length, s.anchor_head, name + ", " + s.naam});
  }
  if (!unanchored.empty()) {
    verdict.notes.push_back(std::to_string(unanchored.size()) +
                            " handtekening(en) dragen geen anker van de auditketen (gemaakt voordat sto dat deed; "
                            "revisie " +
                            unanchored.front() + (unanchored.size() > 1 ? " tot en met " + unanchored.back() : "") +
                            "): wat het log over hen zegt, is alleen aan zichzelf gebonden");
  }
  if (timestamps && trust.ca == nullptr) {
    if (report_tokens) add(verdict, "audit-tijdstempels.jsonl", "niet te controleren zonder CA");
  } else if (timestamps) {
    std::set<std::int64_t> stamped;
    const std::vector<std::string> rows = jsonl_lines(*timestamps);
    const auto problem = [&](const std::string& where, std::string message) {
      if (report_tokens) add(verdict, where, std::move(message));
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::string where = "audit-tijdstempels.jsonl regel " + std::to_string(i + 1);
      AuditEntry e;
      try {
        e = parse_flat_json(rows[i]);
      } catch (const Error& error) {
        problem(where, error.what());
        continue;
      }
      const auto seq = number_of(e, "seq");
      const std::string claimed = audit_text(e, "head");
      const std::string token = from_hex(audit_text(e, "token"));
      if (!seq || *seq < 1 || *seq > size || !is_hash(claimed) || token.empty()) {
        problem(where, "geen tijdstempel over een regel van audit.jsonl (seq, head of token ontbreekt of is ongeldig)");
        continue;
      }
      std::vector<std::string> problems;
      std::string tsa_pem;
      const std::time_t time = check_timestamp(token, from_hex(claimed), trust, problems, &tsa_pem);
      for (std::string& p : problems) problem(where, std::move(p));
      if (!problems.empty()) continue;
      stamped.insert(*seq);
      if (report_tokens) verdict.audit_timestamps.push_back({*seq, claimed, time, tsa_pem});
      anchors.push_back(
          {*seq, claimed, "het tijdstempel van " + utc_text(time) + " over regel " + std::to_string(*seq)});
    }
    // The document's completion binds its last signature's own entry, which no signature does.
    if (anchoring && completed_line != 0 && !stamped.contains(static_cast<std::int64_t>(completed_line))) {
      add(verdict, "audit.jsonl regel " + std::to_string(completed_line),
          "de voltooiing heeft geen tijdstempel over de keten (audit-tijdstempels.jsonl)");
    }
  } else if (anchoring && completed_line != 0) {
    verdict.notes.push_back(
        "het tijdstempel over de keten bij de voltooiing is niet gecontroleerd (alleen een archief "
        "heeft audit-tijdstempels.jsonl)");
  }
  // The first anchor the log no longer meets names where it was rewritten: after the last one it
  // still meets, up to this one.
  std::sort(anchors.begin(), anchors.end(), [](const Anchor& a, const Anchor& b) { return a.length < b.length; });
  std::int64_t sound = 0;
  for (const Anchor& a : anchors) {
    if (hash_at(a.length) == a.head) {
      sound = std::max(sound, a.length);
      continue;
    }
    const std::string first = std::to_string(sound + 1);
    const std::string line = std::to_string(a.length);
    add(verdict, "audit.jsonl regel " + line,
        "de keten is herschreven: de hash van regel " + line + " is niet die welke " + a.by + " vastlegde; " +
            (sound == 0 ? "de eerste gewijzigde regel is regel " + line + " of een eerdere"
                        : "de regels tot en met " + std::to_string(sound) +
                              " kloppen nog, dus de eerste gewijzigde regel ligt tussen " + first + " en " + line));
    break;
  }
}

}  // namespace

void check_audit(std::string_view jsonl, const std::optional<std::string>& head, std::optional<std::int64_t> versie,
                 std::int64_t wijziging, const std::optional<std::string>& xml_sha256, const SignedPdf& pdf,
                 const std::optional<std::string>& timestamps, const Anchors& trust, Verdict& verdict) {
  const std::vector<std::string> lines = jsonl_lines(jsonl);
  std::string last;
  std::vector<std::string> hashes;
  for (std::string& problem : verify_chain(lines, last, &hashes)) add(verdict, "audit.jsonl", std::move(problem));
  verdict.audit_head = last;
  verdict.audit_length = lines.size();
  if (head && *head != last) {
    add(verdict, "audit.jsonl", "de keten eindigt op " + last + ", verwacht was " + *head);
  }

  // Which line says that which revision was signed.
  std::map<int, std::size_t> signed_at;  // revision -> line
  std::vector<std::string> beyond;       // lines naming a revision the PDF does not have (as read)
  bool opened = false;
  std::size_t completed_line = 0;
  AuditEntry completed;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    AuditEntry e;
    try {
      e = parse_flat_json(lines[i]);
    } catch (const Error&) {
      continue;  // reported by verify_chain
    }
    if (versie && number_of(e, "versie") != versie) continue;
    // The contract and each amendment (docs/amendment-format.md) are documents in one chain.
    if (number_of(e, "wijziging").value_or(0) != wijziging) continue;
    const std::string event = audit_text(e, "event");
    const std::string where = "audit.jsonl regel " + std::to_string(i + 1);
    if (event == audit_event::opened) {
      opened = true;
      if (xml_sha256 &&
          (audit_text(e, "xml_sha256") != *xml_sha256 || audit_text(e, "document_sha256") != pdf.revision0_sha256)) {
        add(verdict, where, "de opening noemt een andere agreement.xml of een ander ongetekend contract");
      }
      continue;
    }
    if (event == audit_event::completed) {
      completed = e;
      completed_line = i + 1;
      continue;
    }
    if (event != audit_event::signed_) continue;
    const auto n = number_of(e, "revision");
    if (!n || *n < 1 || static_cast<std::size_t>(*n) > pdf.revisions.size()) {
      beyond.push_back(where.substr(std::string_view("audit.jsonl regel ").size()));
      continue;
    }
    const int revision = static_cast<int>(*n);
    if (!signed_at.emplace(revision, i + 1).second) {
      add(verdict, where,
          "revisie " + std::to_string(revision) + " staat al op regel " + std::to_string(signed_at[revision]) +
              " als ondertekend");
    }
    const SignedRevision& r = pdf.revisions[static_cast<std::size_t>(revision - 1)];
    const SignatureReport& s = verdict.signatures[static_cast<std::size_t>(revision - 1)];
    std::string differs;
    const auto compare = [&](const char* what, const std::string& got, const std::string& want) {
      if (got != want) differs += std::string(differs.empty() ? "" : ", ") + what;
    };
    compare("veld", audit_text(e, "field"), r.field);
    compare("tekenbevoegde", audit_text(e, "tekenbevoegde"), r.field);
    compare("revision_sha256", audit_text(e, "revision_sha256"), r.sha256);
    compare("certificate_sha256", audit_text(e, "certificate_sha256"), s.certificate_sha256);
    if (!differs.empty()) {
      add(verdict, where,
          "de ondertekening van revisie " + std::to_string(revision) + " klopt niet met de PDF: " + differs);
    }
  }
  if (xml_sha256 && !opened) add(verdict, "audit.jsonl", "het log heeft geen opening van deze versie");
  if (!beyond.empty()) {
    add(verdict, "audit.jsonl regel " + beyond.front(),
        std::to_string(beyond.size()) + " ondertekening(en) van revisies die contract.pdf niet (leesbaar) heeft" +
            (beyond.size() > 1 ? " (regels " + beyond.front() + " tot en met " + beyond.back() + ")" : ""));
  }
  for (const SignedRevision& r : pdf.revisions) {
    if (!signed_at.contains(r.number)) {
      add(verdict, "revisie " + std::to_string(r.number) + " (" + r.field + ")",
          "audit.jsonl heeft geen ondertekening voor deze revisie");
    }
  }
  check_anchors(lines, hashes, signed_at, completed_line, timestamps, wijziging == 0, trust, verdict);
  // The completion is appended in the same transaction as the last signature: a document every
  // partner is bound by without one in the log had it cut off (and with it its timestamp).
  if (completed_line == 0 && verdict.effective && !signed_at.empty()) {
    add(verdict, "audit.jsonl", "alle partners zijn gebonden, maar het log heeft geen voltooiing van dit document");
  }
  if (completed_line != 0) {
    const std::string where = "audit.jsonl regel " + std::to_string(completed_line);
    const std::string final_sha = pdf.revisions.empty() ? pdf.revision0_sha256 : pdf.revisions.back().sha256;
    if (audit_text(completed, "pdf_sha256") != final_sha ||
        number_of(completed, "revisions") != static_cast<std::int64_t>(pdf.revisions.size())) {
      add(verdict, where, "de voltooiing noemt een ander contract dan contract.pdf (hash of aantal revisies)");
    }
    const std::string effective = audit_text(completed, "effective");
    if (verdict.effective && effective.substr(0, 19) + "Z" != utc_text(*verdict.effective)) {
      add(verdict, where,
          "de voltooiing noemt ingangsdatum " + effective + ", het laatste tijdstempel is " +
              utc_text(*verdict.effective));
    }
    if (!verdict.effective) add(verdict, where, "voltooid volgens het log, maar niet alle partners zijn gebonden");
  }
}

}  // namespace sto::detail
