// The signing workflow: a workspace (configuration, database, PKI, server secret, contracts,
// outgoing mail) and the acts of the penvoerder and the tekenbevoegden on it.
//
// Workspace layout (`sto init`):
//   sto.conf        the configuration (documented in docs/workflow.md; flags override it)
//   geheim          32 random bytes (hex), mode 0600: keys the page's CSRF tokens and the seals
//   verzegeld       the rows of this workspace are sealed (Werkruimte::Impl::seal_existing)
//   pki/            the CA and the TSA (sto/pki.h)
//   sto.db          the SQLite database, unless sto.conf names a PostgreSQL one
//   contracten/<kenmerk>-v<versie>/   the contract's revisions (sto/pades.h)
//   postvak/new/    outgoing mail, when the mail transport is the pickup directory
//
// Opening or making a workspace sets the process's umask to 077 and the workspace's mode to 0700:
// everything it writes is its owner's alone, whatever umask `sto` was started with.
//
// Every act is a store transaction on its agreement (sto/store.h) that appends its audit entry;
// a signature's PDF revision is written and fsynced before that transaction commits, and
// removed again when the commit fails, so no signature exists in the PDF without its record
// nor the other way round.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sto/diagnostics.h"
#include "sto/mail.h"
#include "sto/pki.h"
#include "sto/rules.h"
#include "sto/store.h"

namespace sto {

// In a version's contract directory: the copy of the templates, fonts and regulations its
// contract was made from (sto/render.h contract_inputs), which the archive carries.
inline constexpr std::string_view kTemplatesCopy = "sjablonen";

// sto.conf: `key = value` lines, `#` comments. Every key has a default; see docs/workflow.md.
struct Configuration {
  std::string database = "sqlite:sto.db";  // (relative to the workspace) | "postgresql:CONNINFO"
  int database_connections = 16;           // database.connections: per process, at most this many open
  std::string base_url;                    // links: base_url + "/t/" + token; default "http://" + listen
  std::string listen = "127.0.0.1:8080";
  int link_days = 30;                     // a link's validity
  std::string mail_transport = "pickup";  // "pickup" | "smtp"
  std::string pickup_dir = "postvak";     // relative to the workspace
  MailAddress mail_from{"STO ondertekening", "noreply@sto.invalid"};
  SmtpSettings smtp;               // smtp.password is read from smtp_password_file when the workspace opens
  std::string smtp_password_file;  // smtp.host, smtp.port, smtp.starttls, smtp.ca_file, smtp.user,
                                   // smtp.password_file, smtp.attempts, smtp.backoff_ms, smtp.timeout_ms
  std::string tsa_url;             // empty: the workspace's own TSA
  std::string tsa_certificate;     // PEM file trusted for tsa_url
  int server_threads = 64;         // the page server's worker threads: one per open connection
  int server_queue = 256;          // connections waiting for a worker before new ones are refused
  bool trust_proxy = false;        // take the client's address from X-Forwarded-For (behind a proxy)
  int server_per_address = 16;     // connections one client address may hold at once (0: any; off behind a proxy)
  std::string tls_certificate;     // PEM; with tls_key: HTTPS
  std::string tls_key;
  std::string penvoerder_email;  // penvoerder.email: where the penvoerder's notices go; empty: none
  int reminder_interval = 60;    // herinneringen.interval: seconds between sto serve's run_due rounds
  int mail_claim_seconds = 600;  // mail.claim: how long a mail one server is sending is not tried by another

