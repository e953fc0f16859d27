// Prototype of signing/mail on Debian 12's Poco 1.11 (research code, not project code).
// Build: g++ -std=c++20 -Wall -Wextra mail_proto.cpp -o mail_proto
//          -lPocoNetSSL -lPocoNet -lPocoCrypto -lPocoFoundation
// Usage: mail_proto smtp HOST PORT TO PDF [--tls CAFILE] [--user U --pass P] [--plain]
//        mail_proto pickup DIR TO PDF
// Prints one line: "sent <reply>" | "transient <code> <text>" | "permanent <code> <text>" |
//                  "config <text>"; exit 0 / 75 / 65 / 78 (sysexits-style, for the test script).
#include <Poco/Net/Context.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/MailStream.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/Net/FilePartSource.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Timespan.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace Poco::Net;

// ---- headers ------------------------------------------------------------------------------
// RFC 2047 "B" encoded-words that never split a UTF-8 character (MailMessage::encodeWord in
// 1.11 does split them, and can end with a whitespace-only folded line). 45 bytes per word ->
// 60 base64 chars + 12 = 72 <= 75. Words are joined with CRLF SP (folding).
std::string encode_words(const std::string& s) {
  bool ascii = true;
  for (unsigned char c : s) ascii = ascii && c >= 0x20 && c < 0x7f;
  if (ascii) return s;
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;
    while (j < s.size()) {
      std::size_t len = 1;  // length of the UTF-8 sequence starting at j
      const auto c = static_cast<unsigned char>(s[j]);
      if (c >= 0xf0) len = 4; else if (c >= 0xe0) len = 3; else if (c >= 0xc0) len = 2;
      if (j + len - i > 45) break;
      j += len;
    }
    std::ostringstream b64;
    Poco::Base64Encoder enc(b64);
    enc.rdbuf()->setLineLength(0);
    enc << s.substr(i, j - i);
    enc.close();
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + b64.str() + "?=";
    i = j;
  }
  return out;
}

// "Name <addr>" with the display name as an encoded-word when it is not plain ASCII, a
// quoted-string (with \" and \\ escaped) when it holds specials, bare otherwise.
std::string mailbox(const std::string& name, const std::string& addr) {
  if (name.empty()) return addr;
  bool ascii = true, specials = false;
  for (unsigned char c : name) {
    ascii = ascii && c >= 0x20 && c < 0x7f;
    specials = specials || std::string("()<>[]:;@\\,.\"").find(static_cast<char>(c)) != std::string::npos;
  }
  if (!ascii) return encode_words(name) + " <" + addr + ">";
  if (!specials) return name + " <" + addr + ">";
  std::string q = "\"";
  for (char c : name) { if (c == '"' || c == '\\') q += '\\'; q += c; }
  return q + "\" <" + addr + ">";
}

std::string crlf(const std::string& s) {  // Poco passes bare LF through: normalise first
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') continue;
    if (s[i] == '\n') out += "\r\n"; else out += s[i];
  }
  return out;
}

std::string message_id(const std::string& domain) {
  std::random_device rd;
  std::ostringstream id;
  id << '<' << std::hex;
  for (int i = 0; i < 4; ++i) id << rd();
  id << '@' << domain << '>';
  return id.str();
}

struct Mail {
  std::string from_name, from_addr, to_name, to_addr, subject, text, html, pdf_path, pdf_name;
};

