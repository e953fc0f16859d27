// sto demo: the whole workflow on one agreement, as the README's first command: a fresh
// workspace, open, the server on a free loopback port, invitations (pickup directory or SMTP),
// then every tekenbevoegde over real HTTP — the mail read, the link followed, the page and the
// PDF fetched, the name typed, signed — and the signed contract and audit log written out.
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "command.h"
#include "sto/archive.h"
#include "sto/atomic_file.h"
#include "sto/server.h"
#include "sto/workflow.h"

namespace sto::cli {

namespace {

constexpr std::string_view kUsageText =
    "Gebruik: sto demo [OVEREENKOMST.xml] [-o MAP] [--smtp HOST:POORT] [--passphrase-file BESTAND]\n"
    "\n"
    "Speelt de hele ondertekening na op één overeenkomst (standaard het kleine voorbeeld): een nieuwe\n"
    "werkruimte in MAP (standaard ./sto-demo; moet leeg zijn of nog niet bestaan), sto open, de\n"
    "webserver op een vrije poort van 127.0.0.1, de uitnodigingen (als bestanden in MAP/postvak, of via\n"
    "--smtp, dan ook een kopie in MAP/postvak), en dan iedere tekenbevoegde over echte HTTP: de mail\n"
    "lezen, de link volgen, de pagina en de PDF ophalen, de naam typen en ondertekenen. Schrijft daarna\n"
    "het getekende contract (MAP/getekend.pdf) en de auditlog (MAP/audit.jsonl), en toont waar alles staat.\n"
    "\n"
    "Afsluitcode: 0 alles getekend, 1 ongeldige overeenkomst, 2 verkeerd gebruik, 3 omgevingsfout.\n";

// Delivers through `first`, then keeps a copy through `copy` (so the demo can follow the links
// of mail that went out over SMTP, as each recipient would).
class Tee final : public Transport {
 public:
  Tee(std::unique_ptr<Transport> first, std::unique_ptr<Transport> copy)
      : first_(std::move(first)), copy_(std::move(copy)) {}
  Delivery send(const Mail& mail) override {
    Delivery d = first_->send(mail);
    copy_->send(mail);
    return d;
  }

 private:
  std::unique_ptr<Transport> first_;
  std::unique_ptr<Transport> copy_;
};

// The decoded text/plain part of a message.
class TextPart final : public Poco::Net::PartHandler {
 public:
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string body;
    Poco::StreamCopier::copyToString(stream, body);
    if (header.get("Content-Type", "").starts_with("text/plain")) text += body;
  }
  std::string text;
};

std::string between(const std::string& s, std::string_view before, std::string_view after) {
  const auto b = s.find(before);
  if (b == std::string::npos) return "";
  const auto start = b + before.size();
  const auto e = s.find(after, start);
  return e == std::string::npos ? "" : s.substr(start, e - start);
}

std::string unescape(std::string s) {
  for (const auto& [entity, c] : {std::pair<std::string_view, std::string_view>{"&lt;", "<"},
                                  {"&gt;", ">"},
                                  {"&quot;", "\""},
                                  {"&#39;", "'"},
                                  {"&amp;", "&"}}) {
    for (auto at = s.find(entity); at != std::string::npos; at = s.find(entity, at + c.size())) {
      s.replace(at, entity.size(), c);
    }
  }
  return s;
}

struct Response {
  int status = 0;
  std::string body;
  std::string location;
};

Response http(const Poco::URI& base, const std::string& method, const std::string& path, const std::string& form) {
  Poco::Net::HTTPClientSession session(base.getHost(), base.getPort());
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("User-Agent", "sto-demo/" STO_VERSION);
  if (method == "POST") {
    request.setContentType("application/x-www-form-urlencoded");
    request.set("Sec-Fetch-Site", "same-origin");
    request.setContentLength(static_cast<std::streamsize>(form.size()));
    session.sendRequest(request) << form;
  } else {
    session.sendRequest(request);
  }
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Response r;
  r.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, r.body);
  r.location = response.get("Location", "");
  return r;
}

