// An external RFC 3161 timestamp authority, asked over HTTP(S) with Poco::Net.
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/URI.h>

#include <istream>
#include <ostream>

#include "handles.h"
#include "sto/diagnostics.h"
#include "sto/pki.h"

namespace sto {

namespace {

// A timestamp response is a few kilobytes; anything far larger is not one.
constexpr std::size_t kMaxResponse = 256 * 1024;

class HttpTsa final : public TimestampAuthority {
 public:
  HttpTsa(std::string url, std::string trusted_pem, std::chrono::seconds timeout)
      : uri_(url),
        url_(std::move(url)),
        trusted_pem_(std::move(trusted_pem)),
        trusted_(detail::read_certificate(trusted_pem_, "het vertrouwde TSA-certificaat")),
        timeout_(timeout) {
    if (uri_.getScheme() != "http" && uri_.getScheme() != "https") {
      throw Error("tijdstempeldienst: alleen http:// of https://, niet " + url_);
    }
  }

  std::string timestamp(std::string_view sha256) override {
    const auto request = detail::timestamp_request(sha256);
    const std::string body = detail::request_der(request.get());
    const std::string reply = post(body);
    const auto* p = reinterpret_cast<const unsigned char*>(reply.data());
    detail::TsResponse response(d2i_TS_RESP(nullptr, &p, static_cast<long>(reply.size())));
    if (!response) throw_openssl_error("tijdstempeldienst " + url_ + " gaf geen RFC 3161-antwoord");
    return detail::check_response(request.get(), response.get(), trusted_.get());
  }

  std::string certificate_pem() const override { return trusted_pem_; }
  std::size_t token_room() const override { return 6144; }

 private:
  std::string post(const std::string& body) const {
    try {
      std::unique_ptr<Poco::Net::HTTPClientSession> session;
      if (uri_.getScheme() == "https") {
        // The system's CA certificates, full verification of the server.
        Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                                                 Poco::Net::Context::VERIFY_RELAXED, 9, true);
        session = std::make_unique<Poco::Net::HTTPSClientSession>(uri_.getHost(), uri_.getPort(), context);
      } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri_.getHost(), uri_.getPort());
      }
      session->setTimeout(Poco::Timespan(static_cast<long>(timeout_.count()), 0));
      // Public TSAs are often given as "http://host" alone; the request target is then "/".
      const std::string target = uri_.getPathAndQuery().empty() ? "/" : uri_.getPathAndQuery();
      Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, target, Poco::Net::HTTPMessage::HTTP_1_1);
      request.setContentType("application/timestamp-query");  // RFC 3161 §3.4
      request.setContentLength(static_cast<std::streamsize>(body.size()));
      session->sendRequest(request) << body;
      Poco::Net::HTTPResponse response;
      std::istream& in = session->receiveResponse(response);
      if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
        throw Error("tijdstempeldienst " + url_ + " antwoordde " + std::to_string(response.getStatus()) + " " +
                    response.getReason());
      }
      std::string reply;
      char buffer[8192];
      while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        reply.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (reply.size() > kMaxResponse) throw Error("tijdstempeldienst " + url_ + ": antwoord te groot");
      }
      return reply;
    } catch (const Poco::Exception& e) {
      throw Error("tijdstempeldienst " + url_ + " niet bereikbaar: " + e.displayText());
    }
  }

  Poco::URI uri_;
  std::string url_;
  std::string trusted_pem_;
  ossl::Certificate trusted_;
  std::chrono::seconds timeout_;
};

}  // namespace

std::unique_ptr<TimestampAuthority> http_tsa(std::string url, std::string trusted_pem, std::chrono::seconds timeout) {
  try {
    return std::make_unique<HttpTsa>(std::move(url), std::move(trusted_pem), timeout);
  } catch (const Poco::Exception& e) {
    throw Error("ongeldige URL voor de tijdstempeldienst: " + e.displayText());
  }
}

}  // namespace sto