// The message: multipart/alternative (text, html); with a PDF, multipart/mixed around it.
// The recipient is *not* given to MailMessage (it would quote the encoded-word); we write To
// ourselves and pass the envelope recipient separately.
void build(MailMessage& m, const Mail& mail, const std::string& msgid) {
  m.setSender(mailbox(mail.from_name, mail.from_addr));
  m.set("To", mailbox(mail.to_name, mail.to_addr));
  m.setSubject(encode_words(mail.subject));
  m.set("Message-ID", msgid);
  m.set("MIME-Version", "1.0");  // Poco writes it only for multipart messages
  m.set("Auto-Submitted", "auto-generated");  // RFC 3834: no vacation replies
  m.set("Content-Language", "nl");
  auto* text = new StringPartSource(crlf(mail.text), "text/plain; charset=UTF-8");
  auto* html = new StringPartSource(crlf(mail.html), "text/html; charset=UTF-8");
  if (mail.pdf_path.empty()) {
    m.setContentType("multipart/alternative");
    m.addContent(text, MailMessage::ENCODING_QUOTED_PRINTABLE);
    m.addContent(html, MailMessage::ENCODING_QUOTED_PRINTABLE);
  } else {
    auto* alt = new MultipartSource("multipart/alternative");
    alt->addPart("", text, MailMessage::CONTENT_INLINE, MailMessage::ENCODING_QUOTED_PRINTABLE);
    alt->addPart("", html, MailMessage::CONTENT_INLINE, MailMessage::ENCODING_QUOTED_PRINTABLE);
    m.addPart("", alt, MailMessage::CONTENT_INLINE, MailMessage::ENCODING_7BIT);
    m.addAttachment(mail.pdf_name, new FilePartSource(mail.pdf_path, mail.pdf_name, "application/pdf"),
                    MailMessage::ENCODING_BASE64);
  }
}

// ---- SMTP ---------------------------------------------------------------------------------
enum class Outcome { sent, transient, permanent, config };
struct Result { Outcome outcome; int code; std::string text; };

// SMTPClientSession with: a connect timeout, STARTTLS that verifies the *configured* host name
// (SecureSMTPClientSession(socket) would not know it), and sendMessage that returns the final
// reply ("250 2.0.0 Ok: queued as ...") which Poco's sendMessage discards.
class SmtpSession : public SMTPClientSession {
 public:
  using SMTPClientSession::SMTPClientSession;
  void start_tls(const std::string& host, Context::Ptr ctx) {
    std::string response;
    const int status = sendCommand("STARTTLS", response);
    // Poco's SecureSMTPClientSession::startTLS() just returns false here, and a caller that
    // ignores it sends in plaintext. Code 0 = configuration problem (see send_smtp).
    if (status / 100 != 2) throw SMTPException("STARTTLS refused (" + std::to_string(status) + ")", response);
    socket() = SecureStreamSocket::attach(socket(), host, ctx);  // handshake + verification here
  }
  std::string send(const MailMessage& m, const std::string& from, const std::vector<std::string>& to) {
    sendAddresses(from, to);
    sendData();
    SocketOutputStream sos(socket());
    MailOutputStream mos(sos);
    m.write(mos);
    mos.close();
    sos.flush();
    std::string response;
    const int status = socket().receiveStatusMessage(response);
    if (status / 100 != 2) throw SMTPException("The server rejected the message", response, status);
    return response;
  }
};

struct SmtpConfig {
  std::string host; Poco::UInt16 port = 587;
  bool starttls = false; std::string ca_file;  // empty: the system's CAs
  std::string user, pass; bool plain = false;
  int timeout_s = 30;
};

Result send_smtp(const SmtpConfig& c, const Mail& mail) {
  MailMessage m;
  build(m, mail, message_id("sto.test"));
  try {
    StreamSocket sock;
    sock.connect(SocketAddress(c.host, c.port), Poco::Timespan(c.timeout_s, 0));
    SmtpSession s(sock);
    s.setTimeout(Poco::Timespan(c.timeout_s, 0));
    s.login("sto.test");  // EHLO
    if (c.starttls) {
      Context::Ptr ctx = new Context(Context::TLS_CLIENT_USE, "", "", c.ca_file, Context::VERIFY_RELAXED, 9,
                                     c.ca_file.empty());
      s.start_tls(c.host, ctx);
      if (c.user.empty()) s.login("sto.test");  // EHLO again (RFC 3207 4.2); login(method,...) does it too
    }
    if (!c.user.empty())
      s.login("sto.test", c.plain ? SMTPClientSession::AUTH_PLAIN : SMTPClientSession::AUTH_LOGIN, c.user, c.pass);
    const std::string reply = s.send(m, mail.from_addr, {mail.to_addr});
    s.close();
    return {Outcome::sent, 250, reply};
  } catch (const SMTPException& e) {
    // code() is the reply code (Exception(msg, arg, code)); 0 = Poco's own check failed
    // (e.g. "does not support LOGIN authentication"): a configuration problem.
    if (e.code() / 100 == 4) return {Outcome::transient, e.code(), e.message()};
    if (e.code() == 530 || e.code() == 535 || e.code() == 538 || e.code() == 0)
      return {Outcome::config, e.code(), e.message()};
    return {Outcome::permanent, e.code(), e.message()};
  } catch (const CertificateValidationException& e) {
    return {Outcome::config, 0, e.displayText()};
  } catch (const SSLException& e) {  // includes "certificate verify failed" from OpenSSL
    return {Outcome::config, 0, e.displayText()};
  } catch (const Poco::TimeoutException& e) {
    return {Outcome::transient, 0, e.displayText()};
  } catch (const Poco::IOException& e) {  // NetException, ConnectionRefused, ...
    return {Outcome::transient, 0, e.displayText()};
  }
}

