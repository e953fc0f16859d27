#include "beheer_pages.h"

#include "page.h"
#include "sto/html.h"

namespace sto::beheer_page {

namespace {

std::string e(const std::string& text) { return html_escape(text); }

std::string head(const std::string& title) {
  return "<!doctype html><html lang=nl><head><meta charset=utf-8>"
         "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
         "<meta name=referrer content=no-referrer><title>" +
         e(title) + " · beheer</title><style>" + style() + "</style><script src=\"/beheer/beheer.js\" defer></script>" +
         "</head><body><main class=breed>";
}

constexpr std::string_view kFoot = "</main></body></html>";

std::string csrf_field(const std::string& csrf) { return "<input type=hidden name=csrf value=\"" + e(csrf) + "\">"; }

// The bar above every page after login: where you are, and the way out.
std::string bar(const std::string& csrf) {
  return "<nav class=balk aria-label=Beheer><a href=\"/beheer/\">Overzicht</a><a href=\"/beheer/nieuw\">Openen</a>"
         "<form method=post action=\"/beheer/logout\" class=uit>" +
         csrf_field(csrf) + "<button type=submit class=link>Uitloggen</button></form></nav>";
}

std::string when(std::int64_t ms) { return ms == 0 ? "—" : page::datum(ms); }

std::string bar_of(const std::string& label, std::size_t part, std::size_t whole) {
  return "<div class=meter><span>" + e(label) + "</span><progress max=\"" + std::to_string(whole == 0 ? 1 : whole) +
         "\" value=\"" + std::to_string(part) + "\" aria-label=\"" + e(label) + "\">" + std::to_string(part) + "/" +
         std::to_string(whole) + "</progress></div>";
}

std::string bars(const Status& s) {
  return bar_of(std::to_string(s.bound_count) + " van " + std::to_string(s.partners.size()) + " partners gebonden",
                s.bound_count, s.partners.size()) +
         bar_of(std::to_string(s.signed_count) + " van " + std::to_string(s.signatories.size()) + " handtekeningen",
                s.signed_count, s.signatories.size()) +
         "<p class=klein>" + std::to_string(s.declined_count) + " geweigerd</p>";
}

std::string agreement_path(const Status& s) { return "/beheer/overeenkomsten/" + s.version.kenmerk; }

std::string state_text(const SignatoryRecord& x) {
  std::string t = std::string(dutch(x.state));
  if (x.state != SignatoryState::pending) t += " · " + page::datum(x.state_ms);
  return t;
}

std::string td(const std::string& label, const std::string& inner) {
  return "<td data-label=\"" + e(label) + "\">" + inner + "</td>";
}

std::string button_form(const std::string& csrf, const std::string& action, const std::string& label,
                        const std::vector<std::pair<std::string, std::string>>& fields = {}) {
  std::string f = "<form method=post action=\"" + e(action) + "\" class=actie>" + csrf_field(csrf);
  for (const auto& [name, value] : fields) {
    f += "<input type=hidden name=\"" + e(name) + "\" value=\"" + e(value) + "\">";
  }
  return f + "<button type=submit>" + e(label) + "</button></form>";
}

}  // namespace

const std::string& style() {
  static const std::string css =
      page::style() +
      "main.breed{max-width:80rem}"
      ".balk{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;align-items:center;border-bottom:1px solid #ccd;"
      "padding-bottom:.5rem;margin-bottom:.5rem}"
      ".balk form.uit{margin:0 0 0 auto;padding:0;border:0}"
      "button.link{background:none;color:#0b4f8a;text-decoration:underline;padding:0;font-size:1rem}"
      "table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.95rem}"
      "th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #dde;vertical-align:top;"
      "overflow-wrap:anywhere}"
      "th{background:#eef1f5}tr[data-state=signed] td:first-child{border-left:4px solid #2e7d32}"
      "tr[data-state=declined] td:first-child{border-left:4px solid #b3261e}"
      ".meter{display:flex;flex-wrap:wrap;align-items:center;gap:.2rem 1rem;margin:.3rem 0}"
      ".meter span{min-width:14rem}progress{width:16rem;max-width:100%;height:1rem}"
      ".klein{font-size:.9rem;color:#444;margin:.2rem 0}.fout-tekst{color:#8a1c1c}"
      "form.actie{display:inline-block;margin:.3rem .5rem .3rem 0;padding:0;border:0}"
      "form.actie button,.knoppen a{font-size:1rem;padding:.5rem 1rem}"
      ".knoppen{display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin:1rem 0}"
      "input[type=email],input[type=password],input[type=file],input[type=number]{font-size:1.05rem;padding:.45rem;"
      "border:1px solid #889;border-radius:.3rem;max-width:100%;box-sizing:border-box}"
      "ul.bevindingen{font-family:ui-monospace,monospace;font-size:.85rem;padding-left:1.2rem}"
      "ul.bevindingen li{overflow-wrap:anywhere;margin:.2rem 0}"
      "@media(max-width:48rem){table.lijst thead{position:absolute;left:-9999px}"
      "table.lijst,table.lijst tbody,table.lijst tr,table.lijst td{display:block;width:auto}"
      "table.lijst tr{border:1px solid #ccd;border-radius:.3rem;margin:.6rem 0;padding:.3rem}"
      "table.lijst td{border:0;padding:.15rem .3rem}"
      "table.lijst td::before{content:attr(data-label) \": \";color:#555}"
      ".meter span{min-width:0}}";
  return css;
}

const std::string& style_hash() {
  static const std::string hash = page::csp_hash(style());
  return hash;
}

const std::string& script() {
  // At most one request per 5 s per open page, none while the tab is hidden; a lost session
  // reloads the page (which then shows the login).
  static const std::string js =
      "'use strict';(function(){var s=document.getElementById('voortgang');if(!s||!s.dataset.bron)return;"
      "setInterval(function(){if(document.hidden)return;"
      "fetch(s.dataset.bron,{credentials:'same-origin',cache:'no-store'}).then(function(r){"
      "if(r.status===401){location.reload();return null;}return r.ok?r.text():null;})"
      ".then(function(t){if(t!==null&&t!==undefined&&t!==s.innerHTML)s.innerHTML=t;}).catch(function(){});},5000);"
      "})();\n";
  return js;
}

std::string login(const std::string& csrf, const std::string& error) {
  std::string b = head("Inloggen") + "<p class=kop>Sterk Techniekonderwijs · beheer</p><h1>Inloggen</h1>";
  if (!error.empty()) b += "<p class=fout role=alert>" + e(error) + "</p>";
  b += "<p>De pagina's van de penvoerder: wie heeft getekend, herinneren, downloaden.</p>"
       "<form method=post action=\"/beheer/login\" id=login>" +
       csrf_field(csrf) +
       "<label for=wachtwoord>Wachtwoord</label>"
       "<input type=password id=wachtwoord name=wachtwoord required autocomplete=current-password>"
       "<p><button type=submit>Inloggen</button></p></form>";
  return b + std::string(kFoot);
}

std::string message(const std::string& title, const std::string& text, const std::string& back) {
  std::string b =
      head(title) + "<p class=kop>Sterk Techniekonderwijs · beheer</p><h1>" + e(title) + "</h1><p>" + e(text) + "</p>";
  if (!back.empty()) b += "<p><a href=\"" + e(back) + "\">Terug</a></p>";
  return b + std::string(kFoot);
}

std::string overview(const std::string& csrf, const std::vector<Status>& agreements) {
  std::string b = head("Overzicht") + bar(csrf) + "<h1>Overeenkomsten</h1>";
  if (agreements.empty()) {
    b += "<p>Er is nog geen overeenkomst geopend. <a href=\"/beheer/nieuw\">Open er een</a>.</p>";
    return b + std::string(kFoot);
  }
  b += "<table id=overeenkomsten class=lijst><thead><tr><th scope=col>Kenmerk</th><th scope=col>Versie</th>"
       "<th scope=col>Toestand</th><th scope=col>Geopend</th><th scope=col>Ingangsdatum</th>"
       "<th scope=col>Voortgang</th></tr></thead><tbody>";
  for (const Status& s : agreements) {
    b += "<tr data-kenmerk=\"" + e(s.version.kenmerk) + "\">" +
         td("Kenmerk", "<a href=\"" + e(agreement_path(s)) + "\">" + e(s.version.kenmerk) + "</a>") +
         td("Versie", std::to_string(s.version.versie)) + td("Toestand", e(std::string(dutch(s.version.state)))) +
         td("Geopend", e(when(s.version.opened_ms))) + td("Ingangsdatum", e(when(s.effective_ms))) +
         td("Voortgang", bars(s)) + "</tr>";
  }
  b += "</tbody></table><p><a href=\"/beheer/nieuw\">Nieuwe versie of overeenkomst openen</a></p>";
  return b + std::string(kFoot);
}

std::string progress(const Status& s) {
  // The page a penvoerder keeps open (and the script fetches every 5 s): ~600 bytes per row,
  // appended in place rather than built from temporaries.
  std::string b;
  b.reserve(2048 + 700 * s.signatories.size());
  b += "<h2>Voortgang</h2>";
  b += bars(s);
  if (s.effective_ms != 0) {
    b += "<p class=ok>Iedereen heeft ondertekend. Ingangsdatum: <b>";
    b += e(page::datum(s.effective_ms));
    b += "</b></p>";
  }
  b += "<table id=tekenbevoegden class=lijst><thead><tr><th scope=col>Partner</th><th scope=col>Gebonden</th>"
       "<th scope=col>Tekenbevoegde</th><th scope=col>E-mail</th><th scope=col>Toestand</th>"
       "<th scope=col>Laatst uitgenodigd</th><th scope=col>Laatst herinnerd</th></tr></thead><tbody>";
  const std::string person = e(agreement_path(s)) + "/tekenbevoegden/";
  const auto cell = [&b](std::string_view label) {
    b += "<td data-label=\"";
    b += label;
    b += "\">";
  };
  std::size_t p = 0;
  for (std::size_t i = 0; i < s.signatories.size(); ++i) {
    const SignatoryRecord& x = s.signatories[i];
    while (p + 1 < s.partners.size() && s.partners[p].partner_id != x.partner_id) ++p;
    const bool bound = p < s.partners.size() && s.partners[p].partner_id == x.partner_id && s.partners[p].bound;
    const Contact c = i < s.contacts.size() ? s.contacts[i] : Contact{};
    b += "<tr data-tekenbevoegde=\"";
    b += e(x.tekenbevoegde);
    b += "\" data-state=\"";
    b += to_string(x.state);
    b += "\">";
    cell("Partner");
    b += e(x.partner);
    b += "</td>";
    cell("Gebonden");
    b += bound ? "ja" : "nee";
    b += "</td>";
    cell("Tekenbevoegde");
    b += "<a href=\"";
    b += person;
    b += e(x.tekenbevoegde);
    b += "\">";
    b += e(x.naam);
    b += "</a><br><span class=klein>";
    b += e(x.functie);
    b += "</span></td>";
    cell("E-mail");
    b += e(x.email);
    b += "</td>";
    cell("Toestand");
    b += e(state_text(x));
    if (x.state == SignatoryState::declined && !x.reason.empty()) {
      b += "<br>Reden: ";
      b += e(x.reason);
    }
    if (!x.mail_error.empty()) {
      b += "<br><span class=fout-tekst>Mail niet bezorgd: ";
      b += e(x.mail_error);
      b += "</span>";
    }
    b += "</td>";
    cell("Laatst uitgenodigd");
    b += e(when(c.invited_ms));
    b += "</td>";
    cell("Laatst herinnerd");
    b += e(when(c.reminded_ms));
    b += "</td></tr>";
  }
  b += "</tbody></table>";
  return b;
}

std::string agreement(const std::string& csrf, const Status& s, const Herinneringen& schedule,
                      const std::string& progress_html, const std::string& done, const std::string& error) {
  const std::string path = agreement_path(s);
  std::string b = head(s.version.kenmerk) + bar(csrf) + "<p class=kop>Overeenkomst</p><h1>" + e(s.version.kenmerk) +
                  " · versie " + std::to_string(s.version.versie) +
                  (s.version.wijziging > 0 ? " · wijziging " + std::to_string(s.version.wijziging) : std::string()) +
                  "</h1>";
  if (!done.empty()) b += "<p class=ok role=status>" + e(done) + "</p>";
  if (!error.empty()) b += "<p class=fout role=alert>" + e(error) + "</p>";
  b += "<dl><dt>Toestand</dt><dd>" + e(std::string(dutch(s.version.state))) + "</dd><dt>Geopend</dt><dd>" +
       e(when(s.version.opened_ms)) + "</dd><dt>Document (SHA-256)</dt><dd><code>" + e(s.version.document_sha256) +
       "</code></dd>";
  if (!s.contract_sha256.empty()) {
    b += "<dt>Getekend contract (SHA-256)</dt><dd><code>" + e(s.contract_sha256) + "</code></dd>";
  }
  b += "</dl>";
  if (!s.wijzigingen.empty()) {
    // What a next amendment names in <vorige>: the signed hash of the last completed one.
    b += "<h2>Wijzigingen</h2><table id=wijzigingen><thead><tr><th>Nr.</th><th>Soort</th><th>Toestand</th>"
         "<th>Geopend</th><th>Rond of ingetrokken</th><th>Getekend (SHA-256)</th></tr></thead><tbody>";
    for (const WijzigingStatus& w : s.wijzigingen) {
      b += "<tr>" + td("Nr.", std::to_string(w.nummer)) + td("Soort", e(w.soort)) +
           td("Toestand", e(std::string(dutch(w.state)))) + td("Geopend", e(when(w.opened_ms))) +
           td("Rond of ingetrokken", e(when(w.closed_ms))) +
           td("Getekend (SHA-256)", w.signed_sha256.empty() ? "—" : "<code>" + e(w.signed_sha256) + "</code>") +
           "</tr>";
    }
    b += "</tbody></table>";
  }
  if (!s.in_force.empty()) {
    b += "<p id=geldend>Partners die nu gelden: " + std::to_string(s.in_force.size()) + ".</p>";
  }
  if (!s.unsent.empty()) {
    b += "<h2>Mail nog niet bezorgd</h2><ul>";
    for (const UnsentMail& m : s.unsent) {
      b += "<li>" + e(m.what) + " aan " + e(m.to);
      if (m.attempts > 0) b += ", " + std::to_string(m.attempts) + (m.attempts == 1 ? " poging" : " pogingen");
      if (!m.error.empty()) b += ", laatst: " + e(m.error);
      b += m.next_ms == 0 ? " — <strong>opgegeven</strong>" : ", volgende poging " + e(when(m.next_ms));
      b += "</li>";
    }
    b += "</ul>";
  }
  b += "<h2>Downloaden</h2><ul class=downloads><li><a href=\"" + e(path) +
       "/contract.pdf\">Het contract zoals opgemaakt (PDF)</a></li><li><a href=\"" + e(path) +
       "/getekend.pdf\">Het getekende contract tot nu toe (PDF)</a></li><li><a href=\"" + e(path) +
       "/bewijsdossier.pdf\">Het bewijsdossier (PDF)</a></li><li><a href=\"" + e(path) +
       "/archief.zip\">Het archief (zip, zoals sto export)</a></li></ul>";
  if (s.version.state == VersionState::open) {
    std::size_t pending = 0;
    for (const auto& x : s.signatories) pending += x.state == SignatoryState::pending ? 1 : 0;
    b += "<h2>Acties</h2><div class=knoppen>";
    if (pending > 0) b += button_form(csrf, path + "/uitnodigen", "Uitnodigingen versturen");
    b += button_form(csrf, path + "/herinner", "Herinner iedereen die nog niet tekende") + "</div>";
  }
  b += "<section id=voortgang aria-live=polite data-bron=\"" + e(path) + "/voortgang\">";
  b += progress_html;
  b += "</section>";
  if (s.version.state == VersionState::open) {
    std::string days;
    for (const int d : schedule.na_dagen) days += (days.empty() ? "" : ",") + std::to_string(d);
    b += "<h2>Herinneringen</h2><form method=post action=\"" + e(path) + "/herinneringen\" id=schema>" +
         csrf_field(csrf) + "<label><input type=checkbox name=aan value=ja" +
         std::string(schedule.aan ? " checked" : "") +
         "> Automatisch herinneren</label>"
         "<label for=na_dagen>Na hoeveel dagen na de uitnodiging (komma's ertussen)</label>"
         "<input type=text id=na_dagen name=na_dagen inputmode=numeric maxlength=40 value=\"" +
         e(days) +
         "\"><label for=dagen_voor_verloop>En hoeveel dagen voordat de link verloopt</label>"
         "<input type=number id=dagen_voor_verloop name=dagen_voor_verloop min=0 max=60 value=\"" +
         std::to_string(schedule.dagen_voor_verloop) +
         "\"><p><small>Niemand krijgt meer dan één herinnering per 24 uur.</small></p>"
         "<p><button type=submit>Opslaan</button></p></form>";
    b += "<h2>Intrekken</h2><form method=post action=\"" + e(path) + "/intrekken\" id=intrekken>" + csrf_field(csrf) +
         "<label for=reden>Reden (de tekenbevoegden zien dat hun link is ingetrokken)</label>"
         "<textarea id=reden name=reden required maxlength=2000 rows=3></textarea>"
         "<p><button type=submit class=weiger>Versie intrekken</button></p></form>";
  }
  return b + std::string(kFoot);
}

std::string signatory(const std::string& csrf, const Status& s, std::size_t index) {
  const SignatoryRecord& x = s.signatories[index];
  const Contact c = index < s.contacts.size() ? s.contacts[index] : Contact{};
  const std::string path = agreement_path(s);
  std::string b = head(x.naam) + bar(csrf) + "<p class=kop>" + e(s.version.kenmerk) + " · versie " +
                  std::to_string(s.version.versie) + "</p><h1>" + e(x.naam) + "</h1><dl>" + "<dt>Partner</dt><dd>" +
                  e(x.partner) + "</dd><dt>Functie</dt><dd>" + e(x.functie) + "</dd><dt>E-mail</dt><dd>" + e(x.email) +
                  "</dd><dt>Toestand</dt><dd>" + e(state_text(x)) + "</dd>";
  if (!x.reason.empty()) b += "<dt>Reden</dt><dd>" + e(x.reason) + "</dd>";
  if (!x.mail_error.empty()) b += "<dt>Mail niet bezorgd</dt><dd>" + e(x.mail_error) + "</dd>";
  b += "<dt>Laatst uitgenodigd</dt><dd>" + e(when(c.invited_ms)) + "</dd><dt>Laatst herinnerd</dt><dd>" +
       e(when(c.reminded_ms)) + "</dd></dl>";
  if (s.version.state == VersionState::open && !is_final(x.state)) {
    b += "<h2>Herinneren</h2><form method=post action=\"" + e(path) + "/herinner\" id=herinner>" + csrf_field(csrf) +
         "<input type=hidden name=tekenbevoegde value=\"" + e(x.tekenbevoegde) +
         "\"><label><input type=checkbox name=forceer value=ja> Ook als de laatste mail minder dan 24 uur "
         "geleden is</label><p><button type=submit>Herinner</button></p></form>" +
         "<h2>Nieuw e-mailadres</h2><form method=post action=\"" + e(path) + "/opnieuw\" id=opnieuw>" +
         csrf_field(csrf) + "<input type=hidden name=tekenbevoegde value=\"" + e(x.tekenbevoegde) +
         "\"><label for=email>Het juiste adres; de oude link werkt dan niet meer</label>"
         "<input type=email id=email name=email required maxlength=254 autocomplete=off value=\"" +
         e(x.email) + "\"><p><button type=submit>Uitnodiging opnieuw versturen</button></p></form>";
  }
  b += "<p><a href=\"" + e(path) + "\">Terug naar de overeenkomst</a></p>";
  return b + std::string(kFoot);
}

std::string confirm(const std::string& csrf, const std::string& title, const std::string& text,
                    const std::string& action, const std::vector<std::pair<std::string, std::string>>& fields,
                    const std::string& back) {
  std::string b = head(title) + bar(csrf) + "<h1>" + e(title) + "</h1><p>" + e(text) +
                  "</p><form method=post action=\"" + e(action) + "\" id=bevestig>" + csrf_field(csrf) +
                  "<input type=hidden name=bevestig value=ja>";
  for (const auto& [name, value] : fields) {
    b += "<input type=hidden name=\"" + e(name) + "\" value=\"" + e(value) + "\">";
  }
  b += "<p><button type=submit>Bevestigen</button></p></form><p><a href=\"" + e(back) + "\">Annuleren</a></p>";
  return b + std::string(kFoot);
}

std::string upload(const std::string& csrf, const std::vector<std::string>& kenmerken, const std::string& error) {
  std::string b = head("Openen") + bar(csrf) + "<h1>Overeenkomst, nieuwe versie of wijziging openen</h1>";
  if (!error.empty()) b += "<p class=fout role=alert>" + e(error) + "</p>";
  b += "<p>Kies de overeenkomst (XML). Of kies een partnerblad (.xlsx, .ods of .csv) en de overeenkomst waarvan het "
       "de partners vervangt: dat wordt de volgende versie. Of kies een wijziging (wijziging.xml) van een overeenkomst "
       "die rond is. U ziet eerst de bevindingen; pas na uw bevestiging wordt geopend.</p><form method=post "
       "action=\"/beheer/nieuw\" enctype=multipart/form-data id=upload>" +
       csrf_field(csrf) +
       "<label for=bestand>Bestand</label><input type=file id=bestand name=bestand required "
       "accept=\".xml,.xlsx,.ods,.csv\">";
  if (!kenmerken.empty()) {
    b += "<label for=kenmerk>Bij een partnerblad: de overeenkomst</label><select id=kenmerk name=kenmerk>"
         "<option value=\"\">—</option>";
    for (const auto& k : kenmerken) b += "<option>" + e(k) + "</option>";
    b += "</select>";
  }
  b += "<p><button type=submit>Controleren</button></p></form>";
  return b + std::string(kFoot);
}

std::string findings(const std::string& csrf, const std::string& title, const std::vector<std::string>& lines,
                     const std::string& summary, const std::string& upload_id) {
  std::string b = head("Bevindingen") + bar(csrf) + "<h1>" + e(title) +
                  "</h1><p class=" + (upload_id.empty() ? "fout" : "ok") + " role=status>" + e(summary) + "</p>";
  b += "<ul id=bevindingen class=bevindingen>";
  for (const auto& line : lines) b += "<li>" + e(line) + "</li>";
  b += "</ul>";
  if (!upload_id.empty()) {
    b += "<form method=post action=\"/beheer/nieuw/open\" id=openen>" + csrf_field(csrf) +
         "<input type=hidden name=upload value=\"" + e(upload_id) +
         "\"><input type=hidden name=bevestig value=ja><p><button type=submit>Openen</button></p></form>";
  }
  b += "<p><a href=\"/beheer/nieuw\">Een ander bestand kiezen</a></p>";
  return b + std::string(kFoot);
}

}  // namespace sto::beheer_page
