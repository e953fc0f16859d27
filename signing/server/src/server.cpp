#include "sto/server.h"

#include <openssl/crypto.h>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <chrono>
#include <iostream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "beheer.h"
#include "beheer_access.h"
#include "guard.h"
#include "http.h"
#include "page.h"
#include "sto/utf8.h"

namespace sto {

namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr std::streamsize kMaxBody = 8 * 1024;

// At most `limit` bytes of `text` as valid UTF-8 without control characters: a User-Agent is the
// client's to choose, and goes into the audit log, which takes only UTF-8.
std::string printable_utf8(const std::string& text, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t start = i;
    const auto code_point = next_code_point(text, i);
    const std::size_t length = i - start;  // 1 for a byte that is not UTF-8, replaced by one '?'
    if (out.size() + length > limit) break;
    if (!code_point || *code_point < 0x20 || *code_point == 0x7F) {
      out += '?';
    } else {
      out.append(text, start, length);
    }
  }
  return out;
}

// The route part of a path after /t/<token>, as the access log may show it: only ours, never
// what a client made up (a percent-encoded line break would forge a log line).
std::string loggable(const std::string& sub) {
  for (const char* known : {"", "/pdf", "/onderteken", "/weiger"}) {
    if (sub == known) return "/t/…" + sub;
  }
  return "/t/…/…";
}
constexpr int kMaxFailures = 20;
constexpr auto kFailureWindow = std::chrono::minutes(10);

// Failed token look-ups per client address, in fixed windows.
class Limiter {
 public:
  bool blocked(const std::string& ip) {
    const std::lock_guard lock(mutex_);
    const auto it = failures_.find(ip);
    return it != failures_.end() && it->second.count > kMaxFailures &&
           std::chrono::steady_clock::now() - it->second.since < kFailureWindow;
  }
  void failed(const std::string& ip) {
    const std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (failures_.size() > 100'000) failures_.clear();  // bounded memory under a spray of addresses
    auto& f = failures_[ip];
    if (now - f.since >= kFailureWindow) f = Window{now, 0};
    ++f.count;
  }

 private:
  struct Window {
    std::chrono::steady_clock::time_point since{};
    int count = 0;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Window> failures_;
};

}  // namespace

struct PageServer::Impl {
  Werkruimte& w;
  std::ostream* log;
  std::mutex log_mutex;
  Limiter limiter;
  bool tls = false;
  bool hsts = false;  // served over https (here, or by the proxy in front: the base URL says)
  std::string host;
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<http::Guard> guard;  // before server: connections report to it until they end
  std::unique_ptr<Poco::Net::TCPServer> server;
  std::unique_ptr<Beheer> beheer;

  Impl(Werkruimte& werkruimte, std::ostream* access_log) : w(werkruimte), log(access_log) {}