  // Reads `path`; unknown keys and bad values are an Error naming the line. File names in it
  // are taken relative to the workspace by Werkruimte::open.
  static Configuration load(const std::filesystem::path& path);
  // Sets one key as sto.conf would (for flags such as --listen, --base-url, --smtp).
  void set(const std::string& key, const std::string& value);
  // The text of a fresh sto.conf with these values, every key commented.
  std::string text() const;
};

// Who did something, for the audit log: the client's address and user agent ("cli" for the
// commands the penvoerder runs).
struct Actor {
  std::string ip = "cli";
  std::string user_agent;
};
// A penvoerder's act by another Actor than the CLI's comes from the /beheer pages: its audit
// entry carries "via": "beheer" as well.

// The states in Dutch, as the penvoerder reads them: "nog niet uitgenodigd", "uitgenodigd",
// "bekeken", "getekend", "geweigerd", "verlopen", "ingetrokken"; and "open", "rond" (every
// signature in), "ingetrokken".
std::string_view dutch(SignatoryState s);
std::string_view dutch(VersionState s);

struct OpenResult {
  std::string kenmerk;
  std::int64_t versie = 0;
  std::int64_t wijziging = 0;  // an amendment's number (open_wijziging); 0 for a contract version
  std::string document_sha256;
  std::size_t signatories = 0;
  bool already_open = false;        // the same file was opened before: nothing changed
  std::int64_t revoked_versie = 0;  // the older version this one revoked, 0 when none
};

struct MailOutcome {
  std::string tekenbevoegde;
  std::string email;
  bool sent = false;
  std::string detail;    // the server's reply, or the error; skipped: since when the last mail
  bool skipped = false;  // not sent: mailed less than 24 h ago and not forced
};

// Invitations and reminders of `remind`: one tekenbevoegde (its id) or, empty, everyone invited
// who has not signed or declined; `force` also mails who was mailed less than 24 h ago.
struct RemindOptions {
  std::string tekenbevoegde;
  bool force = false;
};

// The last invitation and the last reminder a mail server accepted for a signatory (UTC ms;
// 0 = never): SignatoryRecord invited_ms and reminded_ms.
struct Contact {
  std::int64_t invited_ms = 0;
  std::int64_t reminded_ms = 0;
};

// An agreement's reminder schedule (stored per agreement; this default until it is changed):
// a reminder `na_dagen` days after the invitation and `dagen_voor_verloop` days before the
// invitation's link expires (0: not), never within 24 h of an earlier invitation or reminder.
struct Herinneringen {
  std::vector<int> na_dagen{7, 14};
  int dagen_voor_verloop = 3;
  bool aan = true;
};

// What one run_due did.
struct Rondgang {
  std::size_t herinneringen = 0;   // scheduled reminders accepted by the mail server
  std::size_t samenvattingen = 0;  // daily summaries mailed to the penvoerder
  std::size_t mails = 0;           // mails from the outbox accepted (completion mails, notices)
};

struct PartnerStatus {
  std::string partner_id;
  std::string partner;
  bool bound = false;  // every tekenbevoegde of the partner signed
};

// A mail an act caused that no mail server accepted yet: waiting for its next try, or given up.
struct UnsentMail {
  std::string what;  // "afrondingsmail", "melding aan de penvoerder: geweigerd", ...
  std::string to;    // "Naam <adres>", or "penvoerder"
  std::int64_t attempts = 0;
  std::int64_t next_ms = 0;  // the next try; 0: given up
  std::string error;         // the last failure; empty before the first try
};

// An amendment as the penvoerder follows it.
struct WijzigingStatus {
  std::int64_t nummer = 0;
  std::string soort;  // toetreding, uittreding, vervanging, bijdrage
  VersionState state = VersionState::open;
  std::int64_t opened_ms = 0;
  std::int64_t closed_ms = 0;  // completed (its effective moment is its last signature) or revoked
  std::string signed_sha256;   // of the signed amendment, once completed: what the next names in <vorige>
};

struct Status {
  VersionRecord version;  // the current document: the newest contract version or an amendment after it
  std::vector<SignatoryRecord> signatories;
  std::vector<PartnerStatus> partners;
  std::size_t signed_count = 0;
  std::int64_t effective_ms = 0;  // the last signature, once every tekenbevoegde signed; else 0
  std::string audit_head;         // the chain's last hash
  std::size_t audit_length = 0;
  std::vector<Contact> contacts;  // parallel to signatories
  std::size_t declined_count = 0;
  std::size_t bound_count = 0;     // partners bound
  std::vector<UnsentMail> unsent;  // the agreement's mails in the outbox, not accepted yet
  // The amendments of the newest contract version, in order, and the partners in force (the
  // contract with every completed amendment applied; bound = true), when the contract is complete.
  std::vector<WijzigingStatus> wijzigingen;
  std::vector<PartnerStatus> in_force;
  // The SHA-256 of the signed contract, once complete: what an amendment names in <overeenkomst>.
  std::string contract_sha256;
};

// The JSON `sto status KENMERK --json` prints, byte for byte (ends in "\n"): the codes of the
// states (to_string), times as "YYYY-MM-DD HH:MM:SS UTC".
std::string status_json(const Status& status);

// Times as the penvoerder reads them: "2026-11-26 01:38:02 UTC" for Unix milliseconds, "—" for 0.
std::string utc_time(std::int64_t ms);
// Times as the audit log holds them: "2026-11-26T01:38:02.123Z".
std::string iso_ms(std::int64_t ms);

// What the signing page shows for a link.
struct LinkView {
  enum class Kind {
    unknown,        // no such token (or malformed)
    expired,        // the link's validity ended
    revoked,        // the version was replaced or withdrawn
    other_version,  // issued for another document than the version's
    sign,           // ready to sign or decline
    signed_,        // receipt: signed
    declined,       // receipt: declined
  };
  Kind kind = Kind::unknown;
  std::string regio;
  std::string kenmerk;
  std::int64_t versie = 0;
  std::int64_t wijziging = 0;       // an amendment's number; 0: the contract
  std::int64_t vervangen_door = 0;  // the link's version was replaced by this newer versie; 0: not
  // To sign a new version, who was asked to sign the one before: what changed since (sto/template.h
  // differences) and since which versie; else empty and 0.
  std::int64_t gewijzigd_sinds = 0;
  std::vector<std::string> wijzigingen;
  std::string document_sha256;
  std::string partner;
  std::string naam;
  std::string functie;
  std::string hoedanigheid;
  std::int64_t expires_ms = 0;
  std::int64_t state_ms = 0;  // signed/declined: when
  std::string reason;         // declined
  std::int64_t revision = 0;  // signed
  std::string certificate_sha256;
  std::string revision_sha256;
  std::string token_hash;  // hex SHA-256 of the token: what the page's CSRF field is bound to
  VersionState version_state = VersionState::open;
};

// A refusal of what the penvoerder asked: an unknown kenmerk, no open version, a version that is
// not newer, links that would point nowhere. The commands exit 1 for it (3 is for the environment).
class Refusal : public Error {
 public:
  using Error::Error;
};

// A refusal the signatory can correct (shown on the page, HTTP 422): a typed name that does not
// match, a missing confirmation or reason.
class PageError : public Error {
 public:
  using Error::Error;
};

class Werkruimte {
 public:
  // Creates a workspace in `dir`: pki/ (see Pki::create: never replacing a CA, so a workspace is
  // never initialised twice), sto.conf from `configuration`, geheim, and the database (migrated).
  // Returns the CA's fingerprint.
  static std::string init(const std::filesystem::path& dir, const Configuration& configuration,
                          const std::string& passphrase);

