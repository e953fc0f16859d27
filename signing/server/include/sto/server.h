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
// Capacity: a bounded pool of worker threads (Configuration::server_threads) and a bounded queue
// of waiting connections (server_queue), beyond which connections are refused rather than left
// to pile up; idle keep-alive connections are closed after 5 s, slow requests after 10 s.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "sto/workflow.h"

namespace sto {

class PageServer {
 public:
  // Binds `listen` ("127.0.0.1:8080"; port 0 picks a free one) with the workspace's settings
  // (threads, queue, TLS, proxy trust). `access_log` receives one line per request (may be null).
  // Throws sto::Error when the address cannot be bound or the TLS files cannot be read.
  PageServer(Werkruimte& werkruimte, const std::string& listen, std::ostream* access_log);
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

}  // namespace sto