  std::string csp() const {
    return "default-src 'none'; style-src '" + page::style_hash() +
           "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  }

  static void secure(HTTPServerResponse& r, const std::string& policy) { http::secure(r, policy); }

  void html(HTTPServerResponse& r, HTTPResponse::HTTPStatus status, const std::string& body) {
    http::send(r, status, "text/html; charset=utf-8", body, csp());
  }

  // The client's address; behind a trusted proxy the last X-Forwarded-For entry of the last such
  // header (what our proxy appended; earlier ones are the client's to invent), if it is an
  // address at all.
  Actor actor(const HTTPServerRequest& req) const {
    Actor a;
    a.ip = req.clientAddress().host().toString();
    if (w.configuration().trust_proxy) {
      std::string last;
      for (auto it = req.find("X-Forwarded-For"); it != req.end() && Poco::icompare(it->first, "X-Forwarded-For") == 0;
           ++it) {
        last = it->second;
      }
      const auto comma = last.rfind(',');
      std::string candidate = comma == std::string::npos ? last : last.substr(comma + 1);
      candidate.erase(0, candidate.find_first_not_of(' '));
      candidate.erase(candidate.find_last_not_of(' ') + 1);
      Poco::Net::IPAddress parsed;
      if (Poco::Net::IPAddress::tryParse(candidate, parsed)) a.ip = parsed.toString();
    }
    a.user_agent = printable_utf8(req.get("User-Agent", ""), 300);
    return a;
  }

  static HTTPResponse::HTTPStatus status_of(LinkView::Kind kind) {
    switch (kind) {
      case LinkView::Kind::unknown:
        return HTTPResponse::HTTP_NOT_FOUND;
      case LinkView::Kind::expired:
      case LinkView::Kind::revoked:
      case LinkView::Kind::other_version:
        return HTTPResponse::HTTP_GONE;
      default:
        return HTTPResponse::HTTP_OK;
    }
  }

  void access(const HTTPServerRequest& req, const std::string& path, int status,
              std::chrono::steady_clock::time_point start, const std::string& ip) {
    if (log == nullptr) return;
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    const std::lock_guard lock(log_mutex);
    // A Referer is noted, never written: it would carry the token of the page it came from.
    *log << ip << ' ' << printable(req.getMethod()) << ' ' << path << ' ' << status << ' ' << us / 1000 << '.'
         << (us % 1000) / 100 << "ms" << (req.has("Referer") ? " met-referer" : "") << "\n"
         << std::flush;
  }

  // The request's form: at most kMaxBody bytes, never the query string. nullopt when too large;
  // a null form when malformed.
  static std::optional<std::unique_ptr<Poco::Net::HTMLForm>> form_of(HTTPServerRequest& req) {
    const auto body = http::body(req, static_cast<std::size_t>(kMaxBody));
    if (!body) return std::nullopt;
    return http::form(*body, 10);
  }

  void handle(HTTPServerRequest& req, HTTPServerResponse& res) {
    const auto start = std::chrono::steady_clock::now();
    http::working();
    // A year, this host only: the links and the penvoerder's cookie never go over plain http again.
    if (hsts) res.set("Strict-Transport-Security", "max-age=31536000");
    const Actor who = actor(req);
    // Only the two forms read a body. Any other body stays unread on the connection, where Poco
    // would parse it as the next request (a smuggled one): such a connection is closed.
    const bool body = req.getChunkedTransferEncoding() || (req.hasContentLength() && req.getContentLength64() > 0);
    const std::string target = Poco::URI(req.getURI()).getPath();
    const bool beheer_path = target == "/beheer" || target.starts_with("/beheer/");
    const bool form =
        req.getMethod() == "POST" && (target.ends_with("/onderteken") || target.ends_with("/weiger") || beheer_path);
    if (body && !form) res.setKeepAlive(false);
    std::string logged = "/";
    try {
      logged = route(req, res, who);
    } catch (const Poco::Net::HTMLFormException&) {
      if (!res.sent()) {
        res.setKeepAlive(false);
        html(res, HTTPResponse::HTTP_BAD_REQUEST, page::message("Ongeldig formulier", "Het formulier is ongeldig."));
      }
    } catch (const StoreError& e) {
      std::cerr << "sto serve: " << e.what() << "\n";
      if (!res.sent()) {
        res.setKeepAlive(false);
        res.set("Retry-After", "5");
        html(res, HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
             page::message("Even geduld", "Het is nu te druk. Probeer het over een paar seconden opnieuw."));
      }
    } catch (const std::exception& e) {
      std::cerr << "sto serve: " << e.what() << "\n";
      if (!res.sent()) {
        res.setKeepAlive(false);
        html(
            res, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR,
            page::message("Er ging iets mis", "Er ging iets mis; er is niets ondertekend. Probeer het later opnieuw."));
      }
    }
    access(req, logged, static_cast<int>(res.getStatus()), start, who.ip);
    http::awaiting_request();
  }

  // Returns the path as it may be logged (the token replaced by "…").
  std::string route(HTTPServerRequest& req, HTTPServerResponse& res, const Actor& who) {
    const Poco::URI uri(req.getURI());
    const std::string path = uri.getPath();
    const std::string& method = req.getMethod();
    if (path == "/" && (method == "GET" || method == "HEAD")) {
      html(res, HTTPResponse::HTTP_OK,
           page::message("Ondertekenen", "Open de persoonlijke link uit uw mail om de overeenkomst te ondertekenen."));
      return path;
    }
    if (path == "/beheer" || path.starts_with("/beheer/")) return beheer->handle(req, res, who);
    if (path == "/favicon.ico") {
      // Browsers ask for it on every visit; there is none (a data: icon would need the CSP
      // opened), and a 404 each time would only fill the log.
      res.setStatusAndReason(HTTPResponse::HTTP_NO_CONTENT);
      res.set("Cache-Control", "public, max-age=604800");
      res.setContentLength(0);
      res.send();
      return path;
    }
    if (!path.starts_with("/t/")) {
      html(res, HTTPResponse::HTTP_NOT_FOUND, page::message("Niet gevonden", "Deze pagina bestaat niet."));
      return "(elders)";
    }
    const std::string rest = path.substr(3);
    const std::string token = rest.substr(0, rest.find('/'));
    const std::string sub = rest.substr(token.size());
    const std::string logged = loggable(sub);
    const std::string base = "/t/" + token;

    // A link that exists is always answered; an address whose look-ups keep failing is slowed
    // down before it costs another one (tokens have 256 bits: this spares the database, it is
    // not what keeps them secret).
    const std::string hash = token_hash(token);
    if (limiter.blocked(who.ip) && (hash.empty() || !w.store().link(hash))) {
      res.setKeepAlive(false);
      html(res, HTTPResponse::HTTP_TOO_MANY_REQUESTS,
           page::message("Te veel pogingen", "Te veel onbekende links vanaf uw adres. Probeer het later opnieuw."));
      return logged;
    }
    if (sub.empty() && method == "GET") {
      const LinkView v = w.view(token, who);
      if (v.kind == LinkView::Kind::unknown) limiter.failed(who.ip);
      html(res, status_of(v.kind), page::render(v, base, w.mac("csrf", v.token_hash), "", "", ""));
      return logged;
    }
    if (sub == "/pdf" && method == "GET") {
      const auto pdf = w.contract_pdf(token, who);
      if (!pdf) {
        if (hash.empty() || !w.store().link(hash)) limiter.failed(who.ip);
        html(res, HTTPResponse::HTTP_NOT_FOUND,
             page::message("Niet beschikbaar", "Bij deze link hoort geen overeenkomst (meer)."));
        return logged;
      }
      res.setStatusAndReason(HTTPResponse::HTTP_OK);
      secure(res, "default-src 'none'; frame-ancestors 'none'");
      res.setContentType("application/pdf");
      res.set("Content-Disposition", std::string(uri.getRawQuery() == "download=1" ? "attachment" : "inline") +
                                         "; filename=\"overeenkomst.pdf\"");
      res.setContentLength(static_cast<std::streamsize>(pdf->size()));
      http::sending(pdf->size());
      res.send().write(pdf->data(), static_cast<std::streamsize>(pdf->size()));
      return logged;
    }
    if ((sub == "/onderteken" || sub == "/weiger") && method == "POST") {
      post(req, res, who, token, base, sub == "/onderteken");
      return logged;
    }
    // HEAD included: it must not count as a view or a download.
    const bool known = sub.empty() || sub == "/pdf" || sub == "/onderteken" || sub == "/weiger";
    if (known) res.set("Allow", sub.empty() || sub == "/pdf" ? "GET" : "POST");
    html(res, known ? HTTPResponse::HTTP_METHOD_NOT_ALLOWED : HTTPResponse::HTTP_NOT_FOUND,
         page::message("Niet gevonden", "Deze pagina bestaat niet."));
    return logged;
  }

  void post(HTTPServerRequest& req, HTTPServerResponse& res, const Actor& who, const std::string& token,
            const std::string& base, bool signing) {
    if (req.has("Sec-Fetch-Site") && req.get("Sec-Fetch-Site") != "same-origin") {
      res.setKeepAlive(false);
      html(res, HTTPResponse::HTTP_FORBIDDEN, page::message("Geweigerd", "Dit formulier komt van een andere site."));
      return;
    }
    if (req.getContentType().rfind(Poco::Net::HTMLForm::ENCODING_URL, 0) != 0) {
      res.setKeepAlive(false);
      html(res, HTTPResponse::HTTP_UNSUPPORTED_MEDIA_TYPE, page::message("Geweigerd", "Onverwacht formulier."));
      return;
    }
    const auto read = form_of(req);
    if (!read) {
      res.setKeepAlive(false);  // the rest of the body is unread on the socket
      html(res, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, page::message("Geweigerd", "Het formulier is te groot."));
      return;
    }
    if (!*read) {
      html(res, HTTPResponse::HTTP_BAD_REQUEST,
           page::message("Ongeldig formulier",
                         "Het formulier bevat tekens die niet gelezen kunnen worden. Open de link uit uw mail "
                         "opnieuw en probeer het nog eens."));
      return;
    }
    const Poco::Net::HTMLForm* form = read->get();
    const std::string hash = token_hash(token);
    const std::string want = w.mac("csrf", hash);
    const std::string got = form->get("csrf", "");
    if (hash.empty() || got.size() != want.size() || CRYPTO_memcmp(got.data(), want.data(), want.size()) != 0) {
      if (hash.empty() || !w.store().link(hash)) limiter.failed(who.ip);
      html(res, HTTPResponse::HTTP_FORBIDDEN,
           page::message("Formulier verlopen", "Open de link uit uw mail opnieuw en probeer het nog eens."));
      return;
    }
    const std::string name = form->get("naam", "");
    const std::string reason = form->get("reden", "");
    LinkView v;
    try {
      v = signing ? w.sign(token, form->get("bevestig", "") == "ja", name, who) : w.decline(token, reason, who);
    } catch (const PageError& e) {
      LinkView again = w.view(token, who);
      html(res, HTTPResponse::HTTP_UNPROCESSABLE_ENTITY,
           page::render(again, base, want, e.what(), signing ? name : "", signing ? "" : reason));
      return;
    }
    if (v.kind == LinkView::Kind::unknown) {
      html(res, HTTPResponse::HTTP_NOT_FOUND, page::render(v, base, want, "", "", ""));
      return;
    }
    secure(res, csp());
    res.setContentLength(0);
    res.redirect(base, HTTPResponse::HTTP_SEE_OTHER);
  }
};

namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(PageServer::Impl& impl) : impl_(impl) {}
  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& res) override { impl_.handle(req, res); }

