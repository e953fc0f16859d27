// Rows to records: the state names as stored, and the reads the store and its transactions
// share (each on the connection it is given).
#include <array>

#include "database.h"

namespace sto {

namespace {

constexpr std::array<std::string_view, 7> kSignatoryStates = {"pending",  "invited", "viewed", "signed",
                                                              "declined", "expired", "revoked"};
constexpr std::array<std::string_view, 3> kVersionStates = {"open", "completed", "revoked"};

}  // namespace

std::string_view to_string(SignatoryState state) { return kSignatoryStates[static_cast<std::size_t>(state)]; }

std::optional<SignatoryState> parse_signatory_state(std::string_view text) {
  for (std::size_t i = 0; i < kSignatoryStates.size(); ++i) {
    if (kSignatoryStates[i] == text) return static_cast<SignatoryState>(i);
  }
  return std::nullopt;
}

bool is_final(SignatoryState state) {
  return state == SignatoryState::signed_ || state == SignatoryState::declined || state == SignatoryState::expired ||
         state == SignatoryState::revoked;
}

std::string_view to_string(VersionState state) { return kVersionStates[static_cast<std::size_t>(state)]; }

namespace detail {

namespace {

VersionState parse_version_state(const std::string& name) {
  for (std::size_t i = 0; i < kVersionStates.size(); ++i) {
    if (kVersionStates[i] == name) return static_cast<VersionState>(i);
  }
  throw StoreError(StoreError::Kind::other, "onbekende versiestatus \"" + name + "\" in de database");
}

constexpr std::string_view kVersionColumns =
    "v.id, a.kenmerk, v.versie, v.state, v.xml, v.xml_sha256, v.document_sha256, v.contract_dir, v.revisions, "
    "v.opened_ms, v.closed_ms, v.seal, v.changes_from, v.changes";

VersionRecord version_at(const RecordSet& rs, std::size_t row, std::size_t at = 0) {
  VersionRecord v;
  v.id = number(rs, row, at + 0);
  v.kenmerk = text(rs, row, at + 1);
  v.versie = number(rs, row, at + 2) % kWijzigingStride;
  v.wijziging = number(rs, row, at + 2) / kWijzigingStride;
  v.state = parse_version_state(text(rs, row, at + 3));
  v.xml = text(rs, row, at + 4);
  v.xml_sha256 = text(rs, row, at + 5);
  v.document_sha256 = text(rs, row, at + 6);
  v.contract_dir = text(rs, row, at + 7);
  v.revisions = number(rs, row, at + 8);
  v.opened_ms = number(rs, row, at + 9);
  v.closed_ms = number(rs, row, at + 10);
  v.changes_from = number(rs, row, at + 12);
  v.changes = text(rs, row, at + 13);
  v.seal = text(rs, row, at + 11);
  return v;
}

constexpr std::string_view kSignatoryColumns =
    "s.id, s.version_id, s.position, s.tekenbevoegde, s.partner_id, s.partner, s.naam, s.functie, s.email, "
    "s.state, s.state_ms, s.mail_error, s.reason, s.revision, s.revision_sha256, s.certificate_sha256, s.invited_ms, "
    "s.reminded_ms, s.seal";

SignatoryRecord signatory_at(const RecordSet& rs, std::size_t row, std::size_t at = 0) {
  SignatoryRecord s;
  s.id = number(rs, row, at + 0);
  s.version_id = number(rs, row, at + 1);
  s.position = number(rs, row, at + 2);
  s.tekenbevoegde = text(rs, row, at + 3);
  s.partner_id = text(rs, row, at + 4);
  s.partner = text(rs, row, at + 5);
  s.naam = text(rs, row, at + 6);
  s.functie = text(rs, row, at + 7);
  s.email = text(rs, row, at + 8);
  const auto state = parse_signatory_state(text(rs, row, at + 9));
  if (!state)
    throw StoreError(StoreError::Kind::other, "onbekende status \"" + text(rs, row, at + 9) + "\" in de database");
  s.state = *state;
  s.state_ms = number(rs, row, at + 10);
  s.mail_error = text(rs, row, at + 11);
  s.reason = text(rs, row, at + 12);
  s.revision = number(rs, row, at + 13);
  s.revision_sha256 = text(rs, row, at + 14);
  s.certificate_sha256 = text(rs, row, at + 15);
  s.invited_ms = number(rs, row, at + 16);
  s.reminded_ms = number(rs, row, at + 17);
  s.seal = text(rs, row, at + 18);
  return s;
}

template <class Record>
std::vector<Record> all_rows(const RecordSet& rs, Record (*at)(const RecordSet&, std::size_t, std::size_t)) {
  std::vector<Record> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(at(rs, row, 0));
  return out;
}

}  // namespace

std::vector<VersionRecord> versions_of(Connection c, std::int64_t agreement_id) {
  return all_rows(c.query("SELECT " + std::string(kVersionColumns) +
                              " FROM version v JOIN agreement a ON a.id = v.agreement_id WHERE v.agreement_id = ? "
                              "ORDER BY v.id",
                          agreement_id),
                  version_at);
}

std::vector<VersionRecord> versions_of(Connection c, std::string_view kenmerk, bool with_xml) {
  std::string columns(kVersionColumns);
  if (!with_xml) columns.replace(columns.find("v.xml,"), 6, "'',");
  return all_rows(c.query("SELECT " + columns +
                              " FROM version v JOIN agreement a ON a.id = v.agreement_id WHERE a.kenmerk = ? "
                              "ORDER BY v.id",
                          std::string(kenmerk)),
                  version_at);
}

std::optional<VersionRecord> latest_version_of(Connection c, std::string_view kenmerk, bool with_xml) {
  std::string columns(kVersionColumns);
  if (!with_xml) columns.replace(columns.find("v.xml,"), 6, "'',");
  RecordSet rs = c.query("SELECT " + columns +
                             " FROM version v JOIN agreement a ON a.id = v.agreement_id WHERE a.kenmerk = ? "
                             "ORDER BY v.id DESC LIMIT 1",
                         std::string(kenmerk));
  if (rs.rowCount() == 0) return std::nullopt;
  return version_at(rs, 0);
}

std::vector<SignatoryRecord> signatories_of(Connection c, std::int64_t version_id) {
  return all_rows(c.query("SELECT " + std::string(kSignatoryColumns) +
                              " FROM signatory s WHERE s.version_id = ? ORDER BY s.position",
                          version_id),
                  signatory_at);
}

std::optional<SignatoryRecord> signatory_of(Connection c, std::int64_t agreement_id, std::int64_t id) {
  RecordSet rs = c.query("SELECT " + std::string(kSignatoryColumns) +
                             " FROM signatory s JOIN version v ON v.id = s.version_id WHERE s.id = ? AND "
                             "v.agreement_id = ?",
                         id, agreement_id);
  if (rs.rowCount() == 0) return std::nullopt;
  return signatory_at(rs, 0);
}

// A link with its signatory and version in one query. The version comes without its xml (up to
// a few hundred KB, read on every page view otherwise): see agreement_xml_of.
std::optional<LinkRecord> link_of(Connection c, std::string_view hash) {
  RecordSet rs =
      c.query("SELECT t.hash, t.signatory_id, t.document_sha256, t.created_ms, t.expires_ms, t.used_ms, " +
                  std::string(kSignatoryColumns) +
                  ", v.id, a.kenmerk, v.versie, v.state, '', v.xml_sha256, v.document_sha256, "
                  "v.contract_dir, v.revisions, v.opened_ms, v.closed_ms, v.seal, v.changes_from, v.changes, "
                  "t.revoked_ms, t.seal "
                  "FROM token t "
                  "JOIN signatory s ON s.id = t.signatory_id JOIN version v ON v.id = s.version_id "
                  "JOIN agreement a ON a.id = v.agreement_id WHERE t.hash = ?",
              std::string(hash));
  if (rs.rowCount() == 0) return std::nullopt;
  LinkRecord link;
  link.token.hash = text(rs, 0, 0);
  link.token.signatory_id = number(rs, 0, 1);
  link.token.document_sha256 = text(rs, 0, 2);
  link.token.created_ms = number(rs, 0, 3);
  link.token.expires_ms = number(rs, 0, 4);
  link.token.used_ms = number(rs, 0, 5);
  link.signatory = signatory_at(rs, 0, 6);
  link.version = version_at(rs, 0, 25);
  link.token.revoked_ms = number(rs, 0, 39);
  link.token.seal = text(rs, 0, 40);
  return link;
}

std::string agreement_xml_of(Connection c, std::int64_t version_id) {
  RecordSet rs = c.query("SELECT xml FROM version WHERE id = ?", version_id);
  if (rs.rowCount() == 0) throw Error("versie " + std::to_string(version_id) + " bestaat niet");
  return text(rs, 0, 0);
}

std::vector<AuditRecord> audit_of(Connection c, std::string_view kenmerk) {
  RecordSet rs = c.query(
      "SELECT u.seq, u.entry, u.hash FROM audit u JOIN agreement a ON a.id = u.agreement_id "
      "WHERE a.kenmerk = ? ORDER BY u.seq",
      std::string(kenmerk));
  std::vector<AuditRecord> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    out.push_back(AuditRecord{number(rs, row, 0), text(rs, row, 1), text(rs, row, 2)});
  }
  return out;
}

}  // namespace detail

}  // namespace sto