// One tekenbevoegde: reads the page behind `link`, fetches the PDF, types the name shown, signs.
// Returns the name signed for.
std::string act(const std::string& link) {
  const Poco::URI uri(link);
  const std::string path = uri.getPath();
  const Response page = http(uri, "GET", path, "");
  if (page.status != 200) throw Error("de ondertekenpagina gaf HTTP " + std::to_string(page.status));
  const Response pdf = http(uri, "GET", path + "/pdf", "");
  if (pdf.status != 200 || !pdf.body.starts_with("%PDF-")) throw Error("de PDF kwam niet mee");
  const std::string csrf = between(page.body, "name=csrf value=\"", "\"");
  const std::string naam = unescape(between(page.body, "Typ uw naam ter bevestiging: <b>", "</b>"));
  if (csrf.empty() || naam.empty()) throw Error("de ondertekenpagina heeft geen formulier");
  Poco::Net::HTMLForm form;
  form.set("csrf", csrf);
  form.set("bevestig", "ja");
  form.set("naam", naam);
  std::ostringstream body;
  form.write(body);
  const Response signed_ = http(uri, "POST", path + "/onderteken", body.str());
  if (signed_.status != 303) {
    throw Error("ondertekenen gaf HTTP " + std::to_string(signed_.status) + ": " +
                between(signed_.body, "<p class=fout role=alert id=fout>", "</p>"));
  }
  const Response receipt = http(uri, "GET", path, "");
  if (receipt.body.find("id=ontvangst") == std::string::npos) throw Error("geen ontvangstbewijs na ondertekenen");
  return naam;
}

