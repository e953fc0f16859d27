// The workflow's messages: templates/mail/<kind>.txt and .html with ${name} placeholders.
#include <algorithm>
#include <cstdio>
#include <utility>

#include "encoding.h"
#include "sto/atomic_file.h"
#include "sto/html.h"
#include "sto/mail.h"

namespace sto {

namespace {

using Values = std::vector<std::pair<std::string_view, std::string>>;

std::tm utc(std::time_t time) {
  std::tm out{};
  if (gmtime_r(&time, &out) == nullptr) throw Error("ongeldige tijd: " + std::to_string(time));
  return out;
}

// "26 november 2026", whatever the process locale.
std::string dutch_date(std::time_t time) {
  static constexpr const char* kMonths[] = {"januari", "februari", "maart",     "april",   "mei",      "juni",
                                            "juli",    "augustus", "september", "oktober", "november", "december"};
  const std::tm t = utc(time);
  return std::to_string(t.tm_mday) + " " + kMonths[t.tm_mon] + " " + std::to_string(t.tm_year + 1900);
}

// "26 november 2026, 14:03 UTC"
std::string dutch_date_time(std::time_t time) {
  const std::tm t = utc(time);
  char clock[16];
  std::snprintf(clock, sizeof clock, "%02d:%02d", t.tm_hour, t.tm_min);
  return dutch_date(time) + ", " + clock + " UTC";
}

// "wijziging 1 (toetreding)", or "versie 3" for the contract.
std::string stuk(const MailContext& c) {
  if (c.wijziging == 0) return "versie " + std::to_string(c.versie);
  return "wijziging " + std::to_string(c.wijziging) + (c.soort.empty() ? "" : " (" + c.soort + ")");
}

Values values(const MailContext& c) {
  return {{"regio", c.regio},
          {"kenmerk", c.kenmerk},
          {"versie", std::to_string(c.versie)},
          {"document_sha256", c.document_sha256},
          {"penvoerder", c.penvoerder},
          {"partner", c.partner},
          {"naam", c.naam},
          {"functie", c.functie},
          {"link", c.link},
          {"verloopt", dutch_date_time(c.verloopt)},
          {"ca_fingerprint", c.ca_fingerprint},
          {"ingangsdatum", dutch_date(c.ingangsdatum)},
          {"email", c.email},
          {"reden", c.reden},
          {"melding", c.melding},
          {"overzicht", c.overzicht},
          {"wijzigingen", c.wijzigingen},
          {"document", c.wijziging > 0 ? stuk(c) + " van de samenwerkingsovereenkomst" : "samenwerkingsovereenkomst"},
          {"stuk", stuk(c)},
          {"wijziging", c.beschrijving}};
}

// `text` with every ${name} replaced by its value (HTML-escaped when `html`). An unknown or
// unterminated placeholder is an error naming the template file: a misspelt name must not
// reach a signatory as "${nam}".
std::string fill(std::string_view text, const std::filesystem::path& file, const Values& values, bool html) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find("${", pos);
    out += text.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos);
    if (open == std::string_view::npos) return out;
    const std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) throw Error(file.string() + ": plaatshouder zonder '}' na \"${\"");
    const std::string_view name = text.substr(open + 2, close - open - 2);
    const auto value = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
    if (value == values.end()) {
      throw Error(file.string() + ": onbekende plaatshouder ${" + std::string(name) + "}");
    }
    out += html ? html_escape(value->second) : value->second;
    pos = close + 1;
  }
}

// The subject is the .txt's first line, "Onderwerp: …"; the text part starts after the empty
// line that follows it.
Mail from_templates(const std::filesystem::path& templates, std::string_view kind, const MailAddress& from,
                    const MailAddress& to, const MailContext& context) {
  const auto text_file = templates / "mail" / (std::string(kind) + ".txt");
  const auto html_file = templates / "mail" / (std::string(kind) + ".html");
  const std::string text = mail_encoding::normalize_newlines(read_whole_file(text_file));
  constexpr std::string_view kSubject = "Onderwerp: ";
  const std::size_t end = text.find('\n');
  if (!text.starts_with(kSubject) || end == std::string::npos || text.compare(end + 1, 1, "\n") != 0) {
    throw Error(text_file.string() + ": de eerste regel moet \"Onderwerp: …\" zijn, gevolgd door een lege regel");
  }
  const Values v = values(context);
  std::string subject =
      fill(std::string_view(text).substr(kSubject.size(), end - kSubject.size()), text_file, v, false);
  for (char& c : subject) {
    if (c == '\r' || c == '\n') c = ' ';  // a value must not end the subject early
  }
  Mail mail{from,
            to,
            std::move(subject),
            fill(std::string_view(text).substr(end + 2), text_file, v, false),
            fill(mail_encoding::normalize_newlines(read_whole_file(html_file)), html_file, v, true),
            {}};
  return mail;
}

}  // namespace

Mail invitation(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                const MailContext& context) {
  return from_templates(templates, "uitnodiging", from, to, context);
}

Mail reminder(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
              const MailContext& context) {
  return from_templates(templates, "herinnering", from, to, context);
}

Mail completion(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                const MailContext& context, Attachment signed_pdf) {
  Mail mail = from_templates(templates, "voltooid", from, to, context);
  mail.attachments.push_back(std::move(signed_pdf));
  return mail;
}

Mail amendment_completion(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                          const MailContext& context, Attachment signed_pdf) {
  Mail mail = from_templates(templates, "wijziging-voltooid", from, to, context);
  mail.attachments.push_back(std::move(signed_pdf));
  return mail;
}

Mail declined_notice(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                     const MailContext& context) {
  return from_templates(templates, "penvoerder-weigering", from, to, context);
}

Mail bounce_notice(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                   const MailContext& context) {
  return from_templates(templates, "penvoerder-onbestelbaar", from, to, context);
}

Mail completed_notice(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                      const MailContext& context) {
  return from_templates(templates, "penvoerder-voltooid", from, to, context);
}

Mail daily_summary(const std::filesystem::path& templates, const MailAddress& from, const MailAddress& to,
                   const MailContext& context) {
  return from_templates(templates, "penvoerder-samenvatting", from, to, context);
}

}  // namespace sto
