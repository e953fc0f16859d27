// The offline verdict on a signed agreement: no database, no network, nothing but what an
// archive holds and the auditor's own knowledge of the CA's fingerprint.
//
// What is checked, and in what order (each check reports findings; none stops the others):
// 1. Revision 0 is exactly what agreement.xml renders to: validated, rendered with this build's
//    templates and libraries, compared byte for byte. When the archive was made by another
//    renderer (VerifyInput::other_renderer), the bytes cannot match; then the page
//    content is compared instead (every page's decoded content stream, so text and positions)
//    and the verdict says which comparison was made. Never a silent pass: without agreement.xml,
//    revision 0 is "not checked", and the verdict cannot be "intact".
// 2. Per signature, in revision order: the revision is exactly what a signing act writes for that
//    field (sto/pades.h read_signed_pdf: /ByteRange covers the whole revision except its
//    /Contents, nothing else changed: no overridden, hidden or added object, no new /Root, no
//    other appearance, no bytes before revision 0 or after the last revision); the CMS verifies
//    (signature over its signed attributes, messageDigest = SHA-256 of the covered bytes, ESS
//    signing-certificate-v2 names the signer certificate); the certificate chains to the CA at the
//    timestamp's time; the RFC 3161 token verifies against the TSA certificate and imprints this
//    signature's value; /M lies within kClaimedTimeSlack of the timestamp; the certificate's
//    subject is the tekenbevoegde the field belongs to (naam, functie, partner, KvK, e-mail).
// 3. The CA is the one the auditor expects: its SHA-256 fingerprint equals `ca_fingerprint`.
//    Without one, or with another, the verdict is at best "untrusted".
// 4. The audit log (when given): the chain is unbroken from the genesis to `audit_head`; every
//    "signed" entry matches a revision (number, field, revision hash, certificate hash) and every
//    revision has exactly one; a "completed" entry names the final hash, the revision count and
//    the effective date.
// 5. Every partner is bound (all its listed tekenbevoegden signed); the effective date is the
//    latest signature timestamp.
//
// Verdicts: intact (every check passed, every tekenbevoegde signed, the CA confirmed; exit 0),
// incomplete (nothing broken, some have not signed), untrusted (nothing broken, but the CA was
// not confirmed), broken (anything else). Exit 1 for all but intact.
#pragma once

#include <cstddef>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sto/pki.h"

