// The signing page: a small HTTP(S) server a tekenbevoegde reaches from the link in their mail.
// No account, no JavaScript, no cookies: the link's token is the credential.
//
//   GET  /t/<token>              what they sign (regio, kenmerk, versie, partner, functie, the
//                                document's SHA-256), the forms to sign or decline; afterwards
//                                the receipt; a dead link says why (unknown, expired, revoked)
//   GET  /t/<token>/pdf          the exact contract (revision 0), inline; ?download=1 to save it
//   POST /t/<token>/onderteken   csrf, bevestig=ja, naam  → 303 to the receipt
//   POST /t/<token>/weiger       csrf, reden              → 303 to the receipt
//
// Defences: every response has `Referrer-Policy: no-referrer` (the token is in the URL),
// `Cache-Control: no-store`, a Content-Security-Policy allowing nothing but our one inline style
// (by hash) and forms to ourselves, `X-Content-Type-Options: nosniff` and no framing. A POST
// needs the CSRF field (an HMAC of the token's hash keyed by the workspace's secret) and, when
// the browser sends Sec-Fetch-Site, a same-origin one. Bodies over 8 KiB are refused unread.
// An address whose link look-ups fail more than 20 times in 10 minutes gets 429 for the rest
// of that window. The access log never holds a token: paths are logged as /t/…/pdf, and a
// request that came with a Referer is marked "met-referer" (its value is never written).
//
// The penvoerder's pages, /beheer (docs/beheer.md), beside them: behind a password (scrypt, in
// DIR/beheer.wachtwoord, set with set_beheer_password) and a session cookie (HttpOnly,
// SameSite=Strict, Secure under https; 8 hours idle and it ends; kept in this process's memory,
// so a restart or another server process asks to log in again). Every form carries the
// session's CSRF token; ten wrong passwords in a row from one address within 15 minutes answer
// 429 for 15 minutes, the right one too. Without a session a page answers 303 to /beheer/login,
// /beheer/api/… and a page's /voortgang 401. Logins, logouts, refusals, downloads and actions are
// lines of DIR/beheer.jsonl, hash-chained like the agreements' audit logs; the actions' effects
// are in the agreement's own audit chain too.
//
//   GET  /beheer/                       every agreement with its progress
//   GET  /beheer/overeenkomsten/K       per partner and tekenbevoegde: state, mails; the actions
//   GET  …/K/voortgang                  the progress section (refreshed by /beheer/beheer.js)
//   GET  …/K/tekenbevoegden/ID          one tekenbevoegde, to remind or mail at a new address
//   GET  …/K/contract.pdf | getekend.pdf | bewijsdossier.pdf | archief.zip
//   POST …/K/herinner | uitnodigen | opnieuw | intrekken   a confirmation page, then the act (303)
//   POST …/K/herinneringen              the reminder schedule
//   GET  /beheer/nieuw, POST /beheer/nieuw, POST /beheer/nieuw/open   upload, findings, open
//   GET  /beheer/api/overeenkomsten[/K] the kenmerken; `sto status K --json`, byte for byte
//
// Capacity: a bounded pool of worker threads (Configuration::server_threads) and a bounded queue
// of waiting connections (server_queue), beyond which connections are refused rather than left
// to pile up; idle keep-alive connections are closed after 5 s, slow requests after 10 s.
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "sto/workflow.h"

namespace sto {

class PageServer {
 public:
  // Binds `listen` ("127.0.0.1:8080"; port 0 picks a free one) with the workspace's settings
  // (threads, queue, TLS, proxy trust). `access_log` receives one line per request (may be null).
  // `templates`: the regulations an upload on /beheer is checked against and what an archive
  // is rendered from. Throws sto::Error when the address cannot be bound or the TLS files cannot
  // be read.
  PageServer(Werkruimte& werkruimte, const std::string& listen, std::ostream* access_log,
             const std::filesystem::path& templates = {});
  ~PageServer();
  PageServer(const PageServer&) = delete;
  PageServer& operator=(const PageServer&) = delete;

  void start();
  void stop();                   // waits for the requests in progress
  unsigned short port() const;   // the bound port
  std::string base_url() const;  // "http://127.0.0.1:PORT" (https with TLS)

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Sets the penvoerder's password for /beheer in the workspace `dir` (replacing an earlier one):
// at least 10 characters, no control characters, else sto::Error. Only its scrypt hash is kept.
void set_beheer_password(const std::filesystem::path& dir, const std::string& password);
// The same checks, without writing anything (sto init reads its flags before it makes anything).
void check_beheer_password(const std::string& password);

}  // namespace sto
