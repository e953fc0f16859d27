// The signing flow played as its people play it, over real HTTP and from real mail: a workspace
// served on a free loopback port, the invitations read back from the mail the penvoerder sent,
// each link followed and signed through the page as a browser would. `sto demo` runs it on a
// sample; the workflow's tests drive it step by step. Nothing here is used by `sto serve`.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sto/server.h"
#include "sto/workflow.h"

namespace sto {

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// One request on a fresh connection to `base_url` ("http://…" or "https://…"; the certificate
// is not checked: the client talks to a server it started itself). `form` is sent url-encoded
// when `method` is POST. Throws what Poco::Net throws when the server cannot be reached.
HttpReply http(const std::string& base_url, const std::string& method, const std::string& path,
               const std::map<std::string, std::string>& form = {},
               const std::map<std::string, std::string>& headers = {});

// A received mail, decoded (Poco::Net::MailMessage): nested multiparts are read too.
struct ReceivedMail {
  std::string to;
  std::string subject;  // decoded
  std::string text;     // the text/plain part, decoded
  std::string html;
  std::vector<std::pair<std::string, std::string>> attachments;  // file name, bytes
  std::string raw;
};
ReceivedMail parse_mail(const std::string& raw);
// Every mail in a pickup directory's new/ (sto/mail.h), oldest first by file name.
std::vector<ReceivedMail> pickup_mails(const std::filesystem::path& pickup);
// The links (BASE/t/TOKEN) on lines of their own in a mail's text part.
std::vector<std::string> links_in(const ReceivedMail& mail, const std::string& base_url);
std::string token_of(const std::string& link);       // the link's last path segment
std::string csrf_of(const std::string& page);        // the signing form's csrf value; empty when none
std::string typed_name_of(const std::string& page);  // the name the page asks to type, unescaped

// How a signatory visits their link.
struct Visit {
  bool read_pdf = false;   // GET the contract's PDF before signing (and require a PDF)
  std::string user_agent;  // sent with every request when not empty
};

// One tekenbevoegde signs through the page behind `link`: GET the page (and the PDF), then POST
// the form with the page's csrf value, the confirmation and the name the page asks to type.
// Returns the POST's reply (303 to the receipt when signed). Throws sto::Error when the page
// does not answer 200 or the PDF does not come.
HttpReply sign_via_page(const std::string& link, const Visit& visit = {});

// A workspace served on a free port of 127.0.0.1, its links pointing there.
class DemoSite {
 public:
  // Makes the workspace in `dir` (Werkruimte::init with `configuration`), opens it with the
  // templates in `templates` and `overrides`, and starts its page server; the access log goes to
  // `access_log` (may be null). Throws what those throw.
  DemoSite(const std::filesystem::path& dir, const std::filesystem::path& templates, Configuration configuration,
           const std::string& passphrase, const std::map<std::string, std::string>& overrides,
           std::ostream* access_log);
  ~DemoSite();  // stops the server
  DemoSite(const DemoSite&) = delete;
  DemoSite& operator=(const DemoSite&) = delete;

  Werkruimte& werkruimte() { return *werkruimte_; }
  PageServer& server() { return *server_; }
  const std::string& base_url() const { return base_url_; }
  // Where the mail the workspace sends is kept (its pickup directory; with SMTP, the copy).
  std::filesystem::path pickup() const;

  // Mails the invitations of `kenmerk`, then reads every mail in pickup() as its recipient
  // would: per address, the links its mails hold so far. Throws sto::Error naming the address
  // when an invitation did not go out.
  std::map<std::string, std::vector<std::string>> invite(const std::string& kenmerk);

  void stop();  // stops the server (again: nothing)

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Werkruimte> werkruimte_;
  std::unique_ptr<PageServer> server_;
  std::string base_url_;
};

}  // namespace sto
