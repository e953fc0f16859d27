// SMTP delivery with Poco::Net, one connection per message (docs/design/mail.md §2).
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/MailStream.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <thread>

#include "outgoing.h"
#include "sto/mail.h"

namespace sto {

namespace {

using Kind = MailError::Kind;

// What an SMTP reply code means for the message. Poco's SMTPException carries the code; 0 means
// one of Poco's own checks failed (say, the server offers no login method we asked for).
Kind classify(int code) {
  if (code / 100 == 4) return Kind::temporary;  // 421, 451, 452, 454: try again later
  // 530 must authenticate or use TLS first, 535 credentials refused, 538 encryption required.
  if (code == 530 || code == 535 || code == 538 || code / 100 != 5) return Kind::configuration;
  return Kind::permanent;  // 550 user unknown, 552 too big, 553, 554: this message will not go
}

Poco::Timespan timespan(std::chrono::milliseconds ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

// SMTPClientSession with what Poco 1.11 lacks: STARTTLS on a socket that was connected with a
// timeout, verifying the *configured* host name (and never going on in plain text when the
// server refuses), the EHLO reply (to choose the login method), and the final reply to DATA
// ("250 2.0.0 Ok: queued as …"), which sendMessage() discards.
class SmtpSession : public Poco::Net::SMTPClientSession {
 public:
  using SMTPClientSession::SMTPClientSession;

  std::string ehlo(const std::string& helo) {
    std::string response;
    login(helo, response);  // EHLO, or HELO when EHLO is refused
    return response;
  }

  void start_tls(const std::string& host, Poco::Net::Context::Ptr context, Poco::Timespan timeout) {
    std::string response;
    const int status = sendCommand("STARTTLS", response);
    if (status / 100 != 2) {
      throw MailError(Kind::configuration, status, "de SMTP-server weigert STARTTLS: " + response);
    }
    socket() = Poco::Net::SecureStreamSocket::attach(socket(), host, context);  // handshake and checks
    setTimeout(timeout);
    socket().setSendTimeout(timeout);
  }

  void authenticate(const std::string& capabilities, const std::string& user, const std::string& password) {
    std::string upper = capabilities;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    std::istringstream lines(upper);
    bool plain = false;
    bool login_method = false;
    for (std::string line; std::getline(lines, line);) {
      if (line.size() < 9 || line.compare(4, 4, "AUTH") != 0) continue;  // "250-AUTH PLAIN LOGIN"
      std::istringstream methods(line.substr(8));
      for (std::string method; methods >> method;) {
        plain = plain || method == "PLAIN";
        login_method = login_method || method == "LOGIN";
      }
    }
    if (plain) {
      loginUsingPlain(user, password);
    } else if (login_method) {
      loginUsingLogin(user, password);
    } else {
      throw MailError(Kind::configuration, 0, "de SMTP-server biedt geen AUTH PLAIN of LOGIN aan");
    }
  }

  std::string transfer(const std::string& message, const std::string& from, const std::string& to) {
    sendAddresses(from, {to});
    sendData();
    Poco::Net::SocketOutputStream socket_stream(socket());
    Poco::Net::MailOutputStream mail_stream(socket_stream);  // dot-stuffing and the final "."
    mail_stream << message;
    mail_stream.close();
    socket_stream.flush();
    std::string response;
    const int status = socket().receiveStatusMessage(response);
    if (status / 100 != 2) throw Poco::Net::SMTPException("het bericht is geweigerd", response, status);
    return response;
  }
};

class SmtpTransport final : public Transport {
 public:
  explicit SmtpTransport(SmtpSettings settings) : settings_(std::move(settings)) {}

  Delivery send(const Mail& mail) override {
    if (!settings_.user.empty() && !settings_.starttls) {
      throw MailError(Kind::configuration, 0,
                      "SMTP-login zonder STARTTLS: het wachtwoord zou onversleuteld over het netwerk gaan");
    }
    const Outgoing message = prepare(mail, std::time(nullptr));
    const int attempts = std::max(1, settings_.attempts);
    auto backoff = settings_.backoff;
    for (int attempt = 1;; ++attempt) {
      try {
        return {message.message_id, deliver(message.bytes, mail.from.adres, mail.to.adres)};
      } catch (const MailError& e) {
        if (e.kind() != Kind::temporary) throw;
        if (attempt >= attempts) {
          throw MailError(
              Kind::temporary, e.code(),
              std::string(e.what()) + " (na " + std::to_string(attempt) + (attempt == 1 ? " poging)" : " pogingen)"));
        }
      }
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  }

 private:
  // One attempt: a connection of its own, so that sends on several threads do not meet.
  std::string deliver(const std::string& message, const std::string& from, const std::string& to) const {
    const std::string server = "SMTP-server " + settings_.host + ":" + std::to_string(settings_.port);
    try {
      const Poco::Timespan timeout = timespan(settings_.timeout);
      Poco::Net::StreamSocket socket;
      socket.connect(Poco::Net::SocketAddress(settings_.host, settings_.port), timeout);
      socket.setSendTimeout(timeout);
      SmtpSession session(socket);
      session.setTimeout(timeout);
      session.open();  // the greeting
      std::string capabilities = session.ehlo(settings_.helo);
      if (settings_.starttls) {
        // The chain and the host name are checked; empty ca_file: the system's CAs.
        Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", settings_.ca_file,
                                   Poco::Net::Context::VERIFY_RELAXED, 9, settings_.ca_file.empty());
        session.start_tls(settings_.host, context, timeout);
        capabilities = session.ehlo(settings_.helo);  // RFC 3207 §4.2: forget what was said before
      }
      if (!settings_.user.empty()) session.authenticate(capabilities, settings_.user, settings_.password);
      const std::string reply = session.transfer(message, from, to);
      try {
        session.close();  // QUIT; the message is already accepted
      } catch (const Poco::Exception&) {
      }
      return reply;
    } catch (const MailError& e) {
      throw MailError(e.kind(), e.code(), server + ": " + e.what());
    } catch (const Poco::Net::SMTPException& e) {
      throw MailError(classify(e.code()), e.code(), server + ": " + e.message());
    } catch (const Poco::Net::SSLException& e) {  // also certificate verification failures
      throw MailError(Kind::configuration, 0, server + ": TLS: " + e.displayText());
    } catch (const Poco::Net::HostNotFoundException& e) {
      throw MailError(Kind::configuration, 0, server + ": onbekende host: " + e.displayText());
    } catch (const Poco::TimeoutException& e) {
      throw MailError(Kind::temporary, 0, server + ": geen antwoord binnen de tijd: " + e.displayText());
    } catch (const Poco::IOException& e) {  // refused or dropped connections, DNS trouble
      throw MailError(Kind::temporary, 0, server + ": " + e.displayText());
    } catch (const Poco::Exception& e) {
      throw MailError(Kind::configuration, 0, server + ": " + e.displayText());
    }
  }

  SmtpSettings settings_;
};

}  // namespace

std::unique_ptr<Transport> smtp_transport(const SmtpSettings& settings) {
  return std::make_unique<SmtpTransport>(settings);
}

}  // namespace sto