  // Opens the workspace in `dir`, with `overrides` (key → value) applied to its sto.conf.
  // `templates` holds the contract's and the mails' templates and the regulations.
  static Werkruimte open(const std::filesystem::path& dir, const std::filesystem::path& templates,
                         const std::string& passphrase, const std::map<std::string, std::string>& overrides = {});

  Werkruimte(Werkruimte&&) noexcept;
  Werkruimte& operator=(Werkruimte&&) noexcept;
  ~Werkruimte();

  const Configuration& configuration() const;
  // Changes one setting for this process only, as a flag would (e.g. base_url once the server
  // knows its port).
  void configure(const std::string& key, const std::string& value);
  const std::filesystem::path& dir() const;
  Store& store();
  std::string ca_fingerprint() const;
  // The installation's CA and TSA, and its clock: for what it signs itself (the archive's
  // bewijsdossier).
  const Pki& pki() const;
  TimestampAuthority& tsa();
  // Every TSA certificate this workspace trusted for its tokens (PEM): the configured one and
  // each configured before, kept in tsa-geschiedenis.pem from the first opening with it, so that
  // changing the TSA never makes earlier tokens unprovable.
  std::string tsa_certificates() const;
  std::time_t now() const;

  // The clock (UTC seconds; tests fix it) and the mail transport (tests and `sto demo` swap it).
  void set_clock(Clock clock);
  void set_transport(std::unique_ptr<Transport> transport);

