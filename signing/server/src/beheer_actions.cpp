// The penvoerder's acts from the pages: each through the same Werkruimte call as its command
// (sto remind, invite, revoke, open), with a confirmation page first; the downloads (what
// sto export writes); and an upload checked as sto validate / sto partners import check it.
#include <Poco/Net/HTMLForm.h>
#include <Poco/Path.h>
#include <Poco/URI.h>
#include <Poco/Zip/Compress.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>

#include "beheer_impl.h"
#include "beheer_pages.h"
#include "sto/archive.h"
#include "sto/atomic_file.h"
#include "sto/render.h"
#include "sto/sheet.h"

namespace sto {

namespace {

using http::HTTPResponse;

bool digit(char c) { return c >= '0' && c <= '9'; }

constexpr auto kUploadLifetime = std::chrono::hours(24);

std::filesystem::path upload_dir(Werkruimte& w) { return w.dir() / "beheer-uploads"; }

// A folder only this user may read, whatever the umask: uploads hold the partners' addresses.
void private_directory(const std::filesystem::path& path) {
  std::filesystem::create_directories(path);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
}

// A private folder beside the workspace's files, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(Werkruimte& w) : path(w.dir() / "beheer-tmp" / beheer::random_token(12)) {
    private_directory(path.parent_path());
    private_directory(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::string lower_extension(const std::string& name) {
  std::string ext = std::filesystem::path(name).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

// The browser's file name, reduced to a plain base name for the findings' lines.
std::string shown_name(const std::string& name) {
  std::string base = name.substr(name.find_last_of("/\\") == std::string::npos ? 0 : name.find_last_of("/\\") + 1);
  std::string out;
  for (char c : base) {
    const auto u = static_cast<unsigned char>(c);
    out += u < 0x20 || u == 0x7F ? '_' : c;
  }
  if (out.size() > 120) out.resize(120);
  return out.empty() ? "upload" : out;
}

// The agreement's versie one higher: the partner sheet makes the next version of the latest.
std::optional<std::string> next_version(const std::string& xml, std::int64_t versie) {
  static const std::regex root(R"((<[A-Za-z_:][^>]*?\sversie\s*=\s*["'])(\d+)(["']))");
  std::smatch m;
  if (!std::regex_search(xml, m, root) || std::stoll(m[2].str()) != versie) return std::nullopt;
  return m.prefix().str() + m[1].str() + std::to_string(versie + 1) + m[3].str() + m.suffix().str();
}

}  // namespace

std::string done_text(const std::string& query) {
  Poco::URI uri("/?" + query);
  std::string what, sent = "0", skipped = "0", failed = "0";
  for (const auto& [k, value] : uri.getQueryParameters()) {
    if (k == "gedaan") what = value;
    if (k == "n") sent = value;
    if (k == "over") skipped = value;
    if (k == "mis") failed = value;
  }
  const auto number = [](const std::string& s) { return std::all_of(s.begin(), s.end(), digit) && s.size() < 7; };
  if (!number(sent) || !number(skipped) || !number(failed)) return "";
  std::string tail;
  if (skipped != "0") tail += ", " + skipped + " overgeslagen (in de laatste 24 uur al gemaild)";
  if (failed != "0") tail += ", " + failed + " niet bezorgd";
  if (what == "herinnerd") return sent + " herinnering(en) verstuurd" + tail + ".";
  if (what == "uitgenodigd") return sent + " uitnodiging(en) verstuurd" + tail + ".";
  if (what == "opnieuw") {
    return failed != "0" ? "Het nieuwe adres is opgeslagen, maar de uitnodiging is niet bezorgd: zie de foutmelding "
                           "bij de tekenbevoegde."
                         : "De uitnodiging is naar het nieuwe adres verstuurd.";
  }
  if (what == "ingetrokken") return "De versie is ingetrokken; de links zeggen dat nu.";
  if (what == "schema") return "Het herinneringsschema is opgeslagen.";
  if (what == "geopend") return "De versie is geopend. Verstuur de uitnodigingen wanneer u zover bent.";
  return "";
}

void Beheer::Impl::agreement_error(PageVisit& v, const std::string& kenmerk, const std::string& error) {
  const Status status = w.status(kenmerk);
  html(v.res, HTTPResponse::HTTP_UNPROCESSABLE_ENTITY,
       beheer_page::agreement(v.session.csrf, status, w.herinneringen(kenmerk), beheer_page::progress(status), "",
                              error));
}

void Beheer::Impl::act(PageVisit& v, const std::string& kenmerk, const std::string& action) {
  const std::string page = "/beheer/overeenkomsten/" + kenmerk;
  const FormFields& f = v.form;
  const bool confirmed = f.get("bevestig", "") == "ja";
  Actor who = v.who;
  const auto confirm = [&](const std::string& title, const std::string& text,
                           std::vector<std::pair<std::string, std::string>> fields) {
    html(v.res, HTTPResponse::HTTP_OK,
         beheer_page::confirm(v.session.csrf, title, text, page + "/" + action, fields, page));
  };
  const auto after = [&](const std::string& what, const std::vector<MailOutcome>& outcomes) {
    std::size_t sent = 0, skipped = 0, failed = 0;
    for (const auto& o : outcomes) (o.skipped ? skipped : o.sent ? sent : failed) += 1;
    record("actie", who, {{"kenmerk", kenmerk}, {"actie", action}, {"verstuurd", std::to_string(sent)}});
    redirect(v.res, page + "?gedaan=" + what + "&n=" + std::to_string(sent) + "&over=" + std::to_string(skipped) +
                        "&mis=" + std::to_string(failed));
  };
  try {
    if (action == "herinner") {
      RemindOptions options;
      options.tekenbevoegde = f.get("tekenbevoegde", "");
      options.force = f.get("forceer", "") == "ja";
      if (!confirmed) {
        std::string whom = "iedereen die nog niet tekende";
        if (!options.tekenbevoegde.empty()) {
          whom.clear();
          for (const auto& s : w.status(kenmerk).signatories) {
            if (s.tekenbevoegde == options.tekenbevoegde) whom = s.naam + " (" + s.partner + ")";
          }
          if (whom.empty()) {
            agreement_error(v, kenmerk, "Deze tekenbevoegde staat niet in de laatste versie.");
            return;
          }
        }
        confirm("Herinnering versturen",
                "Een herinnering met een nieuwe link naar " + whom +
                    ". Wie in de laatste 24 uur al een mail kreeg, wordt overgeslagen" +
                    (options.force ? " — behalve nu: u dwingt het af." : "."),
                {{"tekenbevoegde", options.tekenbevoegde}, {"forceer", options.force ? "ja" : ""}});
        return;
      }
      after("herinnerd", w.remind(kenmerk, options, who));
      return;
    }
    if (action == "uitnodigen") {
      if (!confirmed) {
        confirm("Uitnodigingen versturen",
                "Iedere tekenbevoegde die nog geen uitnodiging kreeg, krijgt nu een mail met een persoonlijke link.",
                {});
        return;
      }
      after("uitgenodigd", w.invite(kenmerk, who));
      return;
    }
    if (action == "opnieuw") {
      const std::string id = f.get("tekenbevoegde", "");
      const std::string email = f.get("email", "");
      if (!confirmed) {
        confirm("Uitnodiging naar een nieuw adres",
                "De uitnodiging gaat naar " + email + "; de links die eerder zijn verstuurd, werken dan niet meer.",
                {{"tekenbevoegde", id}, {"email", email}});
        return;
      }
      after("opnieuw", std::vector<MailOutcome>{w.reinvite(kenmerk, id, email, who)});
      return;
    }
    if (action == "intrekken") {
      const std::string reason = f.get("reden", "");
      if (reason.empty()) {
        agreement_error(v, kenmerk, "Geef een reden om de versie in te trekken.");
        return;
      }
      if (!confirmed) {
        confirm("Versie intrekken",
                "Alle verzoeken die nog open staan, worden ingetrokken; wie al tekende, houdt die handtekening. "
                "Reden: " +
                    reason,
                {{"reden", reason}});
        return;
      }
      w.revoke(kenmerk, reason, who);
      record("actie", who, {{"kenmerk", kenmerk}, {"actie", action}});
      redirect(v.res, page + "?gedaan=ingetrokken");
      return;
    }
    if (action == "herinneringen") {
      Herinneringen h;
      h.aan = f.get("aan", "") == "ja";
      h.na_dagen.clear();
      std::istringstream days(f.get("na_dagen", ""));
      std::string item;
      while (std::getline(days, item, ',')) {
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (item.empty()) continue;
        if (item.size() > 3 || !std::all_of(item.begin(), item.end(), digit) || std::stoi(item) < 1) {
          agreement_error(v, kenmerk, "Dagen na de uitnodiging: hele getallen van 1 tot 999, met komma's ertussen.");
          return;
        }
        h.na_dagen.push_back(std::stoi(item));
      }
      const std::string before = f.get("dagen_voor_verloop", "0");
      if (before.empty() || before.size() > 2 || !std::all_of(before.begin(), before.end(), digit) ||
          std::stoi(before) > 60) {
        agreement_error(v, kenmerk, "Dagen voor het verlopen: een heel getal van 0 tot 60.");
        return;
      }
      h.dagen_voor_verloop = std::stoi(before);
      w.set_herinneringen(kenmerk, h, who);
      record("actie", who, {{"kenmerk", kenmerk}, {"actie", action}});
      redirect(v.res, page + "?gedaan=schema");
      return;
    }
  } catch (const Refusal& e) {
    agreement_error(v, kenmerk, e.what());
    return;
  } catch (const MailError& e) {
    agreement_error(v, kenmerk, std::string("Er kon geen mail weg: ") + e.what());
    return;
  }
  html(v.res, HTTPResponse::HTTP_NOT_FOUND, beheer_page::message("Niet gevonden", "Deze actie bestaat niet.", page));
}

bool Beheer::Impl::download(PageVisit& v, const std::string& kenmerk, const std::string& file) {
  const auto version = w.store().latest_version(kenmerk);
  if (!version) return false;
  const std::string stem = kenmerk + "-v" + std::to_string(version->versie);
  const auto send = [&](const std::string& name, const std::string& type, const std::string& bytes) {
    v.res.set("Content-Disposition", "attachment; filename=\"" + name + "\"");
    http::send(v.res, HTTPResponse::HTTP_OK, type, bytes, "default-src 'none'; frame-ancestors 'none'");
    record("download", v.who, {{"kenmerk", kenmerk}, {"bestand", file}});
  };
  if (file == "contract.pdf") {
    send(stem + "-contract.pdf", "application/pdf", read_whole_file(w.dir() / version->contract_dir / "0000.pdf"));
    return true;
  }
  if (file == "getekend.pdf") {
    send(stem + "-getekend.pdf", "application/pdf", w.signed_pdf(kenmerk));
    return true;
  }
  if (file != "bewijsdossier.pdf" && file != "archief.zip") return false;
  // What sto export writes, made now (the bewijsdossier is signed at the moment of export).
  const TempDir temp(w);
  const std::filesystem::path archive = temp.path / stem;
  export_archive(w, kenmerk, archive, templates);
  if (file == "bewijsdossier.pdf") {
    send(stem + "-bewijsdossier.pdf", "application/pdf", read_whole_file(archive / "bewijsdossier.pdf"));
    return true;
  }
  std::ostringstream zip;
  {
    Poco::Zip::Compress compress(zip, true);
    compress.addRecursive(Poco::Path::forDirectory(archive.string()), Poco::Zip::ZipCommon::CL_NORMAL, true,
                          Poco::Path::forDirectory(stem));
    compress.close();
  }
  send(stem + "-archief.zip", "application/zip", zip.str());
  return true;
}

void Beheer::Impl::check_upload(PageVisit& v) {
  const std::string& csrf = v.session.csrf;
  const std::string content = v.form.get("bestand", "");
  const std::string name = shown_name(v.file_name);
  const std::string ext = lower_extension(name);
  const auto refuse = [&](const std::string& error) {
    html(v.res, HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, beheer_page::upload(csrf, w.store().kenmerken(), error));
  };
  if (content.empty()) return refuse("Kies een bestand.");
  std::error_code ignored;
  private_directory(upload_dir(w));
  // Uploads nobody confirmed within a day are removed.
  for (const auto& old : std::filesystem::directory_iterator(upload_dir(w), ignored)) {
    if (std::filesystem::file_time_type::clock::now() - old.last_write_time(ignored) > kUploadLifetime) {
      std::filesystem::remove(old.path(), ignored);
    }
  }
  Validation validation;
  std::string xml;
  std::string shown = name;
  if (ext == ".xml" && document_kind(content) == "wijziging") {
    // An amendment of an agreement in force: checked against the workspace's state as sto open
    // would, and opened after the penvoerder confirms (open_upload).
    WijzigingValidation checked;
    try {
      checked = w.check_wijziging(content, name);
    } catch (const Refusal& e) {
      return refuse(e.what());
    }
    std::vector<std::string> lines;
    for (const auto& finding : checked.findings) lines.push_back(describe(finding, Taal::nl));
    std::string id;
    if (checked.valid()) {
      id = beheer::random_token(16);
      write_file_atomically(upload_dir(w) / (id + ".xml"), content, Access::owner_only);
    }
    record("upload", v.who, {{"bestand", name}, {"geldig", id.empty() ? "nee" : "ja"}});
    const Wijziging& wz = checked.stuk.wijziging;
    html(v.res, id.empty() ? HTTPResponse::HTTP_UNPROCESSABLE_ENTITY : HTTPResponse::HTTP_OK,
         beheer_page::findings(csrf,
                               id.empty() ? "Niet te openen: " + name
                                          : "Wijziging " + std::to_string(wz.nummer) + " (" +
                                                std::string(wz.soort ? to_string(*wz.soort) : "") + ") van " +
                                                wz.kenmerk + " openen?",
                               lines, summary_line(checked.findings, name, Taal::nl), id));
    return;
  }
  if (ext == ".xml") {
    xml = content;
    validation = validate(xml, name, rule_sets);
    check_printable(validation, xml, templates);
  } else if (ext == ".xlsx" || ext == ".ods" || ext == ".csv") {
    const std::string kenmerk = v.form.get("kenmerk", "");
    const auto latest = kenmerk.empty() ? std::nullopt : w.store().latest_version(kenmerk);
    if (!latest) return refuse("Kies bij een partnerblad de overeenkomst waarvan het de partners vervangt.");
    const std::string base = latest->xml.empty() ? w.store().agreement_xml(latest->id) : latest->xml;
    const auto next = next_version(base, latest->versie);
    if (!next) return refuse("De versie van " + kenmerk + " staat niet op de gewone plaats in de XML.");
    const TempDir temp(w);
    // Under the browser's name: a .csv file's name is its sheet's, which the findings show.
    const std::filesystem::path sheet = temp.path / name;
    write_file_atomically(sheet, content);
    shown = kenmerk + "-v" + std::to_string(latest->versie + 1) + ".xml";
    PartnerImport imported = import_partner_sheet(
        sheet, name, *next, shown, rule_sets,
        [&](Validation& checked, std::string_view text) { check_printable(checked, text, templates); });
    xml = std::move(imported.agreement_xml);
    validation = std::move(imported.validation);
  } else {
    return refuse("Dit soort bestand ken ik niet: kies een .xml, .xlsx, .ods of .csv.");
  }
  std::vector<std::string> lines;
  for (const auto& finding : validation.findings) lines.push_back(describe(finding, Taal::nl));
  const std::string summary = summary_line(validation.findings, shown, Taal::nl);
  std::string id;
  if (validation.valid() && !xml.empty()) {
    id = beheer::random_token(16);
    write_file_atomically(upload_dir(w) / (id + ".xml"), xml, Access::owner_only);
  }
  record("upload", v.who, {{"bestand", name}, {"geldig", id.empty() ? "nee" : "ja"}});
  html(v.res, id.empty() ? HTTPResponse::HTTP_UNPROCESSABLE_ENTITY : HTTPResponse::HTTP_OK,
       beheer_page::findings(csrf,
                             id.empty() ? "Niet te openen: " + name
                                        : validation.agreement.kenmerk + " versie " +
                                              std::to_string(validation.agreement.versie) + " openen?",
                             lines, summary, id));
}

void Beheer::Impl::open_upload(PageVisit& v) {
  static const std::regex id_form("[A-Za-z0-9_-]{22}");
  const std::string id = v.form.get("upload", "");
  const std::filesystem::path file = upload_dir(w) / (id + ".xml");
  if (!std::regex_match(id, id_form) || !std::filesystem::exists(file) || v.form.get("bevestig", "") != "ja") {
    html(v.res, HTTPResponse::HTTP_UNPROCESSABLE_ENTITY,
         beheer_page::upload(v.session.csrf, w.store().kenmerken(),
                             "Deze upload bestaat niet (meer): kies het bestand opnieuw."));
    return;
  }
  Validation validation;
  std::optional<OpenResult> opened;
  try {
    if (document_kind(read_whole_file(file)) == "wijziging") {
      WijzigingValidation checked;
      opened = w.open_wijziging(file, checked, v.who);
      validation.findings = checked.findings;
    } else {
      opened = w.open_agreement(file, validation, v.who);
    }
  } catch (const Refusal& e) {
    html(v.res, HTTPResponse::HTTP_UNPROCESSABLE_ENTITY,
         beheer_page::upload(v.session.csrf, w.store().kenmerken(), e.what()));
    return;
  }
  std::error_code ignored;
  if (!opened) {
    std::vector<std::string> lines;
    for (const auto& finding : validation.findings) lines.push_back(describe(finding, Taal::nl));
    std::filesystem::remove(file, ignored);
    html(v.res, HTTPResponse::HTTP_UNPROCESSABLE_ENTITY,
         beheer_page::findings(v.session.csrf, "Niet te openen", lines,
                               summary_line(validation.findings, "upload", Taal::nl), ""));
    return;
  }
  std::filesystem::remove(file, ignored);
  record("actie", v.who,
         {{"kenmerk", opened->kenmerk},
          {"actie", "openen"},
          {"versie", std::to_string(opened->versie)},
          {"wijziging", std::to_string(opened->wijziging)}});
  redirect(v.res, "/beheer/overeenkomsten/" + opened->kenmerk + "?gedaan=geopend");
}

}  // namespace sto
