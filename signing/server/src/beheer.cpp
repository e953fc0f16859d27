// The penvoerder's pages: who may enter (password, sessions, CSRF, the throttle) and what each
// path shows. The acts themselves are in beheer_actions.cpp.
#include <openssl/crypto.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <atomic>
#include <ctime>
#include <regex>
#include <set>
#include <sstream>

#include "beheer_impl.h"
#include "beheer_pages.h"

namespace sto {

namespace {

using http::HTTPResponse;

constexpr std::size_t kMaxForm = 16 * 1024;
constexpr std::size_t kMaxUpload = 10 * 1024 * 1024;
constexpr const char* kSessionCookie = "sto_beheer";
constexpr const char* kLoginCookie = "sto_login";

bool plain_name(const std::string& text, std::size_t max) {
  static const std::regex name("[A-Za-z0-9][A-Za-z0-9._-]*");
  return !text.empty() && text.size() <= max && std::regex_match(text, name);
}

// The uploaded file, kept in memory up to the body's limit, which was enforced before parsing.
class UploadPart final : public Poco::Net::PartHandler {
 public:
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string disposition;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition, params);
    if (params.get("name", "") != "bestand") return;
    name = params.get("filename", "");
    std::ostringstream out;
    Poco::StreamCopier::copyStream(stream, out);
    content = out.str();
    seen = true;
  }
  bool seen = false;
  std::string name;
  std::string content;
};

}  // namespace

Beheer::Impl::Impl(Werkruimte& werkruimte, std::filesystem::path t, bool h)
    : w(werkruimte),
      templates(std::move(t)),
      https(h),
      rule_sets(templates.empty() ? std::vector<RuleSet>{} : load_rule_sets(templates / "regelingen")),
      log(werkruimte.dir() / "beheer.jsonl") {}

std::shared_ptr<const Beheer::Impl::Shown> Beheer::Impl::shown(const std::string& kenmerk) {
  // The head is read before the status: what is kept is never older than its key.
  const auto kept = [&](const std::string& head) -> std::shared_ptr<const Shown> {
    const std::lock_guard lock(shown_mutex);
    const auto it = shown_cache.find(kenmerk);
    if (it != shown_cache.end() && it->second->head == head && now_ms() - it->second->at_ms < 1000) return it->second;
    return nullptr;
  };
  if (auto hit = kept(w.store().audit_head(kenmerk).first)) return hit;
  // One view builds it while the others wait for that one, rather than all of them at once
  // (after every signature, 16 open connections would otherwise build 16 tables).
  const std::lock_guard building(shown_building);
  std::string head = w.store().audit_head(kenmerk).first;
  if (auto hit = kept(head)) return hit;
  auto fresh = std::make_shared<Shown>();
  fresh->head = std::move(head);
  fresh->at_ms = now_ms();
  fresh->status = w.status(kenmerk);
  fresh->schedule = w.herinneringen(kenmerk);
  fresh->progress = beheer_page::progress(fresh->status);
  const std::lock_guard lock(shown_mutex);
  shown_cache[kenmerk] = fresh;
  return fresh;
}

std::string Beheer::Impl::policy() const {
  return "default-src 'none'; script-src 'self'; connect-src 'self'; style-src '" + beheer_page::style_hash() +
         "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
}

void Beheer::Impl::html(http::HTTPServerResponse& res, HTTPResponse::HTTPStatus status, const std::string& body) const {
  http::send(res, status, "text/html; charset=utf-8", body, policy());
}

void Beheer::Impl::redirect(http::HTTPServerResponse& res, const std::string& location) const {
  http::see_other(res, location, policy());
}

void Beheer::Impl::record(std::string_view event, const Actor& who, const std::map<std::string, std::string>& extra) {
  AuditEntry e;
  e["event"] = std::string(event);
  e["time"] = iso_ms(now_ms());
  e["ip"] = who.ip;
  e["user_agent"] = who.user_agent;
  for (const auto& [k, v] : extra) e[k] = v;
  log.append(std::move(e));
}

Beheer::Beheer(Werkruimte& werkruimte, std::filesystem::path templates, bool https)
    : impl_(std::make_unique<Impl>(werkruimte, std::move(templates), https)) {}