  // --- the penvoerder ---
  // Validates (`validation` receives the findings; nothing is opened when it is invalid), renders,
  // registers the version and one pending request per tekenbevoegde; a higher versie of an open
  // agreement revokes the older version's open requests. Throws sto::Error when the versie is
  // not higher than the last (or equal with other content).
  std::optional<OpenResult> open_agreement(const std::filesystem::path& xml, Validation& validation,
                                           const Actor& actor = {});
  // Opens an amendment (docs/amendment-format.md) of the agreement it names: checked (`validation`
  // receives the findings) against the agreement in force — the newest contract version, which
  // must be completed, with its completed amendments — including the SHA-256 of the signed
  // contract and of the last completed amendment; rendered from templates/<taal>/wijziging.xml;
  // registered as a document of its own (VersionRecord::wijziging) with one request per
  // signatory, in the agreement's audit chain. From then on invite, remind, revoke, status and the
  // signing page act on it as on a contract version. Refusal for an unknown kenmerk, a contract
  // that is not completed, or an amendment still open.
  std::optional<OpenResult> open_wijziging(const std::filesystem::path& xml, WijzigingValidation& validation,
                                           const Actor& actor = {});
  // The checks of open_wijziging on `bytes` (shown as `source` in the findings), opening nothing:
  // what /beheer shows before the penvoerder confirms. The same Refusals.
  WijzigingValidation check_wijziging(std::string_view bytes, const std::string& source);
  // Mails every pending signatory (also those whose last mail failed) a new personal link.
  // Throws MailError (configuration) when no mail can go out at all.
  std::vector<MailOutcome> invite(const std::string& kenmerk, const Actor& actor = {});
  // Mails a reminder with a new link to every invited, viewed or expired signatory (or the one
  // named), except, unless forced, who was mailed less than 24 h ago (outcome `skipped`).
  // Refusal when the named tekenbevoegde is unknown or has nothing to be reminded of.
  std::vector<MailOutcome> remind(const std::string& kenmerk, const RemindOptions& options = {},
                                  const Actor& actor = {});
  // A new personal link to a corrected address: the signatory's e-mail changes (audit event
  // email-changed, old and new address), their earlier links stop working (revoked), and an
  // invitation goes out. Refusal when the kenmerk or tekenbevoegde is unknown, the version or
  // the request is final (signed, declined, revoked), or `email` is not an address.
  MailOutcome reinvite(const std::string& kenmerk, const std::string& tekenbevoegde, const std::string& email,
                       const Actor& actor = {});
  // Revokes the open version: every request not final becomes revoked; links then say so.
  void revoke(const std::string& kenmerk, const std::string& reason, const Actor& actor = {});
  // The latest version's state. Requests whose links all expired become expired first (the
  // agreement's write lock is taken only when some request is due to expire).
  Status status(const std::string& kenmerk);

  // The agreement's reminder schedule, and changing it (audit event schedule-changed). Refusal
  // for an unknown kenmerk or a schedule out of range (na_dagen 1..365, at most 10;
  // dagen_voor_verloop 0..365).
  Herinneringen herinneringen(const std::string& kenmerk);
  void set_herinneringen(const std::string& kenmerk, const Herinneringen& h, const Actor& actor = {});
  // What is due now (sto serve calls it every herinneringen.interval seconds; tests with a fixed
  // clock): the scheduled reminders of every open version, and the penvoerder's daily summary of
  // each agreement whose audit chain grew since the last one (at most one a day; only with
  // penvoerder.email). A failure with one agreement is written to stderr and the others go on.
  Rondgang run_due();
  // Sends every mail in the outbox whose time has come (also run_due does): the completion
  // mails and the penvoerder's notices that acts wrote. Returns how many were accepted.
  std::size_t deliver_outbox();
  // The signed PDF of the latest version (all revisions so far).
  std::string signed_pdf(const std::string& kenmerk);
  // The agreement in force: the newest contract version, completed, with every completed
  // amendment applied (its partners are who is bound now; `sto partners export KENMERK`).
  // Refusal for an unknown kenmerk or a contract not completed.
  Agreement agreement_in_force(const std::string& kenmerk);

  // --- the tekenbevoegde, through the page (`token` as in the link) ---
  // What the link shows. The first view of a request moves it to viewed.
  LinkView view(const std::string& token, const Actor& actor);
  // The contract to sign (revision 0), logged as pdf-downloaded; nullopt for a dead link.
  std::optional<std::string> contract_pdf(const std::string& token, const Actor& actor);
  // Signs: `typed_name` must be the tekenbevoegde's name (case and spacing ignored) and
  // `confirmed` true, else PageError. Returns the receipt. When this was the last signature,
  // the version completes and every signatory is mailed the signed PDF: after the commit, on a
  // thread of its own (see flush_mail).
  LinkView sign(const std::string& token, bool confirmed, const std::string& typed_name, const Actor& actor);
  // Declines with `reason` (required, at most 2000 bytes), else PageError.
  LinkView decline(const std::string& token, const std::string& reason, const Actor& actor);

  // Waits until the completion mails under way are handed to the transport (also done when the
  // workspace is closed).
  void flush_mail();

  // HMAC-SHA-256 (keyed by geheim) of `purpose` and `value`, hex: the page's CSRF field.
  std::string mac(std::string_view purpose, std::string_view value) const;

  struct Impl;

 private:
  explicit Werkruimte(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The token's hash as stored: hex SHA-256 of the token text. Empty for a malformed token
// (not 43 characters of base64url), which no link can have.
std::string token_hash(std::string_view token);

}  // namespace sto
