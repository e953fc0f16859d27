// Mail: the invitations, reminders and completion notices of the signing workflow, composed
// once and handed to one of two transports.
//
// - SMTP (Poco::Net): STARTTLS and login when configured, never falling back to plain text
//   when STARTTLS was asked for; temporary failures (4xx, timeouts, refused connections) are
//   retried with backoff; the server's final reply ("250 2.0.0 Ok: queued as …") is returned
//   for the audit log.
// - A pickup directory, for demos and air-gapped use: each message is written whole to
//   DIR/tmp/, fsynced and renamed into DIR/new/ (the Maildir convention), so a reader never
//   sees half a message.
//
// Messages are RFC 5322 with CRLF line ends: multipart/alternative (plain text + HTML), and
// multipart/mixed when something is attached. Subject and display names are RFC 2047
// encoded-words (UTF-8, whole characters per word: Poco writes raw UTF-8 headers); bodies are
// quoted-printable UTF-8, so a link is never broken by the transfer encoding. Every message
// carries our own Message-ID, Date (UTC), MIME-Version and `Auto-Submitted: auto-generated`.
//
// The texts are Dutch and live in templates/mail/ (editable without recompiling, as the
// contract's templates are): one .txt and one .html per kind, with ${name} placeholders that are
// HTML-escaped in the HTML part.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sto/diagnostics.h"

namespace sto {

struct MailAddress {
  std::string naam;   // display name, UTF-8; may be empty
  std::string adres;  // addr-spec, ASCII (the agreement's rules make sure of that)
};

struct Attachment {
  std::string bestandsnaam;  // e.g. "STO-2026-0042-v1-getekend.pdf"
  std::string media_type;    // e.g. "application/pdf"
  std::string bytes;
};

struct Mail {
  MailAddress from;
  MailAddress to;
  std::string subject;  // UTF-8
  std::string text;     // the plain-text part, UTF-8, '\n' line ends
  std::string html;     // the HTML part, UTF-8; empty: text only
  std::vector<Attachment> attachments;
};

// The RFC 5322 bytes of `mail`, CRLF line ends, with Message-ID `message_id` (given without
// angle brackets, e.g. "3f2a…@sto.example") and Date `date`. Deterministic for equal inputs: the
// MIME boundaries are derived from the message id. Header lines are folded to 78 characters;
// attachments are base64 with their file name (RFC 2231 `filename*` when it is not plain ASCII;
// '/' and '\' become '_'). Throws sto::Error when an address is not a plain ASCII addr-spec,
// the message id is not "left@right" in printable ASCII, or a media type is malformed.
std::string compose(const Mail& mail, std::string_view message_id, std::time_t date);

// A new Message-ID: 128 random bits in hex, "@" and the domain of `from` (or "sto.invalid").
std::string new_message_id(const MailAddress& from);

// What the receiving side said when it accepted a message.
struct Delivery {
  std::string message_id;    // ours, without angle brackets
  std::string server_reply;  // SMTP: the final reply line, e.g. "250 2.0.0 Ok: queued as 4F1A";
                             // pickup: "pickup <file name>"
};

// Why a message was not accepted.
class MailError : public Error {
 public:
  enum class Kind {
    temporary,      // 4xx, timeout, no connection — still so after the retries
    permanent,      // 5xx for this message or recipient (550 user unknown, 552 too big, ...)
    configuration,  // no use retrying anything: login refused, STARTTLS refused or failing,
                    // certificate not trusted, the pickup directory not writable
  };
  MailError(Kind kind, int code, const std::string& what) : Error(what), kind_(kind), code_(code) {}
  Kind kind() const { return kind_; }
  int code() const { return code_; }  // the SMTP reply code; 0 when there was none

