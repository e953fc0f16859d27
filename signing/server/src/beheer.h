// Private to signing/server: the penvoerder's pages under /beheer (see sto/server.h for the
// routes and docs/beheer.md for what a penvoerder does with them).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "http.h"
#include "sto/workflow.h"

namespace sto {

class Beheer {
 public:
  // `templates` holds the regulations an upload is checked against and what the archive is
  // rendered from; `https`: the session cookie is Secure.
  Beheer(Werkruimte& werkruimte, std::filesystem::path templates, bool https);
  ~Beheer();
  Beheer(const Beheer&) = delete;
  Beheer& operator=(const Beheer&) = delete;

  // Answers a request whose path is /beheer or under it, reading its body when it is a POST.
  // Returns the path as the access log may show it (never a value the client made up).
  std::string handle(http::HTTPServerRequest& req, http::HTTPServerResponse& res, const Actor& who);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sto
