// Research prototype: the signing web page on Poco::Net::HTTPServer (Poco 1.11, Debian 12).
// Not production code. Routes:
//   GET  /t/<token>             HTML page with a form (works without JavaScript)
//   POST /t/<token>/sign        application/x-www-form-urlencoded, read with HTMLForm -> 303
//   GET  /t/<token>/ontvangst   receipt
//   GET  /t/<token>/pdf         the PDF, inline
//   GET  /t/<token>/embed?kind=iframe|object   test page: is an embedded PDF shown under the CSP?
//   GET  /static/logo.svg       an image (img-src 'self')
//   GET  /plain                 trivial handler (wrk ceiling)
//   GET  /nolen, /chunked       response without Content-Length / chunked (keep-alive behaviour)
//   GET  /boom-std, /boom-poco  handler throws std::runtime_error / Poco::Exception
//   GET  /t/<token>?bad=1       negative control: an inline style without its hash (CSP violation)
// Flags: --port N --threads N (maxThreads; 0 = Poco default) --queued N --keepalive 0|1
//        --keepalive-timeout S --timeout S --pool N (own ThreadPool capacity) --https CERT KEY
//        --max-ka N (maxKeepAliveRequests) --pdf FILE --token T --log 0|1
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <csignal>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>

using namespace Poco::Net;

namespace {

constexpr std::streamsize kMaxBody = 8 * 1024;  // the sign form is a few hundred bytes

std::string b64(const unsigned char* p, int n, bool url) {
  std::string out(static_cast<size_t>(4 * ((n + 2) / 3)), '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, n);
  out.resize(static_cast<size_t>(len));
  if (url) {
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!out.empty() && out.back() == '=') out.pop_back();
  }
  return out;
}

std::string sha256b64(const std::string& s) {
  unsigned char md[32];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), md, &n, EVP_sha256(), nullptr);
  return b64(md, 32, false);
}

std::string html(const std::string& s) {
  std::string o;
  for (char c : s) switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  return o;
}

struct State {
  std::string token;
  unsigned char key[32];
  std::string pdf;
  std::mutex mu;
  std::map<std::string, std::string> signedBy;  // token -> name + time
  bool log = false;
  std::string csrf(const std::string& tok) const {
    unsigned char md[32];
    unsigned int n = 0;
    HMAC(EVP_sha256(), key, 32, reinterpret_cast<const unsigned char*>(tok.data()), tok.size(), md, &n);
    return b64(md, 32, true);
  }
};
State g;

const std::string kStyle =
    "body{font-family:sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.5}"
    "label{display:block;margin:.75rem 0}input[type=text]{width:100%;font-size:1.1rem;padding:.4rem;box-sizing:border-box}"
    "button{font-size:1.1rem;padding:.6rem 1.2rem}.ok{background:#e6ffe6;border:1px solid #393;padding:1rem}"
    "h1{font-size:clamp(1.4rem,7vw,2rem);overflow-wrap:anywhere;hyphens:auto}img{height:2rem}iframe,object{width:100%;height:30rem;border:1px solid #999}";
std::string kStyleHash;  // computed at start

void secureHeaders(HTTPServerResponse& r, const std::string& csp) {
  r.set("Referrer-Policy", "no-referrer");
  r.set("Content-Security-Policy", csp);
  r.set("Cache-Control", "no-store");
  r.set("X-Content-Type-Options", "nosniff");
}

std::string pageCsp() {
  return "default-src 'none'; style-src '" + kStyleHash +
         "'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
}

void sendHtml(HTTPServerResponse& r, const std::string& body, const std::string& csp,
              HTTPResponse::HTTPStatus st = HTTPResponse::HTTP_OK) {
  r.setStatusAndReason(st);
  secureHeaders(r, csp);
  r.setContentType("text/html; charset=utf-8");
  r.setContentLength(static_cast<std::streamsize>(body.size()));
  r.send() << body;
}

void sendText(HTTPServerResponse& r, HTTPResponse::HTTPStatus st, const std::string& msg) {
  sendHtml(r, "<!doctype html><meta charset=utf-8><title>Fout</title><p>" + html(msg) + "</p>",
           "default-src 'none'; frame-ancestors 'none'", st);
}

std::string head(const std::string& title, const std::string& extraStyle = "") {
  return "<!doctype html><html lang=nl><head><meta charset=utf-8>"
         "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
         "<meta name=referrer content=no-referrer>"
         "<link rel=icon href=\"/static/logo.svg\"><title>" + html(title) + "</title><style>" + kStyle +
         "</style>" + extraStyle + "</head><body><img src=\"/static/logo.svg\" alt=\"STO\">";
}