 private:
  Kind kind_;
  int code_;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Delivers `mail` (composed here with a new Message-ID and the current time). Thread-safe:
  // each call uses its own connection or file. Throws MailError; a mail compose() refuses is
  // `permanent` with code 0.
  virtual Delivery send(const Mail& mail) = 0;
};

// Writes each message to dir/new/<unix ms>.<message id>.eml via dir/tmp/ (dir, tmp and new are
// created with mode 0700 when missing; the file is 0600). Delivery::server_reply is
// "pickup <file name>". Throws MailError (configuration) when the directory cannot be made or
// written, from here already and from send().
std::unique_ptr<Transport> pickup_transport(const std::filesystem::path& dir);

struct SmtpSettings {
  std::string host = "127.0.0.1";
  unsigned short port = 25;
  bool starttls = false;  // require STARTTLS; a server that refuses it is a configuration error
  std::string ca_file;    // PEM trusted for the server's certificate; empty: the system's
  std::string user;       // login (AUTH PLAIN, else LOGIN) when not empty; needs starttls,
                          // never a password in plain text (configuration error)
  std::string password;
  std::string helo = "localhost";
  std::chrono::milliseconds timeout{30'000};  // connect, and each reply
  int attempts = 4;                           // per message, the first included
  std::chrono::milliseconds backoff{2'000};   // before the 2nd attempt; doubles after each
};
std::unique_ptr<Transport> smtp_transport(const SmtpSettings& settings);

// --- The workflow's messages (texts from templates/mail/) ---
//
// `templates` is the templates root (the directory holding mail/, as render_contract's
// templates_dir holds fonts/). <kind>.txt starts with the line "Onderwerp: …" (the subject) and
// an empty line; the rest is the text part; <kind>.html is the HTML part. Placeholders:
// ${regio} ${kenmerk} ${versie} ${document_sha256} ${penvoerder} ${partner} ${naam} ${functie}
// ${link} ${verloopt} ("26 november 2026, 14:03 UTC") ${ca_fingerprint} ${ingangsdatum}
// ("26 november 2026") ${email} ${reden} ${melding} ${overzicht} ${wijzigingen}; see templates/mail/README.md. Throws
// sto::Error naming the file when a template is missing, has no subject line, or holds an unknown or unterminated
// placeholder.

// Everything a signatory's mail may mention. Times are UTC seconds.
struct MailContext {
  std::string regio;  // the region's name
  std::string kenmerk;
  std::int64_t versie = 0;
  std::string document_sha256;  // hex, of the contract to sign (revision 0)
  std::string penvoerder;       // the penvoerder's name
  std::string partner;          // the partner the signatory signs for
  std::string naam;             // the tekenbevoegde
  std::string functie;
  std::string link;              // their personal link (invitation, reminder)
  std::time_t verloopt = 0;      // when the link expires (invitation, reminder)
  std::string ca_fingerprint;    // SHA-256 of the CA certificate, "AB:CD:…" (completion)
  std::time_t ingangsdatum = 0;  // effective date: the last signature (completion)
  // The penvoerder's notices:
  std::string email;      // the tekenbevoegde's address
  std::string reden;      // why they declined (weigering)
  std::string melding;    // what the mail server answered, or the error (onbestelbaar)
  std::string overzicht;  // the summary, lines of text (samenvatting)
  // A new version to who was asked to sign the one before: what changed, lines of text; else empty.
  std::string wijzigingen;
  // An amendment (docs/amendment-format.md): its number (0: the contract), kind and what it does
  // in one sentence ("Basisschool De Regenboog treedt toe ..."). They make ${document} ("wijziging 1
  // (toetreding) van de samenwerkingsovereenkomst", else "samenwerkingsovereenkomst"), ${stuk}
  // ("wijziging 1 (toetreding)", else "versie 3") and ${wijziging} (the sentence, else empty).
  std::int64_t wijziging = 0;
  std::string soort;
  std::string beschrijving;
};

// The invitation to sign: what, for whom, the link on a line of its own, until when.
Mail invitation(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                const MailContext& context);
// The same, as a reminder for someone who has not acted yet.
Mail reminder(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
              const MailContext& context);
// All have signed: the signed PDF attached, the effective date, how to check it (CA fingerprint).
Mail completion(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                const MailContext& context, Attachment signed_pdf);
// An amendment is in force (wijziging-voltooid): to everyone who signed it and every tekenbevoegde
// of the partners it binds, as the article "Wijzigingen" promises; the signed amendment attached.
Mail amendment_completion(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                          const MailContext& context, Attachment signed_pdf);

// The penvoerder's notices (to penvoerder.email; ${link} is the agreement's /beheer page, ${naam},
// ${partner}, ${email} the tekenbevoegde concerned): a refusal with its reason
// (penvoerder-weigering), an invitation or reminder that bounced with the server's reply
// (penvoerder-onbestelbaar), every signature in (penvoerder-voltooid), and the daily summary
// (penvoerder-samenvatting, ${overzicht}).
Mail declined_notice(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                     const MailContext& context);
Mail bounce_notice(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                   const MailContext& context);
Mail completed_notice(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                      const MailContext& context);
Mail daily_summary(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                   const MailContext& context);

}  // namespace sto
