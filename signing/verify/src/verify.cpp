// The verdict: every check runs and reports; none stops the others, so an auditor sees all that
// is wrong at once. Only revision 0 gates the rest: without it no revision can be read.
#include "sto/verify.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "audit_check.h"
#include "revision0.h"
#include "signature.h"
#include "sto/diagnostics.h"
#include "sto/pades.h"
#include "sto/pki.h"
#include "sto/render.h"

namespace sto {

namespace {

int rank(Oordeel o) {
  switch (o) {
    case Oordeel::intact:
      return 0;
    case Oordeel::incomplete:
      return 1;
    case Oordeel::untrusted:
      return 2;
    case Oordeel::broken:
      return 3;
  }
  return 3;
}

// A certificate from PEM text; null when there is none.
ossl::Certificate read_pem(const std::string& pem) {
  if (pem.empty()) return nullptr;
  std::unique_ptr<BIO, ossl::Deleter<BIO, BIO_free_all>> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::Certificate c(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  return c;
}

// Every certificate in PEM text, in order.
std::vector<ossl::Certificate> read_pems(const std::string& pem) {
  std::vector<ossl::Certificate> out;
  if (pem.empty()) return out;
  std::unique_ptr<BIO, ossl::Deleter<BIO, BIO_free_all>> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (bio) {
    ossl::Certificate c(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!c) break;
    out.push_back(std::move(c));
  }
  ERR_clear_error();
  return out;
}

std::vector<X509*> pointers(const std::vector<ossl::Certificate>& certificates) {
  std::vector<X509*> out;
  for (const auto& c : certificates) out.push_back(c.get());
  return out;
}

std::string revision_name(const SignedRevision& r) {
  return "revisie " + std::to_string(r.number) + " (" + r.field + ")";
}

// The tekenbevoegden of the agreement by id, with what their certificate must say.
std::map<std::string, detail::ExpectedSigner> expected_signers(const Agreement& agreement) {
  std::map<std::string, detail::ExpectedSigner> out;
  for (const Partner& p : agreement.partners) {
    for (const Tekenbevoegde& t : p.tekenbevoegden) {
      out[t.id] = {true, {t.naam, t.functie, p.naam.value, p.kvk ? p.kvk->value : "", t.email}};
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(Oordeel oordeel) {
  switch (oordeel) {
    case Oordeel::intact:
      return "intact";
    case Oordeel::incomplete:
      return "incomplete";
    case Oordeel::untrusted:
      return "untrusted";
    case Oordeel::broken:
      return "broken";
  }
  return "broken";
}

void add_finding(Verdict& verdict, Bevinding finding) {
  if (rank(finding.effect) > rank(verdict.oordeel)) verdict.oordeel = finding.effect;
  verdict.findings.push_back(std::move(finding));
}

std::string normalize_fingerprint(std::string_view text) {
  std::string hex;
  for (const char c : text) {
    if (c == ':' || c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 64) return {};
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) out += (i == 0 ? "" : ":") + hex.substr(i, 2);
  return out;
}

std::vector<std::string> verify_installation_document(std::string_view pdf, const std::string& revision0,
                                                      const std::string& field, const SignerIdentity& signer,
                                                      const std::string& ca_pem, const std::string& tsa_pem,
                                                      bool by_content) {
  const bool same_bytes = pdf.substr(0, revision0.size()) == revision0;
  if (!same_bytes && !by_content) {
    return {"revisie 0 is niet wat het archief oplevert: het document zegt iets anders dan de bestanden"};
  }
  SignedPdf read;
  try {
    read = read_signed_pdf(pdf, same_bytes ? revision0.size() : 0);
  } catch (const Error& e) {
    return {e.what()};
  }
  if (!same_bytes) {
    const std::string difference =
        detail::content_difference(revision0, std::string(pdf.substr(0, read.revision0_size)));
    if (!difference.empty()) return {"de inhoud zegt iets anders dan de bestanden van het archief: " + difference};
  }
  std::vector<std::string> problems;
  if (!read.broken.empty()) problems.push_back(read.broken);
  if (read.revisions.size() != 1 || read.revisions[0].field != field) {
    problems.push_back("niet precies één handtekening in veld " + field);
    return problems;
  }
  const ossl::Certificate ca = read_pem(ca_pem);
  const std::vector<ossl::Certificate> tsas = read_pems(tsa_pem);
  if (!ca) return {"geen leesbaar CA-certificaat"};
  detail::SignatureCheck c = detail::check_signature(read.revisions[0], {ca.get(), pointers(tsas)}, {true, signer});
  problems.insert(problems.end(), c.problems.begin(), c.problems.end());
  return problems;
}

std::string certificate_fingerprint(const std::string& pem) {
  const ossl::Certificate c = read_pem(pem);
  return c ? normalize_fingerprint(to_hex(sha256(certificate_der(c.get())))) : std::string();
}

std::vector<std::string> certificate_fingerprints(const std::string& pem) {
  std::vector<std::string> out;
  for (const auto& c : read_pems(pem)) out.push_back(normalize_fingerprint(to_hex(sha256(certificate_der(c.get())))));
  return out;
}

std::string timestamp_certificates(const Verdict& verdict) {
  std::vector<std::string> seen;
  const auto add = [&](const std::string& pem) {
    if (!pem.empty() && std::find(seen.begin(), seen.end(), pem) == seen.end()) seen.push_back(pem);
  };
  for (const SignatureReport& s : verdict.signatures) add(s.valid ? s.tsa_certificate_pem : "");
  for (const WijzigingReport& w : verdict.wijzigingen) {
    for (const SignatureReport& s : w.signatures) add(s.valid ? s.tsa_certificate_pem : "");
  }
  for (const KetenTijdstempel& t : verdict.audit_timestamps) add(t.tsa_certificate_pem);
  std::string out;
  for (const std::string& pem : seen) out += pem;
  return out;
}

Verdict verify(const VerifyInput& in) {
  Verdict v;
  v.oordeel = Oordeel::intact;
  v.revision0_check = "none";

  // 1. Revision 0, re-rendered.
  std::optional<Agreement> agreement;
  std::string rendered;
  std::size_t revision0_size = 0;
  if (!in.agreement_xml) {
    add_finding(v, {"revisie-0", "contract.pdf", "niet gecontroleerd: geen agreement.xml om revisie 0 mee te renderen",
                    Oordeel::untrusted});
  } else {
    detail::Rerendered r = in.wijziging ? detail::rerender_wijziging(*in.agreement_xml, in.wijziging->earlier,
                                                                     in.wijziging->xml, in.templates_dir)
                                        : detail::rerender(*in.agreement_xml, in.templates_dir);
    for (std::string& p : r.problems) {
      add_finding(v, {"revisie-0", in.wijziging ? "wijziging.xml" : "agreement.xml", std::move(p)});
    }
    agreement = std::move(r.agreement);
    rendered = std::move(r.pdf);
    if (!rendered.empty() && in.pdf.compare(0, rendered.size(), rendered) == 0) {
      revision0_size = rendered.size();
      v.revision0_check = "bytes";
    }
  }
  // Made by this renderer (or by one the archive does not name), revision 0 must be our bytes;
  // said here, before the revisions are read, since a file that is no contract stops the reading.
  const bool other_renderer = !in.other_renderer.empty();
  if (!rendered.empty() && v.revision0_check != "bytes" && !other_renderer) {
    std::size_t first = 0;
    while (first < in.pdf.size() && first < rendered.size() && in.pdf[first] == rendered[first]) ++first;
    add_finding(v, {"revisie-0", "contract.pdf byte " + std::to_string(first),
                    "revisie 0 is niet byte voor byte wat agreement.xml oplevert (eerste verschil bij byte " +
                        std::to_string(first) + ")"});
  }

  // 2. The revisions after it.
  SignedPdf pdf;
  try {
    pdf = read_signed_pdf(in.pdf, revision0_size);
  } catch (const Error& e) {
    add_finding(v, {"pdf", "revisie 0", std::string("geen contract van sto: ") + e.what()});
    v.contract_sha256 = to_hex(sha256(in.pdf));
    return v;
  }
  v.bytes_hashed = pdf.bytes_hashed;
  v.revision0_sha256 = pdf.revision0_sha256;
  if (!pdf.broken.empty()) {
    add_finding(v, {"pdf", "contract.pdf byte " + std::to_string(pdf.broken_at), pdf.broken});
    v.contract_sha256 = to_hex(sha256(in.pdf));  // the reading stopped short of the end
    v.bytes_hashed += in.pdf.size();
  } else {
    v.contract_sha256 = pdf.revisions.empty() ? pdf.revision0_sha256 : pdf.revisions.back().sha256;
  }
  if (!rendered.empty() && v.revision0_check != "bytes" && other_renderer) {
    v.notes.push_back("revisie 0 is gemaakt door " + in.other_renderer + ", deze controle is " + producer() +
                      ": de bytes kunnen niet gelijk zijn, dus is de inhoud vergeleken (tekst en plaats per pagina, "
                      "velden)");
    const std::string difference =
        detail::content_difference(rendered, std::string(std::string_view(in.pdf).substr(0, pdf.revision0_size)));
    if (difference.empty()) {
      v.revision0_check = "content";
    } else {
      add_finding(v, {"revisie-0", "contract.pdf",
                      "de inhoud van revisie 0 is niet wat agreement.xml oplevert: " + difference});
    }
  }

  // 3. The CA the auditor expects.
  const ossl::Certificate ca = read_pem(in.ca_pem);
  const std::vector<ossl::Certificate> tsa_certificates = read_pems(in.tsa_pem);
  const std::vector<X509*> tsas = pointers(tsa_certificates);
  if (!ca) {
    add_finding(v, {"ca", "ca.pem", "geen leesbaar CA-certificaat"});
  } else {
    v.ca_fingerprint = normalize_fingerprint(to_hex(sha256(certificate_der(ca.get()))));
    const std::string expected = normalize_fingerprint(in.ca_fingerprint);
    if (in.ca_fingerprint.empty()) {
      add_finding(v, {"ca", "ca.pem",
                      "niet bevestigd: vergelijk de vingerafdruk " + v.ca_fingerprint +
                          " met die de penvoerder publiceerde en geef hem mee met --ca-fingerprint",
                      Oordeel::untrusted});
    } else if (expected != v.ca_fingerprint) {
      add_finding(v, {"ca", "ca.pem",
                      "de vingerafdruk van de CA is " + v.ca_fingerprint + ", niet de verwachte " +
                          (expected.empty() ? in.ca_fingerprint : expected),
                      Oordeel::untrusted});
    }
  }
  if (!in.tsa_pem.empty() && tsas.empty()) add_finding(v, {"ca", "tsa.pem", "geen leesbaar TSA-certificaat"});

  // 4. Every signature.
  const auto signers = agreement ? expected_signers(*agreement) : std::map<std::string, detail::ExpectedSigner>{};
  for (const SignedRevision& r : pdf.revisions) {
    detail::SignatureCheck c;
    if (ca) {
      const auto who = signers.find(r.field);
      c = detail::check_signature(r, {ca.get(), tsas}, who != signers.end() ? who->second : detail::ExpectedSigner{});
      if (agreement && who == signers.end())
        c.problems.push_back("het veld hoort bij geen tekenbevoegde van agreement.xml");
    } else {
      c.report.revision = r.number;
      c.report.field = r.field;
      c.report.revision_sha256 = r.sha256;
      c.problems.push_back("niet te controleren zonder CA");
    }
    c.report.valid = c.problems.empty();
    for (std::string& p : c.problems) add_finding(v, {"handtekening", revision_name(r), std::move(p)});
    v.signatures.push_back(std::move(c.report));
  }

  // 5. Partners bound, the effective date.
  std::map<std::string, const SignatureReport*> valid;
  for (const SignatureReport& s : v.signatures) {
    if (s.valid) valid[s.field] = &s;
  }
  std::vector<std::string> missing;
  if (agreement) {
    for (const Partner& p : agreement->partners) {
      PartnerReport report{p.id, p.naam.value, true, {}};
      for (const Tekenbevoegde& t : p.tekenbevoegden) {
        ++v.expected_signatures;
        if (!valid.contains(t.id)) report.missing.push_back(t.id);
      }
      report.bound = report.missing.empty();
      missing.insert(missing.end(), report.missing.begin(), report.missing.end());
      v.partners.push_back(std::move(report));
    }
  } else {
    for (const std::string& field : pdf.fields) {
      ++v.expected_signatures;
      if (!valid.contains(field)) missing.push_back(field);
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 10; ++i) list += (i == 0 ? "" : ", ") + missing[i];
    if (missing.size() > 10) list += ", …";
    const std::size_t bound = static_cast<std::size_t>(
        std::count_if(v.partners.begin(), v.partners.end(), [](const PartnerReport& p) { return p.bound; }));
    add_finding(v, {"partners", "overeenkomst",
                    std::to_string(v.expected_signatures - missing.size()) + " van " +
                        std::to_string(v.expected_signatures) + " tekenbevoegden hebben geldig ondertekend" +
                        (agreement ? " (" + std::to_string(bound) + " van " + std::to_string(v.partners.size()) +
                                         " partners gebonden)"
                                   : "") +
                        "; ontbreekt: " + list,
                    Oordeel::incomplete});
  } else if (v.expected_signatures > 0) {
    std::time_t latest = 0;
    for (const auto& [field, s] : valid) latest = std::max(latest, s->timestamp);
    v.effective = latest;
  }

  // 6. The audit log.
  if (in.audit_jsonl && !in.audit_head) {
    // A log that only agrees with itself proves nothing: anyone can write one and chain it.
    add_finding(v, {"audit", "audit.jsonl",
                    "de kop van het log is niet bevestigd: geef --audit-head (uit manifest.json of het bewijsdossier)",
                    Oordeel::untrusted});
  }
  if (in.audit_jsonl) {
    detail::check_audit(*in.audit_jsonl, in.audit_head,
                        agreement ? std::optional<std::int64_t>(agreement->versie) : std::nullopt,
                        in.wijziging ? in.wijziging->nummer : 0,
                        agreement ? std::optional<std::string>(agreement->xml_sha256) : std::nullopt, pdf,
                        in.audit_timestamps, {ca.get(), tsas}, v);
  } else {
    add_finding(v, {"audit", "audit.jsonl", "niet gecontroleerd: geen audit-log", Oordeel::untrusted});
  }
  // An effective date is only stated for an agreement whose proof holds.
  if (v.oordeel == Oordeel::broken) v.effective.reset();
  return v;
}

}  // namespace sto