// Reads at most max bytes of the body; nullopt if there is more (works for chunked bodies too).
std::optional<std::string> readLimited(std::istream& in, std::streamsize max) {
  std::string body(static_cast<size_t>(max + 1), '\0');
  in.read(body.data(), max + 1);
  std::streamsize got = in.gcount();
  if (got > max) return std::nullopt;
  body.resize(static_cast<size_t>(got));
  return body;
}

class Handler : public HTTPRequestHandler {
 public:
  // Poco 1.11 turns a Poco::Exception escaping a handler into a bare 500 (no security headers) and a
  // std::exception into a dropped connection with no response at all; so catch everything here.
  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& res) override {
    // ?raw: let the exception escape, to observe what Poco itself does with it.
    if (req.getURI() == "/boom-std?raw") throw std::runtime_error("std boom");
    if (req.getURI() == "/boom-poco?raw") throw Poco::IllegalStateException("poco boom");
    try {
      route(req, res);
    } catch (const HTMLFormException& e) {
      if (!res.sent()) { res.setKeepAlive(false); sendText(res, HTTPResponse::HTTP_BAD_REQUEST, "Ongeldig formulier."); }
    } catch (const std::exception& e) {
      std::cerr << "handler error: " << e.what() << '\n';
      if (!res.sent()) { res.setKeepAlive(false); sendText(res, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "Interne fout."); }
    }
  }

 private:
  void route(HTTPServerRequest& req, HTTPServerResponse& res) {
    if (g.log) {
      std::lock_guard lk(g.mu);
      std::cerr << "REQ " << req.getMethod() << ' ' << req.getURI()
                << " referer=" << (req.has("Referer") ? req.get("Referer") : "-")
                << " origin=" << (req.has("Origin") ? req.get("Origin") : "-")
                << " sec-fetch-site=" << (req.has("Sec-Fetch-Site") ? req.get("Sec-Fetch-Site") : "-")
                << " keepalive=" << req.getKeepAlive() << '\n';
    }
    Poco::URI uri(req.getURI());
    const std::string path = uri.getPath();
    // HEAD is answered like GET; Poco's response suppresses the body for HEAD requests.
    const std::string m = req.getMethod() == HTTPRequest::HTTP_HEAD ? HTTPRequest::HTTP_GET : req.getMethod();
    if (path == "/plain") {
      res.setContentType("text/plain");
      res.setContentLength(3);
      res.send() << "ok\n";
      return;
    }
    if (path == "/nolen") {  // neither Content-Length nor chunked
      res.setContentType("text/plain");
      res.send() << "no length\n";
      return;
    }
    if (path == "/chunked") {
      res.setContentType("text/plain");
      res.setChunkedTransferEncoding(true);
      std::ostream& o = res.send();
      for (int i = 0; i < 3; ++i) o << "chunk " << i << '\n' << std::flush;
      return;
    }
    if (path == "/boom-std") throw std::runtime_error("std boom");
    if (path == "/boom-poco") throw Poco::IllegalStateException("poco boom");
    if (path == "/static/logo.svg" && m == "GET") {
      static const std::string svg =
          "<svg xmlns='http://www.w3.org/2000/svg' width='80' height='32'><rect width='80' height='32' "
          "fill='#036'/><text x='8' y='22' fill='#fff' font-family='sans-serif' font-size='16'>STO</text></svg>";
      res.set("X-Content-Type-Options", "nosniff");
      res.set("Cache-Control", "public, max-age=86400");
      res.setContentType("image/svg+xml");
      res.setContentLength(static_cast<std::streamsize>(svg.size()));
      res.send() << svg;
      return;
    }
    // /t/<token>[/sub]
    if (path.rfind("/t/", 0) != 0) return sendText(res, HTTPResponse::HTTP_NOT_FOUND, "Niet gevonden.");
    std::string rest = path.substr(3);
    std::string token = rest.substr(0, rest.find('/'));
    std::string sub = rest.size() > token.size() ? rest.substr(token.size()) : "";
    if (token.size() != g.token.size() ||
        CRYPTO_memcmp(token.data(), g.token.data(), token.size()) != 0)
      return sendText(res, HTTPResponse::HTTP_NOT_FOUND, "Deze link is ongeldig of verlopen.");
    const std::string base = "/t/" + token;

    if (sub.empty() && m == "GET") {
      bool bad = uri.getRawQuery() == "bad=1";
      std::string b = head("Ondertekenen", bad ? "<style>p{color:red}</style>" : "");
      b += "<h1>Samenwerkingsovereenkomst</h1>"
           "<p>U ondertekent namens <b>IJsselstein College</b>. "
           "<a href=\"" + base + "/pdf\" rel=noreferrer>Bekijk de overeenkomst (PDF)</a></p>"
           "<form method=post action=\"" + base + "/sign\">"
           "<input type=hidden name=csrf value=\"" + g.csrf(token) + "\">"
           "<label>Uw naam <input type=text name=naam required maxlength=200 autocomplete=name></label>"
           "<label><input type=checkbox name=akkoord value=ja required> Ik heb de overeenkomst gelezen en "
           "ga akkoord</label><button type=submit>Ondertekenen</button></form></body></html>";
      return sendHtml(res, b, pageCsp());
    }
    if (sub == "/sign") {
      if (m != "POST") {
        res.set("Allow", "POST");
        return sendText(res, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "Alleen POST.");
      }
      // Origin is "null" here: with Referrer-Policy no-referrer, Chromium sends "Origin: null" on a
      // same-origin form POST. Sec-Fetch-Site is still sent, so use that (absent: old browser or curl).
      if (req.has("Sec-Fetch-Site") && req.get("Sec-Fetch-Site") != "same-origin") {
        res.setKeepAlive(false);
        return sendText(res, HTTPResponse::HTTP_FORBIDDEN, "Formulier van een andere site.");
      }
      if (!uri.getRawQuery().empty()) {
        res.setKeepAlive(false);
        return sendText(res, HTTPResponse::HTTP_BAD_REQUEST, "Onverwachte parameters.");
      }
      if (req.getContentType().rfind(HTMLForm::ENCODING_URL, 0) != 0)
        return sendText(res, HTTPResponse::HTTP_UNSUPPORTED_MEDIA_TYPE, "Verkeerd formulier.");
      if (req.hasContentLength() && req.getContentLength64() > kMaxBody) {
        res.setKeepAlive(false);  // Poco does not drain an unread body: it would be parsed as the next request
        return sendText(res, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, "Te groot.");
      }
      auto body = readLimited(req.stream(), kMaxBody);
      if (!body) {
        res.setKeepAlive(false);  // the rest of the body is still unread on the socket
        return sendText(res, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, "Te groot.");
      }
      HTMLForm form;
      form.setFieldLimit(10);
      form.setValueLengthLimit(1024);
      std::istringstream bs(*body);
      // Not form.load(req, bs): load() also merges the URL's query parameters, and they come first,
      // so "POST /sign?naam=X" would override the typed name. read() takes the body only.
      form.read(bs);  // throws HTMLFormException on limit/format errors
      const std::string csrf = form.get("csrf", ""), want = g.csrf(token);
      if (csrf.size() != want.size() || CRYPTO_memcmp(csrf.data(), want.data(), want.size()) != 0)
        return sendText(res, HTTPResponse::HTTP_FORBIDDEN, "Formulier verlopen; open de link opnieuw.");
      const std::string naam = form.get("naam", "");
      if (naam.empty() || form.get("akkoord", "") != "ja")
        return sendText(res, HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, "Vul uw naam in en vink akkoord aan.");
      char ts[32];
      std::time_t now = std::time(nullptr);
      std::tm tm{};
      gmtime_r(&now, &tm);  // std::gmtime is not thread-safe
      std::strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S UTC", &tm);
      {
        std::lock_guard lk(g.mu);
        g.signedBy[token] = naam + " op " + ts;
      }
      secureHeaders(res, "default-src 'none'; frame-ancestors 'none'");
      res.setContentLength(0);
      res.redirect(base + "/ontvangst", HTTPResponse::HTTP_SEE_OTHER);
      return;
    }
    if (sub == "/ontvangst" && m == "GET") {
      std::string who;
      {
        std::lock_guard lk(g.mu);
        auto it = g.signedBy.find(token);
        if (it != g.signedBy.end()) who = it->second;
      }
      if (who.empty()) return sendText(res, HTTPResponse::HTTP_NOT_FOUND, "Nog niet ondertekend.");
      std::string b = head("Ontvangstbewijs") + "<div class=ok id=receipt><h1>Ondertekend</h1><p>Ondertekend door " +
                      html(who) + ".</p></div></body></html>";
      return sendHtml(res, b, pageCsp());
    }
    if (sub == "/pdf" && m == "GET") {
      res.setStatusAndReason(HTTPResponse::HTTP_OK);
      // frame-ancestors 'self' (not 'none') so the embed test page may frame it.
      secureHeaders(res, uri.getRawQuery() == "fa=none" ? "default-src 'none'; frame-ancestors 'none'"
                                                        : "default-src 'none'; frame-ancestors 'self'");
      res.setContentType("application/pdf");
      res.set("Content-Disposition", std::string(uri.getRawQuery() == "dl=1" ? "attachment" : "inline") +
                                         "; filename=\"overeenkomst.pdf\"");
      res.setContentLength(static_cast<std::streamsize>(g.pdf.size()));
      res.send().write(g.pdf.data(), static_cast<std::streamsize>(g.pdf.size()));
      return;
    }
    if (sub == "/embed" && m == "GET") {
      // kind: iframe | object | iframe-nosrc (page CSP without frame-src) | iframe-fanone (PDF with
      // frame-ancestors 'none')
      std::string kind = uri.getQueryParameters().empty() ? "iframe" : uri.getQueryParameters()[0].second;
      std::string pdf = base + "/pdf" + (kind == "iframe-fanone" ? "?fa=none" : "");
      std::string b = head("Embed " + kind);
      b += kind == "object" ? "<object data=\"" + pdf + "\" type=\"application/pdf\">geen PDF-viewer</object>"
                            : "<iframe src=\"" + pdf + "\" title=\"PDF\"></iframe>";
      b += "</body></html>";
      return sendHtml(res, b, pageCsp() + (kind == "iframe-nosrc" ? "" : "; frame-src 'self'; object-src 'self'"));
    }
    return sendText(res, HTTPResponse::HTTP_NOT_FOUND, "Niet gevonden.");
  }
};

