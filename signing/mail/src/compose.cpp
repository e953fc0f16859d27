// compose(): the message bytes. Written by hand rather than with Poco::Net::MailMessage, whose
// 1.11 header encoding is not RFC 2047 compliant (see encoding.h).
#include <openssl/rand.h>

#include <array>

#include "encoding.h"
#include "outgoing.h"
#include "sto/mail.h"

namespace sto {

namespace {

namespace enc = mail_encoding;

// A MIME entity: its header lines (CRLF-terminated) and its body.
struct Part {
  std::string headers;
  std::string body;
};

Part text_part(std::string_view subtype, std::string_view text) {
  return {enc::header("Content-Type", {"text/" + std::string(subtype) + ";", "charset=UTF-8"}) +
              "Content-Transfer-Encoding: quoted-printable\r\n",
          enc::quoted_printable(enc::normalize_newlines(text))};
}

// RFC 2046 §5.1.1. The boundary starts with "=_", which neither quoted-printable (always "=XX"
// or a soft break) nor base64 can produce, so it never occurs inside a part.
Part multipart(std::string_view subtype, const std::string& boundary, const std::vector<Part>& parts) {
  Part out{enc::header("Content-Type", {"multipart/" + std::string(subtype) + ";", "boundary=\"" + boundary + "\""}),
           {}};
  for (const auto& part : parts) out.body += "--" + boundary + "\r\n" + part.headers + "\r\n" + part.body + "\r\n";
  out.body += "--" + boundary + "--\r\n";
  return out;
}

bool media_type_valid(std::string_view type) {
  const auto token = [](std::string_view t) {
    if (t.empty()) return false;
    for (const char c : t) {
      const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      std::string_view("!#$&^_.+-").find(c) != std::string_view::npos;
      if (!ok) return false;
    }
    return true;
  };
  const std::size_t slash = type.find('/');
  return slash != std::string_view::npos && token(type.substr(0, slash)) && token(type.substr(slash + 1));
}

Part attachment_part(const Attachment& attachment) {
  const std::string type = attachment.media_type.empty() ? "application/octet-stream" : attachment.media_type;
  if (!media_type_valid(type)) throw Error("ongeldig mediatype voor bijlage: \"" + type + "\"");
  // A file name, not a path: a mail client must not be led into another directory.
  std::string name = attachment.bestandsnaam.empty() ? "bijlage" : attachment.bestandsnaam;
  for (char& c : name) {
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  }
  std::vector<std::string> disposition{"attachment;"};
  for (auto& token : enc::parameter("filename", name)) disposition.push_back(std::move(token));
  return {enc::header("Content-Type", {type}) + enc::header("Content-Disposition", disposition) +
              "Content-Transfer-Encoding: base64\r\n",
          enc::base64_lines(attachment.bytes)};
}

void check_message_id(std::string_view id) {
  const bool valid = !id.empty() && enc::printable_ascii(id) && id.find('@') != std::string_view::npos &&
                     id.find_first_of(" <>\"\\") == std::string_view::npos;
  if (!valid) throw Error("ongeldig Message-ID: \"" + std::string(id) + "\"");
}

}  // namespace

std::string compose(const Mail& mail, std::string_view message_id, std::time_t date) {
  check_message_id(message_id);
  const std::string hash = enc::sha256_hex(message_id);
  Part body = mail.html.empty() ? text_part("plain", mail.text)
                                : multipart("alternative", "=_alt_" + hash.substr(0, 24),
                                            {text_part("plain", mail.text), text_part("html", mail.html)});
  if (!mail.attachments.empty()) {
    std::vector<Part> parts{std::move(body)};
    for (const auto& attachment : mail.attachments) parts.push_back(attachment_part(attachment));
    body = multipart("mixed", "=_mix_" + hash.substr(24, 24), parts);
  }
  std::string out;
  out += enc::header("Date", {enc::rfc5322_date(date)});
  out += enc::header("From", enc::mailbox(mail.from.naam, mail.from.adres));
  out += enc::header("To", enc::mailbox(mail.to.naam, mail.to.adres));
  out += enc::header("Subject", enc::unstructured(mail.subject));
  out += enc::header("Message-ID", {"<" + std::string(message_id) + ">"});
  out += "MIME-Version: 1.0\r\n";
  out += "Auto-Submitted: auto-generated\r\n";  // RFC 3834: no vacation replies to us
  out += "Content-Language: nl\r\n";
  out += body.headers;
  out += "\r\n";
  out += body.body;
  return out;
}

std::string new_message_id(const MailAddress& from) {
  std::array<unsigned char, 16> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) throw Error("geen willekeurige bytes (OpenSSL)");
  const std::string id = enc::hex(std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
  // The domain of the sender when it is a plain host name; otherwise a name that is never real.
  const std::size_t at = from.adres.rfind('@');
  std::string domain = at == std::string::npos ? "" : from.adres.substr(at + 1);
  bool plain = !domain.empty() && domain.size() <= 253;
  for (const char c : domain) {
    plain =
        plain && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '.');
  }
  return id + "@" + (plain ? domain : "sto.invalid");
}

Outgoing prepare(const Mail& mail, std::time_t date) {
  const std::string id = new_message_id(mail.from);
  try {
    return {id, compose(mail, id, date)};
  } catch (const MailError&) {
    throw;
  } catch (const Error& e) {
    throw MailError(MailError::Kind::permanent, 0, e.what());
  }
}

}  // namespace sto
