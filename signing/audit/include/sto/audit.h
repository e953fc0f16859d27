// The audit log: append-only and hash-chained, one chain per agreement (kenmerk), spanning its
// versions.
//
// An entry is a flat JSON object of strings and integers. Its canonical form is that object with
// its keys sorted by code point, no white space, strings in UTF-8 escaping only '"', '\\' and
// control characters (as \n, \r, \t, \b, \f or \u00XX) — byte for byte what Python's
// `json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` prints, so an
// auditor can recompute it without our software.
//
// Chaining: hash(n) = SHA-256(hash(n-1) as 64 lower-case hex digits ‖ canonical(entry n)), and
// hash(0) of the first entry's predecessor is 64 zeros (the genesis). An entry carries "seq"
// (1, 2, …) so a removed or reordered line shows as a gap even where hashes are recomputed. A
// line of audit.jsonl is the canonical form of the entry with its "hash" added (and re-sorted).
//
// This module is pure: no I/O. The store persists each entry in the same transaction as the
// state change it records.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sto {

using AuditValue = std::variant<std::string, std::int64_t>;
using AuditEntry = std::map<std::string, AuditValue, std::less<>>;

// Event names, stable: the archive and its verifier read them.
namespace audit_event {
inline constexpr std::string_view opened = "opened";
inline constexpr std::string_view invited = "invited";
inline constexpr std::string_view mail_failed = "mail-failed";
inline constexpr std::string_view viewed = "viewed";
inline constexpr std::string_view pdf_downloaded = "pdf-downloaded";
inline constexpr std::string_view signed_ = "signed";
inline constexpr std::string_view declined = "declined";
inline constexpr std::string_view reminded = "reminded";
inline constexpr std::string_view expired = "expired";
inline constexpr std::string_view revoked = "revoked";
inline constexpr std::string_view completed = "completed";
// A tekenbevoegde's address corrected ("old_email", "email"): their earlier links are revoked.
inline constexpr std::string_view email_changed = "email-changed";
// The agreement's reminder schedule changed ("na_dagen", "dagen_voor_verloop", "aan").
inline constexpr std::string_view schedule_changed = "schedule-changed";
}  // namespace audit_event

inline constexpr std::string_view kAuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

// The canonical JSON of `entry` (see above). Throws sto::Error for a string that is not UTF-8.
std::string canonical_json(const AuditEntry& entry);

// SHA-256(previous ‖ canonical), lower-case hex.
std::string chain_hash(std::string_view previous, std::string_view canonical);

// One stored link of the chain.
struct AuditRecord {
  std::int64_t seq = 0;   // 1-based position in its agreement's chain
  std::string canonical;  // canonical_json of the entry (which holds "seq" too)
  std::string hash;       // chain_hash(previous hash, canonical)
};

// The line of audit.jsonl for `record`: its entry with "hash" added, canonical.
std::string jsonl_line(const AuditRecord& record);

// Parses a flat JSON object of strings and integers (an audit line). Throws sto::Error for
// anything else: nesting, floats, booleans, null, duplicate keys, trailing bytes, bad UTF-8.
AuditEntry parse_flat_json(std::string_view text);

// The lines of audit.jsonl text: each '\n' ends one (the last need not), so a final newline does
// not make an empty last line.
std::vector<std::string> jsonl_lines(std::string_view jsonl);

// The value of `key` in `entry` as text (an integer in decimal); empty when absent.
std::string audit_text(const AuditEntry& entry, std::string_view key);

// Checks audit.jsonl lines from the genesis: each line canonical, "seq" counting 1, 2, …, each
// hash recomputed. Returns a finding per problem (empty when the chain is whole), naming the
// line number; `head` receives the last hash (the genesis when there are no lines), `hashes` (when
// given) each line's hash (empty for a line that is no entry).
std::vector<std::string> verify_chain(const std::vector<std::string>& lines, std::string& head,
                                      std::vector<std::string>* hashes = nullptr);

}  // namespace sto
