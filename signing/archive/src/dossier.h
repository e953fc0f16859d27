// Private: the bewijsdossier (evidence report) of an archive, as a PDF rendered by our own
// pipeline (sto/template.h Document -> sto/layout.h lay_out -> sto/render.h PdfRenderer).
//
// Everything it prints comes from DossierData, which the archive derives from the archive's own
// files (agreement.xml, contract.pdf, audit.jsonl, ca.pem, manifest.json). So `sto verify`
// rebuilds the same DossierData from an archive and re-renders revision 0 of the bewijsdossier
// byte for byte: the report cannot say anything the archive does not prove. Hence: no clock, no
// random source, no locale; the same data gives the same bytes.
//
// The PDF has exactly one empty signature field, named kDossierField, which the installation
// signs (PAdES, like a tekenbevoegde's signature) when it exports the archive.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace sto::detail {

inline constexpr const char* kDossierField = "installatie";

// One audit-log event of a tekenbevoegde, as the log holds it.
struct DossierEvent {
  std::string time;        // ISO 8601 UTC with milliseconds, "2026-11-26T08:35:57.123Z"
  std::string event;       // opened, invited, viewed, pdf-downloaded, signed, declined, reminded, ...
  std::string ip;          // empty when the event has none (e.g. invited)
  std::string user_agent;  // empty when none
  std::string detail;      // e.g. the decline reason, the mail's Message-ID; empty when none
};

struct DossierSignatory {
  std::string id;  // tekenbevoegde id
  std::string naam;
  std::string functie;
  std::string hoedanigheid;  // as printed in the contract ("bestuurder", ...)
  std::string email;
  std::string partner;  // partner name
  std::string state;    // "ondertekend", "geweigerd" or "niet ondertekend"
  // Only when signed (else empty / 0):
  int revision = 0;
  std::string revision_sha256;       // hex, of the PDF through that revision
  std::string certificate_sha256;    // hex, of the signer certificate's DER
  std::string certificate_subject;   // one line, e.g. "CN=…, title=…, O=…"
  std::string claimed_time;          // /M, ISO UTC
  std::string timestamp;             // the TSA's genTime, ISO UTC
  std::string anchor;                // the audit chain the act signed: "regel 23: <hash>"; empty: none
  std::vector<DossierEvent> events;  // in log order
};

struct DossierPartner {
  std::string id;
  std::string naam;
  std::string rol;     // "penvoerder" or the partner soort as printed
  bool bound = false;  // every listed tekenbevoegde signed
};

// An amendment the archive holds (docs/amendment-format.md), as its own verdict found it.
struct DossierWijziging {
  std::string nummer;
  std::string soort;
  std::string xml_sha256;               // hex, of its wijziging.xml
  std::string pdf_sha256;               // hex, of the signed amendment
  std::string effective;                // ISO UTC; empty when not in effect
  std::string verdict;                  // one line, as the contract's
  std::vector<std::string> signatures;  // "revisie 1 (s2): Naam, tijdstempel …, geldig"
};

struct DossierData {
  std::string regio;    // "<nummer> <naam>"
  std::string kenmerk;  // the agreement's kenmerk
  std::string versie;
  std::string title;             // the agreement's title
  std::string agreement_sha256;  // hex, of agreement.xml
  std::string revision0_sha256;  // hex, of the unsigned contract (revision 0)
  std::string contract_sha256;   // hex, of contract.pdf (all revisions)
  std::size_t contract_bytes = 0;
  int revisions = 0;
  std::string audit_head;  // hex, the hash of the last audit entry
  std::size_t audit_length = 0;
  std::string ca_fingerprint;                 // "AB:CD:…" SHA-256
  std::vector<std::string> tsa_fingerprints;  // same form: every TSA certificate in tsa.pem
  // The timestamps over the audit chain (audit-tijdstempels.jsonl): "regel 41: <hash>, <time>".
  std::vector<std::string> audit_timestamps;
  std::string effective;  // ISO UTC date-time the agreement took effect; empty when not complete
  std::string verdict;    // one line: "volledig en ongeschonden", "onvolledig: 3 van 140 handtekeningen ontbreken", ...
  std::string exported;   // ISO UTC time of the export (from manifest.json)
  std::string producer;   // sto::producer()
  // SHA-256 (hex) of the archive's other small files, so that this signed report pins them too:
  // ca.pem, tsa.pem, audit-tijdstempels.jsonl, README.txt (in that order; name, hash).
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<DossierSignatory> signatories;  // in the contract's order
  std::vector<DossierPartner> partners;       // in the contract's order
  std::vector<DossierWijziging> wijzigingen;  // the archive's amendments, in order
};

// Revision 0 of the bewijsdossier for `data`, with the fonts under `templates_dir`/fonts.
// Throws sto::Error (sto::UnprintableText for characters the fonts cannot draw).
std::string render_dossier(const DossierData& data, const std::filesystem::path& templates_dir);

}  // namespace sto::detail
