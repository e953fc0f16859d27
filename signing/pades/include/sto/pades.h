// PAdES signatures in the contract: one incremental revision per signing act.
//
// What a revision holds (ETSI EN 319 142-1, PAdES baseline B-T):
// - a signature dictionary: /Filter /Adobe.PPKLite, /SubFilter /ETSI.CAdES.detached, /M (the
//   claimed signing time, UTC), /ByteRange covering the whole file except its own /Contents,
//   /Contents = a detached CMS SignedData (RFC 5652), SHA-256, ECDSA P-256, with exactly the
//   signed attributes content-type, message-digest and ESS signing-certificate-v2 (EN 319 142-1
//   §6.3: no signing-time attribute; the time is /M), and the audit anchor when the act has one
//   (below), the signer and CA certificates, and an
//   RFC 3161 signature-time-stamp over the signature value as unsigned attribute (B-T, §6.3);
// - a visible appearance (Form XObject) on the tekenbevoegde's field: "Digitaal ondertekend door
//   <naam>, <functie>, <partner>, <tijd>", in the contract's own embedded font;
// - that field, rewritten under its own object number with /V and /AP, and nothing else: the
//   fields exist, empty, since revision 0 (pipeline/render), so pages, /Annots and /AcroForm
//   never change;
// - a classic xref section and a trailer with /Prev.
//
// Storage: a directory per contract with 0000.pdf (revision 0, the rendered contract) and one
// file per signature, 0001.rev, 0002.rev, ... holding only the bytes that revision appends. The
// signed PDF is their concatenation. A revision file is written in full and fsynced before it
// gets its name (never replacing one), so a crash leaves the chain as it was or one revision
// longer, never a partial revision.
//
// Cost: SignedContract keeps the SHA-256 state of everything written so far and what it needs
// of the PDF's structure, so a signing act hashes and writes only its own revision, and reading
// another writer's revisions costs only theirs; nothing re-reads, re-parses or re-hashes the
// file. Opening a chain reads it once.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sto/agreement.h"
#include "sto/pki.h"

namespace sto {

// The audit chain's head as it stood just before a signing act (sto/audit.h): the act signs it,
// so a log rewritten later, even with every hash recomputed, no longer meets the signatures.
//
// A signed attribute of the CMS (docs/verify.md, "Anchoring"):
//   id-sto-auditAnchor OBJECT IDENTIFIER ::= { joint-iso-itu-t(2) uuid(25)
//                                              106012239465386006081543386930734727962 }
//   AuditAnchor ::= SEQUENCE { length INTEGER, head OCTET STRING (SIZE(32)) }
// `length` entries were in the chain, `head` is the hash of the last of them (the genesis, 32
// zero bytes, when there were none). An OID under 2.25 is a UUID (ITU-T X.667): unique without
// registration.
inline constexpr const char* kAuditAnchorOid = "2.25.106012239465386006081543386930734727962";
struct AuditAnchor {
  std::int64_t length = 0;
  std::string head;  // 64 lower-case hex digits
};

// One tekenbevoegde's signature.
struct SigningAct {
  std::string field;                  // the tekenbevoegde id: /T of its empty signature field
  SignerIdentity signer;              // subject of the certificate issued for this act
  std::time_t time = 0;               // the claimed signing time: /M and the appearance; the TSA gives its own
  std::optional<AuditAnchor> anchor;  // the workflow's acts carry one; a bare `sto sign` none
};
// The act of the tekenbevoegde `id` of `agreement` at `time`: the certificate names them, their
// functie, their partner (and its KvK number) and their e-mail address. Throws sto::Error when
// the agreement has no such tekenbevoegde.
SigningAct signing_act(const Agreement& agreement, std::string_view id, std::time_t time);

// The appearance text is the field's /TU, written by render from the same agreement: its glyphs
// are in the font's subset (see render.h), so no font is embedded per signature.

// What a signing act added, for the audit log and the archive.
struct Revision {
  int number = 0;                  // 1 for the first signature
  std::string field;               // the tekenbevoegde id
  std::size_t offset = 0;          // where the revision starts in the signed PDF
  std::size_t size = 0;            // its bytes
  std::string sha256;              // hex, of the whole signed PDF up to and including it
  std::string certificate_sha256;  // hex, of the signer certificate's DER
  std::string certificate_pem;     // the signer certificate
  std::size_t cms_size = 0;        // DER bytes of the CMS inside the reserved /Contents
  std::time_t timestamp = 0;       // the TSA's time (genTime) in the signature's token
};

// The room reserved for a signature's CMS, in bytes (written as twice as many hex digits): 4 KiB
// for the certificates and attributes plus what the TSA's tokens may need (TimestampAuthority::
// token_room). 6 KiB with the local TSA, of which about 3.2 KB are used; 10 KiB with an external
// one. A CMS that does not fit is an error, never truncated.
std::size_t signature_reserve(const TimestampAuthority& tsa);

// One signing revision of a signed PDF read from a single file (an archive's contract.pdf).
struct SignedRevision {
  int number = 0;             // 1 for the first signature
  std::string field;          // the tekenbevoegde id of the field it fills
  std::size_t offset = 0;     // where the revision starts in the file
  std::size_t size = 0;       // its bytes
  std::size_t gap_begin = 0;  // absolute: the '<' of /Contents, where the /ByteRange's gap starts
  std::size_t gap_end = 0;    // absolute: just past its '>'
  std::time_t claimed = 0;    // /M: the time the signer's side claims
  std::string cms;            // the DER /Contents holds, zero padding included
  std::string covered;        // SHA-256 (raw) of the file through this revision without the gap
  std::string sha256;         // hex, of the file through this revision (what the audit log records)
};

// What read_signed_pdf found.
struct SignedPdf {
  std::size_t revision0_size = 0;
  std::string revision0_sha256;           // hex
  std::vector<std::string> fields;        // every signature field, in document order
  std::vector<SignedRevision> revisions;  // the signing revisions, in file order
  std::string broken;                     // empty when the whole file is revision 0 + signing revisions
  std::size_t broken_at = 0;              // where the bytes that are no signing revision begin
  std::size_t bytes_hashed = 0;           // SHA-256 input over the whole reading (one pass + each gap's tail)
};

// Reads a signed PDF that is one file, revision 0 being its first `revision0_size` bytes (0: up
// to the first "%%EOF" line after which revision 0 parses). Every later revision must be exactly
// what a signing act writes (as SignedContract::open requires), found and checked in order; the
// CMS is returned unchecked, with the digest of the bytes its /ByteRange covers, for the caller
// to verify. Reading stops at the first bytes that are not such a revision (an incremental
// update of another kind, trailing bytes, a damaged revision): `broken` says why, and what came
// before is reported. The file is hashed once, plus each revision's bytes after its gap, which
// two digests need. Throws sto::Error when revision 0 is not a contract sto render makes.
SignedPdf read_signed_pdf(std::string_view pdf, std::size_t revision0_size = 0);

class SignedContract {
 public:
  // Starts a chain in `dir` (created; must not already hold one) with `revision0`, the rendered
  // contract (pipeline/render). Checks that it has empty signature fields. Throws sto::Error.
  static SignedContract create(const std::filesystem::path& dir, std::string_view revision0);