Beheer::~Beheer() = default;

std::string Beheer::handle(http::HTTPServerRequest& req, http::HTTPServerResponse& res, const Actor& who) {
  Impl& b = *impl_;
  const Poco::URI uri(req.getURI());
  const std::string path = uri.getPath();
  const std::string& method = req.getMethod();
  const bool get = method == "GET" || method == "HEAD";
  const bool post = method == "POST";

  if (path == "/beheer") {
    if (post) res.setKeepAlive(false);  // its body stays unread
    b.redirect(res, "/beheer/");
    return path;
  }
  if (path == "/beheer/beheer.js" && get) {
    res.setStatusAndReason(HTTPResponse::HTTP_OK);
    http::secure(res, "default-src 'none'");
    res.set("Cache-Control", "no-cache");
    res.setContentType("text/javascript; charset=utf-8");
    res.setContentLength(static_cast<std::streamsize>(beheer_page::script().size()));
    res.send() << beheer_page::script();
    return path;
  }

  // --- the way in ---
  if (path == "/beheer/login") {
    std::string pre = http::cookie(req, kLoginCookie);
    if (get) {
      if (pre.size() != 43) {
        pre = beheer::random_token(32);
        res.add("Set-Cookie", std::string(kLoginCookie) + "=" + pre + "; Path=/beheer; HttpOnly; SameSite=Strict" +
                                  (b.https ? "; Secure" : ""));
      }
      b.html(res, HTTPResponse::HTTP_OK, beheer_page::login(b.w.mac("beheer-login", pre), ""));
      return path;
    }
    if (!post) {
      res.set("Allow", "GET, POST");
      b.html(res, HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
             beheer_page::message("Niet toegestaan", "Alleen GET of POST.", ""));
      return path;
    }
    const auto body = http::body(req, kMaxForm);
    if (!body) {
      res.setKeepAlive(false);
      b.html(res, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, beheer_page::message("Geweigerd", "Te groot.", ""));
      return path;
    }
    const auto form = http::form(*body, 10);
    const std::string want = b.w.mac("beheer-login", pre);
    if (!form) {
      b.html(res, HTTPResponse::HTTP_BAD_REQUEST, beheer_page::login(want, "Het formulier is ongeldig."));
      return path;
    }
    const std::string got = form->get("csrf", "");
    if (pre.empty() || got.size() != want.size() || CRYPTO_memcmp(got.data(), want.data(), want.size()) != 0) {
      b.html(res, HTTPResponse::HTTP_FORBIDDEN,
             beheer_page::message("Formulier verlopen", "Laad de inlogpagina opnieuw en probeer het nog eens.",
                                  "/beheer/login"));
      return path;
    }
    if (b.throttle.blocked(who.ip, b.now_ms())) {
      b.record("login-geblokkeerd", who);
      res.set("Retry-After", std::to_string(beheer::kWindowMs / 1000));
      b.html(res, HTTPResponse::HTTP_TOO_MANY_REQUESTS,
             beheer_page::login(want, "Te vaak een onjuist wachtwoord. Probeer het over een kwartier opnieuw."));
      return path;
    }
    // At most two scrypt runs (32 MiB each) at once, whoever asks.
    static std::atomic<int> running{0};
    if (running.fetch_add(1) >= 2) {
      running.fetch_sub(1);
      res.set("Retry-After", "1");
      b.html(res, HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
             beheer_page::login(want, "Het is even druk. Probeer het over een paar seconden opnieuw."));
      return path;
    }
    b.throttle.wrong(who.ip, b.now_ms());  // taken back below when it was right
    bool matches = false;
    try {
      matches = beheer::password_matches(b.w.dir(), form->get("wachtwoord", ""));
    } catch (...) {
      running.fetch_sub(1);
      throw;
    }
    running.fetch_sub(1);
    if (!matches) {
      b.record("login-geweigerd", who);
      b.html(res, HTTPResponse::HTTP_UNAUTHORIZED,
             beheer_page::login(want, beheer::has_password(b.w.dir())
                                          ? "Onjuist wachtwoord."
                                          : "Er is nog geen wachtwoord gezet: sto beheer wachtwoord."));
      return path;
    }
    b.throttle.right(who.ip);
    const std::string cookie = b.sessions.create(b.now_ms(), b.w.mac("beheer-sessie", ""));
    b.record("login", who);
    res.add("Set-Cookie", std::string(kSessionCookie) + "=" + cookie + "; Path=/beheer; HttpOnly; SameSite=Strict" +
                              (b.https ? "; Secure" : ""));
    b.redirect(res, "/beheer/");
    return path;
  }

  const bool api = path.starts_with("/beheer/api/") || path.ends_with("/voortgang");
  const std::string cookie = http::cookie(req, kSessionCookie);
  const auto session = b.sessions.find(cookie, b.now_ms(), !api);
  if (!session) {
    if (post) res.setKeepAlive(false);  // its body stays unread
    if (api) {
      res.set("WWW-Authenticate", "Cookie realm=\"beheer\"");
      http::send(res, HTTPResponse::HTTP_UNAUTHORIZED, "application/json", "{\"fout\":\"niet ingelogd\"}\n",
                 "default-src 'none'; frame-ancestors 'none'");
    } else {
      b.redirect(res, "/beheer/login");
    }
    return api ? "/beheer/api/…" : "/beheer/…";
  }

  PageVisit v{req, res, who, *session, {}, {}};
  if (post) {
    if (req.has("Sec-Fetch-Site") && req.get("Sec-Fetch-Site") != "same-origin") {
      res.setKeepAlive(false);
      b.html(res, HTTPResponse::HTTP_FORBIDDEN,
             beheer_page::message("Geweigerd", "Dit formulier komt van een andere site."));
      return "/beheer/…";
    }
    const bool multipart = req.getContentType().starts_with("multipart/form-data");
    const auto body = http::body(req, multipart ? kMaxUpload : kMaxForm);
    if (!body) {
      res.setKeepAlive(false);
      b.html(res, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE,
             beheer_page::message("Geweigerd", "Het bestand of formulier is te groot (hoogstens 10 MiB)."));
      return "/beheer/…";
    }
    Poco::Net::HTMLForm form;
    form.setFieldLimit(20);
    std::istringstream in(*body);
    UploadPart part;
    try {
      if (multipart) {
        form.load(req, in, part);
      } else {
        form.read(in);
      }
      if (!http::utf8_fields(form)) throw Poco::DataFormatException("geen UTF-8");
    } catch (const Poco::Exception&) {
      res.setKeepAlive(false);
      b.html(res, HTTPResponse::HTTP_BAD_REQUEST,
             beheer_page::message("Ongeldig formulier", "Het formulier is ongeldig."));
      return "/beheer/…";
    }
    const std::string got = form.get("csrf", "");
    const std::string& want = session->csrf;
    if (got.size() != want.size() || CRYPTO_memcmp(got.data(), want.data(), want.size()) != 0) {
      b.html(res, HTTPResponse::HTTP_FORBIDDEN,
             beheer_page::message("Formulier verlopen", "Laad de pagina opnieuw en probeer het nog eens."));
      return "/beheer/…";
    }
    for (const auto& [k, value] : form) v.form.add(k, value);
    if (part.seen) {
      v.form.set("bestand", part.content);
      v.file_name = part.name;
    }
  }
  const std::string& csrf = session->csrf;

  if (path == "/beheer/logout" && post) {
    b.sessions.end(cookie);
    b.record("logout", who);
    res.add("Set-Cookie", std::string(kSessionCookie) + "=; Path=/beheer; Max-Age=0; HttpOnly; SameSite=Strict" +
                              (b.https ? "; Secure" : ""));
    b.redirect(res, "/beheer/login");
    return path;
  }
  if (path == "/beheer/" && get) {
    std::vector<Status> all;
    for (const std::string& k : b.w.store().kenmerken()) all.push_back(b.w.status(k));
    b.html(res, HTTPResponse::HTTP_OK, beheer_page::overview(csrf, all));
    return path;
  }
  if (path == "/beheer/nieuw") {
    if (post) {
      b.check_upload(v);
    } else {
      b.html(res, HTTPResponse::HTTP_OK, beheer_page::upload(csrf, b.w.store().kenmerken(), ""));
    }
    return path;
  }
  if (path == "/beheer/nieuw/open" && post) {
    b.open_upload(v);
    return path;
  }
  if (path == "/beheer/api/overeenkomsten" && get) {
    Poco::JSON::Array list;
    for (const std::string& k : b.w.store().kenmerken()) list.add(k);
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(list, out);
    http::send(res, HTTPResponse::HTTP_OK, "application/json", out.str() + "\n",
               "default-src 'none'; frame-ancestors 'none'");
    return path;
  }

  // /beheer/overeenkomsten/K[/…] and /beheer/api/overeenkomsten/K
  const std::string prefix =
      api && path.starts_with("/beheer/api/") ? "/beheer/api/overeenkomsten/" : "/beheer/overeenkomsten/";
  if (path.starts_with(prefix)) {
    const std::string rest = path.substr(prefix.size());
    const std::string kenmerk = rest.substr(0, rest.find('/'));
    const std::string sub = rest.substr(kenmerk.size());
    static const std::set<std::string> kKnown = {
        "",          "/voortgang",  "/contract.pdf", "/getekend.pdf", "/bewijsdossier.pdf", "/archief.zip",
        "/herinner", "/uitnodigen", "/opnieuw",      "/intrekken",    "/herinneringen"};
    const std::string logged = prefix + "…" + (kKnown.contains(sub) ? sub : "/…");
    if (!plain_name(kenmerk, 64) || !b.w.store().latest_version(kenmerk)) {
      if (prefix.starts_with("/beheer/api/")) {
        http::send(res, HTTPResponse::HTTP_NOT_FOUND, "application/json", "{\"fout\":\"onbekend kenmerk\"}\n",
                   "default-src 'none'; frame-ancestors 'none'");
        return logged;
      }
      b.html(res, HTTPResponse::HTTP_NOT_FOUND,
             beheer_page::message("Niet gevonden", "Er is geen overeenkomst met dit kenmerk."));
      return logged;
    }
    if (prefix.starts_with("/beheer/api/")) {
      if (!sub.empty() || !get) {
        http::send(res, HTTPResponse::HTTP_NOT_FOUND, "application/json", "{\"fout\":\"onbekend\"}\n",
                   "default-src 'none'; frame-ancestors 'none'");
        return logged;
      }
      http::send(res, HTTPResponse::HTTP_OK, "application/json", status_json(b.shown(kenmerk)->status),
                 "default-src 'none'; frame-ancestors 'none'");
      return logged;
    }
    if (post && !sub.empty()) {
      b.act(v, kenmerk, sub.substr(1));
      return logged;
    }
    if (get && sub.empty()) {
      const auto shown = b.shown(kenmerk);
      b.html(res, HTTPResponse::HTTP_OK,
             beheer_page::agreement(csrf, shown->status, shown->schedule, shown->progress, done_text(uri.getRawQuery()),
                                    ""));
      return logged;
    }
    if (get && sub == "/voortgang") {
      http::send(res, HTTPResponse::HTTP_OK, "text/html; charset=utf-8", b.shown(kenmerk)->progress, b.policy());
      return logged;
    }
    if (get && sub.starts_with("/tekenbevoegden/")) {
      const std::string id = sub.substr(std::string_view("/tekenbevoegden/").size());
      const Status s = b.w.status(kenmerk);
      for (std::size_t i = 0; i < s.signatories.size(); ++i) {
        if (s.signatories[i].tekenbevoegde == id) {
          b.html(res, HTTPResponse::HTTP_OK, beheer_page::signatory(csrf, s, i));
          return prefix + "…/tekenbevoegden/…";
        }
      }
      b.html(res, HTTPResponse::HTTP_NOT_FOUND,
             beheer_page::message("Niet gevonden", "Deze tekenbevoegde staat niet in de laatste versie.",
                                  prefix + kenmerk));
      return prefix + "…/tekenbevoegden/…";
    }
    if (method == "GET" && b.download(v, kenmerk, sub.substr(1))) return logged;
  }
  b.html(res, HTTPResponse::HTTP_NOT_FOUND, beheer_page::message("Niet gevonden", "Deze pagina bestaat niet."));
  return "/beheer/…";
}

}  // namespace sto
