// The archive of a signed agreement: a folder that proves, years later and without our software
// or database, who signed what and when.
//
//   agreement.xml      the agreement exactly as opened (its SHA-256 is in every page's footer)
//   contract.pdf       revision 0 (the rendered contract) and one signing revision per signature
//   audit.jsonl        the agreement's hash-chained audit log, all versions (sto/audit.h)
//   ca.pem, tsa.pem    the installation's CA and timestamp authority certificates
//   bewijsdossier.pdf  the evidence report (identity, hashes, per tekenbevoegde every event,
//                      certificate, revision and timestamp; partners bound; effective date;
//                      eIDAS art. 26), rendered by our pipeline from the files above and signed
//                      and timestamped by the installation
//   manifest.json      every other file's SHA-256, the renderer and library versions, the audit
//                      chain's head, the CA's fingerprint, the export time
//   README.txt         how an auditor checks it: with `sto verify`, and with pdfsig and openssl
//
// The bewijsdossier says nothing the files do not prove: `sto verify` rebuilds its revision 0
// from the archive and compares the bytes, then checks the installation's signature on it.
#pragma once

#include <filesystem>
#include <string>

#include "sto/verify.h"
#include "sto/workflow.h"

namespace sto {

struct ExportResult {
  Verdict verdict;  // the contract's, as the installation sees it (its own CA confirmed)
  std::size_t files = 0;
};

// Writes the archive of the latest version of `kenmerk` to `dir`, which must not exist or be
// empty: everything is written and fsynced in a private folder beside it that takes the name
// `dir` in one step, so there is never half an archive. An incomplete agreement can be exported
// too (its verdict says so). Throws Refusal for an unknown kenmerk, sto::Error otherwise.
ExportResult export_archive(Werkruimte& werkruimte, const std::string& kenmerk, const std::filesystem::path& dir,
                            const std::filesystem::path& templates_dir);

struct ArchiveCheck {
  std::string ca_fingerprint;           // the auditor's (see sto/verify.h); empty: not confirmed
  std::string ca_pem;                   // the auditor's own copy of the CA; empty: the archive's ca.pem
  std::filesystem::path templates_dir;  // this build's templates
};

// The verdict on the archive in `dir`: every file against the manifest, the contract
// (sto/verify.h) with the archive's agreement, audit log, CA and TSA, and the bewijsdossier
// (re-rendered from the archive, byte for byte, and signed by a certificate of the same CA).
// Missing or altered files are findings, never exceptions.
Verdict verify_archive(const std::filesystem::path& dir, const ArchiveCheck& check);

}  // namespace sto
