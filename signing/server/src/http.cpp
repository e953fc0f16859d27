#include "http.h"

#include <Poco/Net/NameValueCollection.h>

#include <sstream>

#include "guard.h"
#include "sto/utf8.h"

namespace sto::http {

void secure(HTTPServerResponse& res, const std::string& policy) {
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy", policy);
  res.set("Cache-Control", "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
}

void send(HTTPServerResponse& res, HTTPResponse::HTTPStatus status, const std::string& type, std::string_view body,
          const std::string& policy) {
  res.setStatusAndReason(status);
  secure(res, policy);
  res.setContentType(type);
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  sending(body.size());
  res.send().write(body.data(), static_cast<std::streamsize>(body.size()));
}

void see_other(HTTPServerResponse& res, const std::string& location, const std::string& policy) {
  secure(res, policy);
  res.setContentLength(0);
  res.redirect(location, HTTPResponse::HTTP_SEE_OTHER);
}

std::optional<std::string> body(HTTPServerRequest& req, std::size_t limit) {
  const auto max = static_cast<std::streamsize>(limit);
  if (req.hasContentLength() && req.getContentLength64() > max) return std::nullopt;
  expect_body(req.hasContentLength() ? req.getContentLength64() : max);
  std::string data(limit + 1, '\0');
  req.stream().read(data.data(), max + 1);
  working();
  const std::streamsize got = req.stream().gcount();
  if (got > max) return std::nullopt;
  data.resize(static_cast<std::size_t>(got));
  return data;
}

std::unique_ptr<Poco::Net::HTMLForm> form(std::string_view body, int max_fields) {
  auto parsed = std::make_unique<Poco::Net::HTMLForm>();
  parsed->setFieldLimit(max_fields);
  parsed->setValueLengthLimit(4096);
  std::istringstream in{std::string(body)};
  try {
    parsed->read(in);
  } catch (const Poco::Exception&) {  // HTMLFormException, or a SyntaxException from "%ZZ"
    return nullptr;
  }
  if (!utf8_fields(*parsed)) return nullptr;
  return parsed;
}

bool utf8_fields(const Poco::Net::NameValueCollection& fields) {
  for (const auto& [name, value] : fields) {
    if (!is_utf8(name) || !is_utf8(value)) return false;
  }
  return true;
}

std::string cookie(const HTTPServerRequest& req, const std::string& name) {
  Poco::Net::NameValueCollection cookies;
  req.getCookies(cookies);
  return cookies.get(name, "");
}

}  // namespace sto::http
