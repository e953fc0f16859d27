#include "page.h"

#include <openssl/evp.h>

#include <array>
#include <ctime>

#include "sto/html.h"

namespace sto::page {

namespace {

constexpr std::array<const char*, 12> kMaanden = {"januari",   "februari", "maart",    "april",
                                                  "mei",       "juni",     "juli",     "augustus",
                                                  "september", "oktober",  "november", "december"};

}  // namespace

std::string datum(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char hm[16];
  std::snprintf(hm, sizeof hm, "%02d:%02d", tm.tm_hour % 24, tm.tm_min % 60);
  return std::to_string(tm.tm_mday) + " " + kMaanden[static_cast<std::size_t>(tm.tm_mon) % 12] + " " +
         std::to_string(tm.tm_year + 1900) + " om " + hm + " UTC";
}

namespace {

std::string head(const std::string& title) {
  return "<!doctype html><html lang=nl><head><meta charset=utf-8>"
         "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
         "<meta name=referrer content=no-referrer><title>" +
         html_escape(title) + "</title><style>" + style() + "</style></head><body><main>";
}

constexpr std::string_view kFoot = "</main></body></html>";

std::string row(const std::string& label, const std::string& value, bool code = false) {
  return "<dt>" + html_escape(label) + "</dt><dd>" +
         (code ? "<code>" + html_escape(value) + "</code>" : html_escape(value)) + "</dd>";
}

// What is signed, as a list; `extra` rows (a receipt's) go in the same list, so that the labels
// share one column.
std::string identity(const LinkView& v, const std::string& extra = "") {
  std::string out = "<dl>";
  out += row("Regio", v.regio);
  out += row("Kenmerk", v.kenmerk);
  out += row("Versie", std::to_string(v.versie));
  if (v.wijziging > 0) out += row("Wijziging", std::to_string(v.wijziging));
  out += row("U tekent namens", v.partner);
  out += row("Als", v.functie + (v.hoedanigheid.empty() ? "" : " (" + v.hoedanigheid + ")"));
  out += row("Naam", v.naam);
  out += row("Document (SHA-256)", v.document_sha256, true);
  out += extra + "</dl>";
  return out;
}

}  // namespace

const std::string& style() {
  static const std::string css =
      "body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24;line-height:1.5}"
      "main{max-width:42rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh;box-sizing:border-box}"
      "h1{font-size:clamp(1.3rem,6vw,1.8rem);overflow-wrap:anywhere;margin:.2rem 0 .8rem}"
      ".kop{color:#0b4f8a;font-weight:600;letter-spacing:.03em;text-transform:uppercase;font-size:.8rem}"
      "dl{display:grid;grid-template-columns:minmax(7rem,12rem) 1fr;gap:.2rem 1rem;margin:1rem 0}"
      "dt{color:#555}dd{margin:0;overflow-wrap:anywhere}code{font-size:.85rem;word-break:break-all}"
      "@media(max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}"
      "a{color:#0b4f8a}.pdf{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:1rem 0}"
      "form{margin:1.2rem 0;padding:1rem;border:1px solid #ccd;border-radius:.4rem}"
      "label{display:block;margin:.6rem 0}input[type=text],textarea{width:100%;font-size:1.1rem;padding:.5rem;"
      "box-sizing:border-box;border:1px solid #889;border-radius:.3rem}"
      "input[type=checkbox]{width:1.3rem;height:1.3rem;vertical-align:middle;margin-right:.4rem}"
      "button{font-size:1.1rem;padding:.7rem 1.4rem;border:0;border-radius:.3rem;background:#0b6e3d;color:#fff;"
      "cursor:pointer}button.weiger{background:#8a1c1c}"
      "details{margin:1rem 0}summary{cursor:pointer;color:#8a1c1c}"
      ".fout{background:#fdecea;border:1px solid #b3261e;padding:.8rem;border-radius:.3rem}"
      ".ok{background:#e8f5e9;border:1px solid #2e7d32;padding:.8rem;border-radius:.3rem}"
      ".nee{background:#fff4e5;border:1px solid #b26a00;padding:.8rem;border-radius:.3rem}"
      "small{color:#555}";
  return css;
}

std::string csp_hash(std::string_view text) {
  unsigned char md[32];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), md, &n, EVP_sha256(), nullptr);
  unsigned char b64[64];
  const int len = EVP_EncodeBlock(b64, md, static_cast<int>(n));
  return "sha256-" + std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(len));
}

const std::string& style_hash() {
  static const std::string hash = csp_hash(style());
  return hash;
}

std::string message(const std::string& title, const std::string& text) {
  return head(title) + "<p class=kop>Sterk Techniekonderwijs · ondertekenen</p><h1>" + html_escape(title) + "</h1><p>" +
         html_escape(text) + "</p>" + std::string(kFoot);
}