int run(std::span<const std::string_view> args) {
  std::string file;
  std::string out = "sto-demo";
  WorkspaceFlags flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" || args[i] == "--output") {
      out = option_value(args, i);
    } else if (args[i] == "--smtp" || args[i] == "--passphrase-file") {
      workspace_flag(args, i, flags);
    } else if (args[i].starts_with("-")) {
      throw UsageError{"onbekende optie \"" + std::string(args[i]) + "\""};
    } else if (!file.empty()) {
      throw UsageError{"geef ten hoogste één overeenkomst"};
    } else {
      file = std::string(args[i]);
    }
  }
  const auto templates = templates_dir();
  if (file.empty()) file = (templates.parent_path() / "samples" / "regio-klein-8.xml").string();
  const std::filesystem::path dir = out;
  if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir)) {
    throw Error(dir.string() + " bestaat al en is niet leeg: kies met -o een nieuwe map");
  }
  const auto started = std::chrono::steady_clock::now();
  const std::string pass = passphrase(flags.passphrase_file);

  Configuration configuration;
  configuration.set("listen", "127.0.0.1:0");
  for (const auto& [key, value] : flags.overrides) configuration.set(key, value);
  const std::string fingerprint = Werkruimte::init(dir, configuration, pass);
  std::cout << "1. Werkruimte " << dir.string() << " (CA " << fingerprint << ")\n";

  Werkruimte w = Werkruimte::open(dir, templates, pass);
  const std::filesystem::path postvak = dir / w.configuration().pickup_dir;
  if (w.configuration().mail_transport == "smtp") {
    w.set_transport(std::make_unique<Tee>(smtp_transport(w.configuration().smtp), pickup_transport(postvak)));
  }
  Validation v;
  const auto opened = w.open_agreement(file, v);
  if (!opened) {
    print_validation(v, file, Taal::nl, false);
    return kInvalid;
  }
  std::cout << "2. Geopend: " << opened->kenmerk << " versie " << opened->versie << ", " << opened->signatories
            << " tekenbevoegden, contract SHA-256 " << opened->document_sha256 << "\n";

  std::ofstream access(dir / "toegang.log");
  PageServer server(w, "127.0.0.1:0", &access);
  server.start();
  w.configure("base_url", server.base_url());
  std::cout << "3. Webserver op " << server.base_url() << "\n";

  const auto outcomes = w.invite(opened->kenmerk);
  for (const auto& o : outcomes) {
    if (!o.sent) throw Error("uitnodiging aan " + o.email + " niet verstuurd: " + o.detail);
  }
  std::cout << "4. " << outcomes.size() << " uitnodigingen verstuurd ("
            << (w.configuration().mail_transport == "smtp" ? "SMTP, kopie in " : "") << (postvak / "new").string()
            << ")\n";

  std::vector<std::string> links;
  for (const auto& entry : std::filesystem::directory_iterator(postvak / "new")) {
    std::ifstream in(entry.path(), std::ios::binary);
    Poco::Net::MailMessage message;
    TextPart text;
    message.read(in, text);
    std::istringstream lines(text.text);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.starts_with(server.base_url() + "/t/")) links.push_back(line);
    }
  }
  if (links.size() != outcomes.size()) {
    throw Error("in " + (postvak / "new").string() + " staan " + std::to_string(links.size()) + " links voor " +
                std::to_string(outcomes.size()) + " uitnodigingen");
  }
  for (const std::string& link : links) act(link);
  std::cout << "5. " << links.size()
            << " tekenbevoegden lazen de mail, volgden de link, lazen de PDF en ondertekenden\n";

  server.stop();
  w.flush_mail();
  const Status status = w.status(opened->kenmerk);
  if (status.signed_count != status.signatories.size()) {
    throw Error(std::to_string(status.signed_count) + " van " + std::to_string(status.signatories.size()) +
                " ondertekend");
  }
  write_file_atomically(dir / "getekend.pdf", w.signed_pdf(opened->kenmerk));
  std::string jsonl;
  for (const AuditRecord& r : w.store().audit(opened->kenmerk)) jsonl += jsonl_line(r) + "\n";
  write_file_atomically(dir / "audit.jsonl", jsonl);
  // The archive, and the auditor's check of it: offline, trusting the CA by its fingerprint.
  const std::filesystem::path archive = dir / "archief";
  export_archive(w, opened->kenmerk, archive, templates);
  const Verdict verdict = verify_archive(archive, {fingerprint, "", templates});
  if (verdict.oordeel != Oordeel::intact) {
    std::cout << describe(verdict);
    throw Error("het archief is niet intact: " + std::string(to_string(verdict.oordeel)));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::time_t effective = static_cast<std::time_t>(status.effective_ms / 1000);
  std::tm tm{};
  gmtime_r(&effective, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
  std::cout << "6. Alle " << status.signatories.size() << " handtekeningen staan; ingangsdatum " << date
            << "; afrondingsmails met het getekende contract in " << (postvak / "new").string() << "\n\n"
            << "Getekend contract: " << (dir / "getekend.pdf").string() << "\n"
            << "Auditlog:          " << (dir / "audit.jsonl").string() << " (" << status.audit_length << " regels, kop "
            << status.audit_head << ")\n"
            << "CA-certificaat:    " << (dir / "pki" / "ca.pem").string() << "\n"
            << "Toegangslog:       " << (dir / "toegang.log").string() << "\n"
            << "Archief:           " << archive.string() << " (bewijsdossier.pdf, manifest.json, README.txt)\n"
            << "Controle archief:  sto verify " << archive.string() << " --ca-fingerprint " << fingerprint << "  -> "
            << to_string(verdict.oordeel) << ", " << verdict.signatures.size() << " handtekeningen\n"
            << "Status:            sto status " << opened->kenmerk << " --home " << dir.string() << "\n"
            << "Controle:          pdfsig " << (dir / "getekend.pdf").string()
            << " (vertrouw de CA hierboven op haar vingerafdruk)\n"
            << "Klaar in " << static_cast<int>(seconds * 10) / 10.0 << " s.\n";
  return kOk;
}

}  // namespace

const Command kDemo{"demo", "de hele ondertekening nagespeeld op een voorbeeld, over echte HTTP", kUsageText, run};

}  // namespace sto::cli