 private:
  PageServer::Impl& impl_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(PageServer::Impl& impl) : impl_(impl) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Handler(impl_); }

 private:
  PageServer::Impl& impl_;
};

}  // namespace

PageServer::PageServer(Werkruimte& werkruimte, const std::string& listen, std::ostream* access_log,
                       const std::filesystem::path& templates)
    : impl_(std::make_unique<Impl>(werkruimte, access_log)) {
  const Configuration& c = werkruimte.configuration();
  try {
    const Poco::Net::SocketAddress address(listen);
    impl_->host = address.host().toString();
    if (!c.tls_certificate.empty()) {
      Poco::Net::initializeSSL();
      Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, c.tls_key,
                                                               c.tls_certificate, "", Poco::Net::Context::VERIFY_NONE);
      context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                                Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
      impl_->socket = std::make_unique<Poco::Net::SecureServerSocket>(address, 128, context);
      impl_->tls = true;
    } else {
      impl_->socket = std::make_unique<Poco::Net::ServerSocket>(address, 128);
    }
  } catch (const Poco::Exception& e) {
    throw Error("kan niet luisteren op " + listen + ": " + e.displayText());
  }
  const bool https = impl_->tls || c.base_url.starts_with("https://");
  impl_->hsts = https;
  impl_->beheer = std::make_unique<Beheer>(werkruimte, templates, https);
  auto params = Poco::makeAuto<Poco::Net::HTTPServerParams>();
  params->setMaxThreads(c.server_threads);
  params->setMaxQueued(c.server_queue);
  params->setTimeout(Poco::Timespan(10, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(5, 0));
  params->setMaxKeepAliveRequests(100);
  params->setServerName("sto");
  impl_->pool = std::make_unique<Poco::ThreadPool>(2, c.server_threads);
  http::GuardLimits limits;
  // Behind a proxy every connection comes from the proxy's address.
  limits.per_address = c.trust_proxy ? 0 : c.server_per_address;
  impl_->guard = std::make_unique<http::Guard>(limits);
  impl_->server = std::make_unique<Poco::Net::TCPServer>(impl_->guard->factory(params, new Factory(*impl_)),
                                                         *impl_->pool, *impl_->socket, params);
  impl_->server->setConnectionFilter(impl_->guard->filter());
}

PageServer::~PageServer() { stop(); }

void PageServer::start() { impl_->server->start(); }

void PageServer::stop() {
  if (impl_->server) {
    impl_->server->stop();
    impl_->guard->shut_all();
    impl_->pool->joinAll();
  }
}

unsigned short PageServer::port() const { return impl_->socket->address().port(); }

void set_beheer_password(const std::filesystem::path& dir, const std::string& password) {
  beheer::set_password(dir, password);
}

void check_beheer_password(const std::string& password) { beheer::check_password(password); }

std::string PageServer::base_url() const {
  const std::string host = impl_->host == "0.0.0.0" ? "127.0.0.1" : impl_->host;
  return std::string(impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port());
}

}  // namespace sto