namespace sto {

// How far the claimed signing time (/M) may lie from the TSA's time: the signing act takes its
// time, then asks the TSA, which an external one may answer seconds later.
inline constexpr std::time_t kClaimedTimeSlack = 300;

enum class Oordeel { intact, incomplete, untrusted, broken };
std::string_view to_string(Oordeel oordeel);  // "intact", "incomplete", "untrusted", "broken"

// One thing found wrong (Finding in sto/diagnostics.h is the XML's kind).
struct Bevinding {
  std::string check;                 // revisie-0, pdf, handtekening, ca, audit, partners, archief
  std::string subject;               // where: "revisie 3 (t-penvoerder-1)", "audit.jsonl regel 12", "contract.pdf"
  std::string message;               // what is wrong, in Dutch, one line
  Oordeel effect = Oordeel::broken;  // the best verdict still possible with it
};

struct SignatureReport {
  int revision = 0;
  std::string field;               // the tekenbevoegde id
  std::string naam;                // from the certificate's CN
  std::string subject;             // the certificate's subject, one line
  std::string certificate_sha256;  // hex, of its DER
  std::string revision_sha256;     // hex, of the PDF through this revision
  std::time_t claimed = 0;         // /M
  std::time_t timestamp = 0;       // the token's genTime; 0 when unreadable
  // The audit chain as the signer's act found it (sto/pades.h AuditAnchor): its length and head;
  // -1 and empty when the signature carries none.
  std::int64_t anchor_length = -1;
  std::string anchor_head;
  std::string tsa_certificate_pem;  // the certificate that signed its timestamp token (from the token)
  bool valid = false;               // every check of this signature passed
};

// An RFC 3161 timestamp over the audit chain's head (an archive's audit-tijdstempels.jsonl).
struct KetenTijdstempel {
  std::int64_t seq = 0;             // the entry whose hash it imprints
  std::string head;                 // that hash, hex
  std::time_t time = 0;             // the token's genTime; 0 when it does not verify
  std::string tsa_certificate_pem;  // the certificate that signed it (from the token)
};

struct PartnerReport {
  std::string id;
  std::string naam;
  bool bound = false;
  std::vector<std::string> missing;  // ids of its tekenbevoegden without a valid signature
};

// One amendment of an archive (docs/amendment-format.md), as sto/archive.h verify_archive judged
// it: its own verdict (every check above, on the amendment's PDF) and its links in the chain.
struct WijzigingReport {
  std::int64_t nummer = 0;
  std::string soort;  // toetreding, uittreding, vervanging, bijdrage
  Oordeel oordeel = Oordeel::broken;
  std::vector<SignatureReport> signatures;
  std::size_t expected_signatures = 0;
  std::optional<std::time_t> effective;  // every signatory signed and nothing broken: the latest timestamp
  std::string pdf_sha256;                // hex, of the signed amendment
  std::string xml_sha256;                // hex, of its wijziging.xml
};

struct Verdict {
  Oordeel oordeel = Oordeel::broken;
  std::vector<Bevinding> findings;
  std::vector<SignatureReport> signatures;  // in revision order
  std::vector<PartnerReport> partners;      // in the agreement's order; empty without agreement
  std::size_t expected_signatures = 0;      // tekenbevoegden in the agreement (or fields in the PDF)
  std::string revision0_check;              // "bytes", "content" or "none"
  std::optional<std::time_t> effective;     // every partner bound and nothing broken: the latest timestamp
  std::string contract_sha256;              // hex, of the whole PDF
  std::string revision0_sha256;             // hex, of revision 0
  std::string ca_fingerprint;               // "AB:CD:…" of the CA used
  std::string audit_head;                   // recomputed; empty without audit log
  std::size_t audit_length = 0;
  std::vector<KetenTijdstempel> audit_timestamps;  // checked ones, by seq (archive)
  std::size_t bytes_hashed = 0;                    // SHA-256 input for the PDF (one pass plus each revision's tail)
  std::vector<std::string> notes;                  // what was checked how, when it is not the obvious way
  std::vector<WijzigingReport> wijzigingen;        // an archive's amendments, in order (verify_archive)
};

// An amendment to check in place of the contract: VerifyInput::pdf is then the signed amendment
// and VerifyInput::agreement_xml the contract's agreement.
struct WijzigingInput {
  std::int64_t nummer = 0;
  std::string xml;                   // its wijziging.xml
  std::vector<std::string> earlier;  // the wijziging.xml of the completed amendments before it, in order
};

struct VerifyInput {
  std::string pdf;                           // the signed contract
  std::optional<std::string> agreement_xml;  // its agreement; without it revision 0 is not checked
  std::optional<std::string> audit_jsonl;    // the audit log; without it the audit is not checked
  std::optional<std::string> audit_head;     // the head the log must reach (manifest)
  // audit-tijdstempels.jsonl: a line {"head","seq","token" (hex DER)} per timestamp over the chain;
  // given, every "completed" entry of the log must have one. Not given: not checked (a bare PDF).
  std::optional<std::string> audit_timestamps;
  std::string ca_pem;  // the CA the signatures chain to
  // The TSA certificates (PEM, one or more: every TSA the tokens were signed by, or the issuer
  // of one); each token must be signed by one of them or chain to one. Empty: any TSA the CA
  // issued.
  std::string tsa_pem;
  std::string ca_fingerprint;  // the auditor's expectation ("AB:CD:…" or plain hex); empty: none
  // Set when revision 0 was made by another renderer than this build (other sto, libharu or
  // qpdf versions, other templates or fonts): says which. Then revision 0 is compared by content.
  // Empty: this build made it, or nobody says otherwise; the bytes must match.
  std::string other_renderer;
  std::filesystem::path templates_dir;      // this build's templates (re-rendering)
  std::optional<WijzigingInput> wijziging;  // set: `pdf` is this amendment, checked against its document
};

// The verdict on `input`. Throws only for errors of this machine (templates missing, out of
// memory); everything wrong with the input is a finding.
Verdict verify(const VerifyInput& input);

// A document the installation signed itself (an archive's bewijsdossier): `pdf` must be
// `revision0` followed by exactly one signing revision of `field`, by a certificate naming
// `signer`, chaining to `ca_pem`, timestamped by `tsa_pem`. With `by_content` (another renderer
// made it), revision 0 is compared by page content instead of bytes. Returns what is wrong;
// empty: valid.
std::vector<std::string> verify_installation_document(std::string_view pdf, const std::string& revision0,
                                                      const std::string& field, const SignerIdentity& signer,
                                                      const std::string& ca_pem, const std::string& tsa_pem,
                                                      bool by_content);

// Adds `finding` and lowers the oordeel accordingly (for callers that check more, the archive).
void add_finding(Verdict& verdict, Bevinding finding);

// "AB:CD:…" (upper-case, colons), from any case with or without colons; empty when not 64 hex digits.
std::string normalize_fingerprint(std::string_view text);

// "2026-11-26T08:35:57Z": how the verdict (and the archive) writes a time.
std::string utc_text(std::time_t t);

// The SHA-256 fingerprint ("AB:CD:…") of the first certificate in `pem`; empty when none.
std::string certificate_fingerprint(const std::string& pem);
// The SHA-256 fingerprint of every certificate in `pem`, in order.
std::vector<std::string> certificate_fingerprints(const std::string& pem);

// The TSA certificates whose tokens `verdict` found valid (its signatures', its amendments' and
// the audit chain's timestamps), each once, in order of first use, as PEM text: what an archive's
// tsa.pem holds.
std::string timestamp_certificates(const Verdict& verdict);

// For people: the verdict first, then findings, signatures and partners. For machines: JSON.
std::string describe(const Verdict& verdict);
std::string to_json(const Verdict& verdict);

}  // namespace sto