  // Reads the chain in `dir`: every file once. Each revision must be, byte for byte outside its
  // /Contents digits, what sign() writes for the field it fills at its /M, continuing the one
  // before; its CMS must carry the SHA-256 of its byte ranges. So a revision changes one empty
  // field and nothing else (no overridden, freed or hidden object, no xref stream, no new /Root,
  // no other appearance). No revision may follow a missing one, and qpdf, reading the whole file
  // without recovery, must agree. Throws sto::Error naming the file when it is missing or broken.
  static SignedContract open(const std::filesystem::path& dir);

  // Sets the one revision after the first `keep` aside (moved to verworpen/ in `dir`, both
  // directories fsynced), for a caller whose record of the signatures is one shorter than the
  // chain: a signing act whose revision was written but whose transaction did not commit. Nothing
  // is ever deleted, and when the chain is more than one longer than `keep` nothing is moved and
  // sto::Error is thrown (the record was changed). Objects reading the chain must be opened again.
  static void discard_after(const std::filesystem::path& dir, int keep);

  SignedContract(SignedContract&&) noexcept;
  SignedContract& operator=(SignedContract&&) noexcept;
  ~SignedContract();

  // Signs act.field: a certificate from `pki`, the CMS, a timestamp from `tsa`, the revision
  // appended and durable (written, fsynced, named) before it returns. Revisions another process
  // added since are read first. Throws sto::Error, with nothing written, when the field does not
  // exist or is already signed, the CMS does not fit, or the TSA fails. Not thread-safe:
  // signing acts on one contract are serialised by the caller.
  Revision sign(const SigningAct& act, const Pki& pki, TimestampAuthority& tsa);

  // Revisions on disk that this object has not seen yet (another process signed): read them,
  // checked as open() does, at the cost of their own bytes only. On error nothing changes.
  void refresh();

  int revisions() const;                    // signatures so far
  std::size_t size() const;                 // bytes of the signed PDF
  std::string sha256() const;               // hex, of the signed PDF
  std::vector<std::string> fields() const;  // every signature field, in document order
  std::vector<std::string> unsigned_fields() const;
  std::string pdf() const;                                  // the signed PDF (reads the files)
  void write_pdf(const std::filesystem::path& path) const;  // atomically

  struct State;

 private:
  explicit SignedContract(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace sto
