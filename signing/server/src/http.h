// Private to signing/server: what the signing pages and the penvoerder's pages answer alike.
#pragma once

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sto::http {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

// The headers every answer carries: no referrer, `policy` as Content-Security-Policy, no
// caching, no sniffing, no framing.
void secure(HTTPServerResponse& res, const std::string& policy);

// Sends `body` with `status` and `type` after secure().
void send(HTTPServerResponse& res, HTTPResponse::HTTPStatus status, const std::string& type, std::string_view body,
          const std::string& policy);

// 303 to `location` (a path of ours), with an empty body.
void see_other(HTTPServerResponse& res, const std::string& location, const std::string& policy);

// The request's body, at most `limit` bytes; nullopt when it is longer (the rest stays unread:
// the caller closes the connection).
std::optional<std::string> body(HTTPServerRequest& req, std::size_t limit);

// The url-encoded form in `body`, at most `max_fields` fields of at most 4096 bytes; nullptr when
// it is malformed (a bad %-escape, too many or too long fields) or a name or value is not UTF-8:
// what no browser sends, answered 400 rather than carried into a page, a log or a signature.
std::unique_ptr<Poco::Net::HTMLForm> form(std::string_view body, int max_fields);

// Whether every name and value of `fields` is valid UTF-8 (see form).
bool utf8_fields(const Poco::Net::NameValueCollection& fields);

// The value of cookie `name`, empty when absent.
std::string cookie(const HTTPServerRequest& req, const std::string& name);

}  // namespace sto::http
