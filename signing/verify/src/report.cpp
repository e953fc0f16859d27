// The verdict for people (Dutch, the conclusion first) and for machines (JSON, stable keys).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "sto/utf8.h"
#include "sto/verify.h"

namespace sto {

namespace {

std::string_view headline(Oordeel o) {
  switch (o) {
    case Oordeel::intact:
      return "INTACT: volledig ondertekend en ongeschonden";
    case Oordeel::incomplete:
      return "ONVOLLEDIG: niets geschonden, maar nog niet iedereen heeft ondertekend";
    case Oordeel::untrusted:
      return "NIET BEVESTIGD: niets geschonden gevonden, maar niet alles kon bevestigd worden";
    case Oordeel::broken:
      return "GESCHONDEN of ONGELDIG: zie de bevindingen";
  }
  return "";
}

std::string time_or_dash(std::time_t t) { return t == 0 ? "-" : utc_text(t); }

}  // namespace

std::string utc_text(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string describe(const Verdict& v) {
  std::ostringstream out;
  out << "Oordeel: " << headline(v.oordeel) << "\n";
  out << "Contract: SHA-256 " << v.contract_sha256 << ", " << v.signatures.size() << " handtekening(en), "
      << v.expected_signatures << " verwacht\n";
  out << "Revisie 0: "
      << (v.revision0_check == "bytes"     ? "byte voor byte gelijk aan agreement.xml, opnieuw gerenderd"
          : v.revision0_check == "content" ? "inhoud gelijk aan agreement.xml, opnieuw gerenderd (andere renderer)"
                                           : "niet bevestigd")
      << " (SHA-256 " << v.revision0_sha256 << ")\n";
  out << "CA: " << (v.ca_fingerprint.empty() ? "-" : v.ca_fingerprint) << "\n";
  if (!v.audit_head.empty()) {
    std::size_t anchored = 0;
    for (const SignatureReport& s : v.signatures) anchored += s.anchor_length >= 0 ? 1 : 0;
    out << "Audit-log: " << v.audit_length << " regels, kop " << v.audit_head << "; verankerd in " << anchored
        << " handtekening(en) en " << v.audit_timestamps.size() << " tijdstempel(s) over de keten\n";
  }
  for (const std::string& tsa : certificate_fingerprints(timestamp_certificates(v))) out << "TSA: " << tsa << "\n";
  out << "In werking: " << (v.effective ? utc_text(*v.effective) : "nee") << "\n";
  for (const std::string& note : v.notes) out << "Let op: " << printable(note) << "\n";
  if (!v.findings.empty()) {
    out << "\nBevindingen (" << v.findings.size() << "):\n";
    for (const Bevinding& f : v.findings) {
      out << "  [" << printable(f.check) << "] " << printable(f.subject) << ": " << printable(f.message) << "\n";
    }
  }
  if (!v.signatures.empty()) {
    out << "\nHandtekeningen:\n";
    for (const SignatureReport& s : v.signatures) {
      out << "  " << s.revision << ". " << printable(s.field) << " " << (s.naam.empty() ? "?" : printable(s.naam))
          << ", tijdstempel " << time_or_dash(s.timestamp) << ": " << (s.valid ? "geldig" : "ONGELDIG") << "\n";
    }
  }
  if (!v.wijzigingen.empty()) {
    out << "\nWijzigingen (" << v.wijzigingen.size() << "):\n";
    for (const WijzigingReport& w : v.wijzigingen) {
      std::size_t valid = 0;
      for (const SignatureReport& s : w.signatures) valid += s.valid ? 1 : 0;
      out << "  wijziging " << w.nummer << " (" << printable(w.soort) << "): " << to_string(w.oordeel) << ", " << valid
          << " van " << w.expected_signatures << " handtekeningen geldig, in werking "
          << (w.effective ? utc_text(*w.effective) : "nee") << ", SHA-256 " << w.pdf_sha256 << "\n";
    }
  }
  if (!v.partners.empty()) {
    std::size_t bound = 0;
    for (const PartnerReport& p : v.partners) bound += p.bound ? 1 : 0;
    out << "\nPartners: " << bound << " van " << v.partners.size() << " gebonden\n";
    for (const PartnerReport& p : v.partners) {
      if (p.bound) continue;
      out << "  niet gebonden: " << printable(p.naam) << " (" << printable(p.id) << ")\n";
    }
  }
  return out.str();
}

std::string to_json(const Verdict& v) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("verdict", std::string(to_string(v.oordeel)));
  root.set("contract_sha256", v.contract_sha256);
  root.set("revision0_sha256", v.revision0_sha256);
  root.set("revision0_check", v.revision0_check);
  root.set("ca_fingerprint", v.ca_fingerprint);
  root.set("expected_signatures", static_cast<Poco::UInt64>(v.expected_signatures));
  if (v.effective) {
    root.set("effective", utc_text(*v.effective));
  } else {
    root.set("effective", Poco::Dynamic::Var());
  }
  root.set("audit_head", v.audit_head);
  root.set("audit_length", static_cast<Poco::UInt64>(v.audit_length));
  Poco::JSON::Array stamps;
  for (const KetenTijdstempel& t : v.audit_timestamps) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("seq", t.seq);
    o.set("head", t.head);
    o.set("time", time_or_dash(t.time));
    o.set("tsa_fingerprint", certificate_fingerprint(t.tsa_certificate_pem));
    stamps.add(o);
  }
  root.set("audit_timestamps", stamps);
  Poco::JSON::Array tsas;
  for (const std::string& tsa : certificate_fingerprints(timestamp_certificates(v))) tsas.add(tsa);
  root.set("tsa_fingerprints", tsas);
  root.set("bytes_hashed", static_cast<Poco::UInt64>(v.bytes_hashed));
  Poco::JSON::Array notes;
  for (const std::string& n : v.notes) notes.add(n);
  root.set("notes", notes);
  Poco::JSON::Array findings;
  for (const Bevinding& f : v.findings) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("check", f.check);
    o.set("subject", f.subject);
    o.set("message", f.message);
    o.set("effect", std::string(to_string(f.effect)));
    findings.add(o);
  }
  root.set("findings", findings);
  Poco::JSON::Array signatures;
  for (const SignatureReport& s : v.signatures) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("revision", s.revision);
    o.set("field", s.field);
    o.set("naam", s.naam);
    o.set("subject", s.subject);
    o.set("certificate_sha256", s.certificate_sha256);
    o.set("revision_sha256", s.revision_sha256);
    o.set("claimed", time_or_dash(s.claimed));
    o.set("timestamp", time_or_dash(s.timestamp));
    o.set("tsa_fingerprint", certificate_fingerprint(s.tsa_certificate_pem));
    if (s.anchor_length >= 0) {
      Poco::JSON::Object anchor(Poco::JSON_PRESERVE_KEY_ORDER);
      anchor.set("length", s.anchor_length);
      anchor.set("head", s.anchor_head);
      o.set("audit_anchor", anchor);
    } else {
      o.set("audit_anchor", Poco::Dynamic::Var());
    }
    o.set("valid", s.valid);
    signatures.add(o);
  }
  root.set("signatures", signatures);
  Poco::JSON::Array partners;
  for (const PartnerReport& p : v.partners) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("id", p.id);
    o.set("naam", p.naam);
    o.set("bound", p.bound);
    Poco::JSON::Array missing;
    for (const std::string& m : p.missing) missing.add(m);
    o.set("missing", missing);
    partners.add(o);
  }
  root.set("partners", partners);
  Poco::JSON::Array wijzigingen;
  for (const WijzigingReport& w : v.wijzigingen) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("nummer", w.nummer);
    o.set("soort", w.soort);
    o.set("verdict", std::string(to_string(w.oordeel)));
    o.set("pdf_sha256", w.pdf_sha256);
    o.set("xml_sha256", w.xml_sha256);
    o.set("signatures", static_cast<Poco::UInt64>(w.signatures.size()));
    o.set("expected_signatures", static_cast<Poco::UInt64>(w.expected_signatures));
    o.set("effective", w.effective ? Poco::Dynamic::Var(utc_text(*w.effective)) : Poco::Dynamic::Var());
    wijzigingen.add(o);
  }
  root.set("wijzigingen", wijzigingen);
  std::ostringstream out;
  root.stringify(out, 2);
  return out.str() + "\n";
}

}  // namespace sto
