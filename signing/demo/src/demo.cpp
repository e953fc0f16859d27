#include "sto/demo.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace sto {

namespace {

std::string between(const std::string& s, std::string_view before, std::string_view after) {
  const auto b = s.find(before);
  if (b == std::string::npos) return "";
  const auto start = b + before.size();
  const auto e = s.find(after, start);
  return e == std::string::npos ? "" : s.substr(start, e - start);
}

// The page's text as a person reads it: the entities sto/html.h writes, decoded.
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

class Parts final : public Poco::Net::PartHandler {
 public:
  explicit Parts(ReceivedMail& mail) : mail_(mail) {}
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string body;
    Poco::StreamCopier::copyToString(stream, body);
    const std::string type = header.get("Content-Type", "");
    const std::string disposition = header.get("Content-Disposition", "");
    if (disposition.starts_with("attachment")) {
      std::string name;
      Poco::Net::MessageHeader::splitParameters(disposition, name, params_);
      mail_.attachments.emplace_back(params_.get("filename", ""), body);
    } else if (type.starts_with("text/plain")) {
      mail_.text += body;
    } else if (type.starts_with("text/html")) {
      mail_.html += body;
    } else if (type.starts_with("multipart/")) {
      // A nested multipart/alternative: read its parts too.
      std::istringstream nested("Content-Type: " + type + "\r\n\r\n" + body);
      Poco::Net::MailMessage inner;
      Parts again(mail_);
      inner.read(nested, again);
    }
  }

 private:
  ReceivedMail& mail_;
  Poco::Net::NameValueCollection params_;
};

}  // namespace

HttpReply http(const std::string& base_url, const std::string& method, const std::string& path,
               const std::map<std::string, std::string>& form, const std::map<std::string, std::string>& headers) {
  const Poco::URI uri(base_url);
  std::unique_ptr<Poco::Net::HTTPClientSession> https;
  if (uri.getScheme() == "https") {
    static const Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_NONE);
    https = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
  }
  Poco::Net::HTTPClientSession plain(uri.getHost(), uri.getPort());
  Poco::Net::HTTPClientSession& session = https ? *https : plain;
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) request.set(k, v);
  if (method == "POST") {
    Poco::Net::HTMLForm f;
    for (const auto& [k, v] : form) f.set(k, v);
    std::ostringstream body;
    f.write(body);
    request.setContentType("application/x-www-form-urlencoded");
    request.setContentLength(static_cast<std::streamsize>(body.str().size()));
    session.sendRequest(request) << body.str();
  } else {
    session.sendRequest(request);
  }
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpReply r;
  r.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, r.body);
  for (const auto& [k, v] : response) {
    std::string name = k;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    r.headers[name] = v;
  }
  return r;
}

ReceivedMail parse_mail(const std::string& raw) {
  ReceivedMail mail;
  mail.raw = raw;
  std::istringstream in(raw);
  Poco::Net::MailMessage message;
  Parts parts(mail);
  message.read(in, parts);
  mail.to = message.get("To", "");
  mail.subject = Poco::Net::MailMessage::decodeWord(message.get("Subject", ""));
  if (!message.isMultipart()) mail.text = message.getContent();
  return mail;
}

std::vector<ReceivedMail> pickup_mails(const std::filesystem::path& pickup) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::exists(pickup / "new")) {
    for (const auto& e : std::filesystem::directory_iterator(pickup / "new")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<ReceivedMail> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    out.push_back(parse_mail(std::string(std::istreambuf_iterator<char>(in), {})));
  }
  return out;
}

std::vector<std::string> links_in(const ReceivedMail& mail, const std::string& base_url) {
  std::vector<std::string> links;
  std::istringstream lines(mail.text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.starts_with(base_url + "/t/")) links.push_back(line);
  }
  return links;
}

std::string token_of(const std::string& link) { return link.substr(link.rfind('/') + 1); }
std::string csrf_of(const std::string& page) { return between(page, "name=csrf value=\"", "\""); }
std::string typed_name_of(const std::string& page) {
  return unescape(between(page, "Typ uw naam ter bevestiging: <b>", "</b>"));
}

HttpReply sign_via_page(const std::string& link, const Visit& visit) {
  const Poco::URI uri(link);
  const std::string base = uri.getScheme() + "://" + uri.getAuthority();
  const std::string path = uri.getPath();
  std::map<std::string, std::string> headers;
  if (!visit.user_agent.empty()) headers["User-Agent"] = visit.user_agent;
  const HttpReply page = http(base, "GET", path, {}, headers);
  if (page.status != 200) throw Error("de ondertekenpagina gaf HTTP " + std::to_string(page.status));
  if (visit.read_pdf) {
    const HttpReply pdf = http(base, "GET", path + "/pdf", {}, headers);
    if (pdf.status != 200 || !pdf.body.starts_with("%PDF-")) throw Error("de PDF kwam niet mee");
  }
  headers["Sec-Fetch-Site"] = "same-origin";
  return http(base, "POST", path + "/onderteken",
              {{"csrf", csrf_of(page.body)}, {"bevestig", "ja"}, {"naam", typed_name_of(page.body)}}, headers);
}

DemoSite::DemoSite(const std::filesystem::path& dir, const std::filesystem::path& templates,
                   Configuration configuration, const std::string& passphrase,
                   const std::map<std::string, std::string>& overrides, std::ostream* access_log)
    : dir_(dir) {
  configuration.set("listen", "127.0.0.1:0");
  Werkruimte::init(dir, configuration, passphrase);
  werkruimte_ = std::make_unique<Werkruimte>(Werkruimte::open(dir, templates, passphrase, overrides));
  server_ = std::make_unique<PageServer>(*werkruimte_, "127.0.0.1:0", access_log, templates);
  server_->start();
  base_url_ = server_->base_url();
  werkruimte_->configure("base_url", base_url_);
}

DemoSite::~DemoSite() { stop(); }

void DemoSite::stop() {
  if (server_) server_->stop();
}

std::filesystem::path DemoSite::pickup() const {
  const std::filesystem::path configured = werkruimte_->configuration().pickup_dir;
  return configured.is_absolute() ? configured : dir_ / configured;
}

std::map<std::string, std::vector<std::string>> DemoSite::invite(const std::string& kenmerk) {
  for (const MailOutcome& o : werkruimte_->invite(kenmerk)) {
    if (!o.sent) throw Error("uitnodiging aan " + o.email + " niet verstuurd: " + o.detail);
  }
  std::map<std::string, std::vector<std::string>> links;
  for (const ReceivedMail& m : pickup_mails(pickup())) {
    const auto lt = m.to.find('<');
    const std::string address = lt == std::string::npos ? m.to : m.to.substr(lt + 1, m.to.find('>') - lt - 1);
    for (const auto& link : links_in(m, base_url_)) links[address].push_back(link);
  }
  return links;
}

}  // namespace sto