// ---- pickup directory -----------------------------------------------------------------------
// Write DIR/tmp/<name> then rename into DIR/new/<name> (Maildir style: readers never see a
// half-written file). Returns the final path.
std::string send_pickup(const std::string& dir, const Mail& mail) {
  const std::string id = message_id("sto.test");
  MailMessage m;
  build(m, mail, id);
  const std::string name = id.substr(1, id.find('@') - 1) + ".eml";
  std::filesystem::create_directories(dir + "/tmp");
  std::filesystem::create_directories(dir + "/new");
  {
    std::ofstream out(dir + "/tmp/" + name, std::ios::binary);
    m.write(out);  // CRLF line ends, no dot-stuffing: a normal .eml
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + dir + "/tmp/" + name);
  }  // (project code: fsync the file before the rename, as the store does)
  std::filesystem::rename(dir + "/tmp/" + name, dir + "/new/" + name);
  return dir + "/new/" + name;
}

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  const std::string token = "q3J5x0V9Zr7mFh2LkPq_wTnYb8cXeA4sD6gUoIi1-0M";  // 32 bytes, base64url
  const std::string link = "https://onderteken.sto-regio-gelderse-ijssel.nl/teken/" + token;  // 97 chars
  Mail mail{"STO-regio Gelderse IJssel", "noreply@sto.test", "Jan de Vrïes, \"IJ\"", "", 
            "Uitnodiging: onderteken de samenwerkingsovereenkomst STO25-108-SOK – € 1.250 cofinanciering, "
            "ĳverig café",
            "Beste heer De Vrïes,\n\nU wordt gevraagd de samenwerkingsovereenkomst te ondertekenen.\n\n"
            "Open deze persoonlijke link:\n\n" + link + "\n\n.\nMet vriendelijke groet,\nhet projectbureau\n",
            "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Uitnodiging</title></head>\n"
            "<body><p>Beste heer De Vrïes,</p><p>U wordt gevraagd de overeenkomst te ondertekenen (€ 1.250).</p>\n"
            "<p><a href=\"" + link + "\">Ondertekenen</a></p></body></html>\n",
            "", "STO25-108-SOK-ondertekend.pdf"};
  if (a.size() >= 4 && a[0] == "pickup") {
    mail.to_addr = a[2];
    mail.pdf_path = a[3];
    std::cout << send_pickup(a[1], mail) << "\n";
    return 0;
  }
  if (a.size() < 5 || a[0] != "smtp") return 2;
  SmtpConfig c;
  c.host = a[1];
  c.port = static_cast<Poco::UInt16>(std::stoi(a[2]));
  c.timeout_s = 5;
  mail.to_addr = a[3];
  mail.pdf_path = a[4] == "-" ? "" : a[4];
  for (std::size_t i = 5; i < a.size(); ++i) {
    if (a[i] == "--tls") c.starttls = true, c.ca_file = a[++i];
    else if (a[i] == "--user") c.user = a[++i];
    else if (a[i] == "--pass") c.pass = a[++i];
    else if (a[i] == "--plain") c.plain = true;
  }
  const Result r = send_smtp(c, mail);
  static const char* names[] = {"sent", "transient", "permanent", "config"};
  std::cout << names[static_cast<int>(r.outcome)] << " " << r.code << " " << r.text << "\n";
  static const int rc[] = {0, 75, 65, 78};
  return rc[static_cast<int>(r.outcome)];
}