std::string render(const LinkView& v, const std::string& base, const std::string& csrf, const std::string& error,
                   const std::string& name, const std::string& reason) {
  using Kind = LinkView::Kind;
  switch (v.kind) {
    case Kind::unknown:
      return message("Link onbekend", "Deze link bestaat niet. Controleer of u de hele link uit de mail gebruikt.");
    case Kind::expired:
      return message("Link verlopen",
                     "Deze link is verlopen. Vraag de penvoerder van " + v.regio + " om een nieuwe uitnodiging.");
    case Kind::revoked:
      if (v.vervangen_door > 0) {
        return message("Vervangen door versie " + std::to_string(v.vervangen_door),
                       "Deze versie van de overeenkomst " + v.kenmerk + " is vervangen door versie " +
                           std::to_string(v.vervangen_door) +
                           ". U ondertekent niets via deze link; voor de nieuwe versie krijgt u een eigen "
                           "uitnodiging met een nieuwe link.");
      }
      return message("Verzoek ingetrokken",
                     "Dit verzoek om te ondertekenen is ingetrokken: er is een nieuwe versie van de overeenkomst (" +
                         v.kenmerk +
                         "), of de penvoerder heeft het verzoek teruggenomen. U ondertekent niets via "
                         "deze link.");
    case Kind::other_version:
      return message("Andere versie", "Deze link hoort bij een andere versie van de overeenkomst " + v.kenmerk +
                                          ". U ondertekent niets via deze link.");
    case Kind::signed_: {
      const bool replaced = v.vervangen_door > 0;
      const std::string title = replaced ? "Vervangen door versie " + std::to_string(v.vervangen_door) : "Ondertekend";
      std::string b =
          head(title) + "<p class=kop>Sterk Techniekonderwijs · " + html_escape(v.regio) +
          "</p><div class=" + (replaced ? "nee" : "ok") + " id=ontvangst><h1>" + title + "</h1><p>U hebt op " +
          datum(v.state_ms) + " versie " + std::to_string(v.versie) + " ondertekend namens <b>" +
          html_escape(v.partner) + "</b>." +
          (replaced ? " Die versie is vervangen door versie " + std::to_string(v.vervangen_door) +
                          ": uw handtekening geldt niet voor de nieuwe versie. Voor versie " +
                          std::to_string(v.vervangen_door) + " krijgt u een eigen uitnodiging."
                    : std::string()) +
          "</p></div>" +
          identity(v, row("Revisie", std::to_string(v.revision)) +
                          row("Certificaat (SHA-256)", v.certificate_sha256, true) +
                          row("PDF tot en met uw handtekening (SHA-256)", v.revision_sha256, true)) +
          "<p class=pdf><a href=\"" + base + "/pdf\">Lees de overeenkomst (PDF)</a></p><p><small>" +
          (v.version_state == VersionState::revoked
               ? "Deze versie van de overeenkomst is later vervangen of ingetrokken; uw handtekening erop blijft "
                 "bestaan."
           : v.version_state == VersionState::completed
               ? "Iedereen heeft ondertekend; het getekende contract is per mail verstuurd."
               : "Zodra iedereen heeft ondertekend, krijgt u het getekende contract per mail.") +
          "</small></p>";
      return b + std::string(kFoot);
    }
    case Kind::declined: {
      std::string b = head("Geweigerd") + "<p class=kop>Sterk Techniekonderwijs · " + html_escape(v.regio) +
                      "</p><div class=nee id=ontvangst><h1>Niet ondertekend</h1><p>U hebt op " + datum(v.state_ms) +
                      " geweigerd te ondertekenen namens <b>" + html_escape(v.partner) +
                      "</b>.</p><p>Uw reden: " + html_escape(v.reason) + "</p></div>" + identity(v) +
                      "<p><small>De penvoerder ziet uw weigering en reden.</small></p>";
      return b + std::string(kFoot);
    }
    case Kind::sign:
      break;
  }
  std::string b =
      head("Ondertekenen: " + v.kenmerk) + "<p class=kop>Sterk Techniekonderwijs · " + html_escape(v.regio) +
      "</p><h1>" +
      (v.wijziging > 0 ? "Wijziging " + std::to_string(v.wijziging) + " van de samenwerkings&shy;overeenkomst"
                       : std::string("Samenwerkings&shy;overeenkomst")) +
      " ondertekenen</h1>";
  if (!error.empty()) b += "<p class=fout role=alert id=fout>" + html_escape(error) + "</p>";
  b += identity(v);
  if (!v.wijzigingen.empty()) {
    b += "<details open id=wijzigingen><summary>Gewijzigd sinds versie " + std::to_string(v.gewijzigd_sinds) +
         ", die u eerder ontving</summary><ul>";
    for (const std::string& line : v.wijzigingen) b += "<li>" + html_escape(line) + "</li>";
    b += "</ul></details>";
  }
  b += "<p class=pdf><a href=\"" + base + "/pdf\" id=lees>Lees de overeenkomst (PDF)</a><a href=\"" + base +
       "/pdf?download=1\">Download de PDF</a></p><p><small>Deze link is persoonlijk en geldig tot " +
       datum(v.expires_ms) + ". Stuur hem niet door.</small></p>";
  b += "<form method=post action=\"" + base +
       "/onderteken\" id=onderteken>"
       "<input type=hidden name=csrf value=\"" +
       csrf +
       "\">"
       "<label><input type=checkbox name=bevestig value=ja required> Ik heb de overeenkomst gelezen en onderteken "
       "namens <b>" +
       html_escape(v.partner) +
       "</b>.</label>"
       "<label>Typ uw naam ter bevestiging: <b>" +
       html_escape(v.naam) + "</b><input type=text name=naam required maxlength=300 autocomplete=name value=\"" +
       html_escape(name) + "\"></label><button type=submit>Ondertekenen</button></form>";
  b += "<details" + std::string(reason.empty() ? "" : " open") +
       "><summary>Ik onderteken niet</summary><form method=post action=\"" + base +
       "/weiger\" id=weiger>"
       "<input type=hidden name=csrf value=\"" +
       csrf +
       "\">"
       "<label>Waarom niet? De penvoerder ziet uw reden.<textarea name=reden required maxlength=2000 rows=4>" +
       html_escape(reason) + "</textarea></label><button type=submit class=weiger>Weigeren</button></form></details>";
  return b + std::string(kFoot);
}

}  // namespace sto::page