class Factory : public HTTPRequestHandlerFactory {
 public:
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Handler; }
};

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals before any thread exists, so every Poco thread inherits the mask and
  // sigwait() below is the only receiver.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int maxKa = 0;
  int port = 8080, threads = 0, queued = 64, pool = 0, keepalive = 1, timeout = 60, kaTimeout = 10;
  std::string cert, key, pdfFile = "/tmp/rs-browser/test.pdf";
  g.token.clear();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return std::string(argv[++i]); };
    if (a == "--port") port = std::stoi(next());
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--queued") queued = std::stoi(next());
    else if (a == "--pool") pool = std::stoi(next());
    else if (a == "--keepalive") keepalive = std::stoi(next());
    else if (a == "--max-ka") maxKa = std::stoi(next());
    else if (a == "--keepalive-timeout") kaTimeout = std::stoi(next());
    else if (a == "--timeout") timeout = std::stoi(next());
    else if (a == "--pdf") pdfFile = next();
    else if (a == "--token") g.token = next();
    else if (a == "--log") g.log = next() == "1";
    else if (a == "--https") { cert = next(); key = next(); }
  }
  unsigned char rnd[32];
  RAND_bytes(g.key, sizeof g.key);
  if (g.token.empty()) {
    RAND_bytes(rnd, sizeof rnd);
    g.token = b64(rnd, sizeof rnd, true);  // 43 chars base64url
  }
  std::ifstream pf(pdfFile, std::ios::binary);
  g.pdf.assign(std::istreambuf_iterator<char>(pf), {});
  kStyleHash = "sha256-" + sha256b64(kStyle);

  auto params = Poco::makeAuto<HTTPServerParams>();  // AutoPtr; HTTPServer takes ownership of a ref
  if (threads > 0) params->setMaxThreads(threads);
  params->setMaxQueued(queued);
  params->setTimeout(Poco::Timespan(timeout, 0));
  params->setKeepAlive(keepalive != 0);
  params->setKeepAliveTimeout(Poco::Timespan(kaTimeout, 0));
  params->setMaxKeepAliveRequests(maxKa);  // 0 = unlimited

  std::unique_ptr<ServerSocket> sock;
  if (!cert.empty()) {
    initializeSSL();
    Context::Ptr ctx = new Context(Context::TLS_SERVER_USE, key, cert, "", Context::VERIFY_NONE);
    ctx->disableProtocols(Context::PROTO_SSLV2 | Context::PROTO_SSLV3 | Context::PROTO_TLSV1 |
                          Context::PROTO_TLSV1_1);
    sock = std::make_unique<SecureServerSocket>(SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), 64, ctx);
  } else {
    sock = std::make_unique<ServerSocket>(SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), 64);
  }
  std::unique_ptr<Poco::ThreadPool> ownPool;
  std::unique_ptr<HTTPServer> srv;
  if (pool > 0) {
    ownPool = std::make_unique<Poco::ThreadPool>(2, pool);
    srv = std::make_unique<HTTPServer>(new Factory, *ownPool, *sock, params);
  } else {
    srv = std::make_unique<HTTPServer>(new Factory, *sock, params);
  }
  srv->start();
  std::cout << "listening " << (cert.empty() ? "http" : "https") << "://127.0.0.1:" << port << "/t/" << g.token
            << " maxThreads=" << srv->maxThreads() << " maxQueued=" << queued << " keepalive=" << keepalive << " maxKeepAliveRequests=" << maxKa
            << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  srv->stopAll(true);
  std::cout << "refused=" << srv->refusedConnections() << " total=" << srv->totalConnections() << std::endl;
  if (!cert.empty()) uninitializeSSL();
  return 0;
}
