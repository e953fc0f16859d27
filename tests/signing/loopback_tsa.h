// Test support: a real HTTP server on loopback answering RFC 3161 requests with `openssl ts
// -reply` (an independent TSA implementation), or refusing with a fixed status. It signs with
// DIR/tsa.pem + DIR/tsa.key and puts DIR/ca.pem in its tokens; it records the request targets.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "run.h"
#include "scratch.h"

namespace sto::test {

class LoopbackTsa {
 public:
  LoopbackTsa(const std::filesystem::path& dir, int status)
      : shared_(std::make_shared<Shared>(dir, status)),
        socket_(Poco::Net::SocketAddress("127.0.0.1", 0)),
        server_(new Factory(shared_), socket_, new Poco::Net::HTTPServerParams) {
    spill(dir / "serial", "01\n");
    spill(dir / "tsa.cnf", "[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = " + (dir / "serial").string() +
                               "\nsigner_cert = " + (dir / "tsa.pem").string() + "\ncerts = " +
                               (dir / "ca.pem").string() + "\nsigner_key = " + (dir / "tsa.key").string() +
                               "\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\n"
                               "ess_cert_id_alg = sha256\naccuracy = secs:1\n");
    server_.start();
  }
  ~LoopbackTsa() { server_.stop(); }
  LoopbackTsa(const LoopbackTsa&) = delete;
  LoopbackTsa& operator=(const LoopbackTsa&) = delete;

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()); }
  std::string url() const { return origin() + "/tsa"; }
  std::vector<std::string> targets() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->targets;
  }

 private:
  struct Shared {
    Shared(std::filesystem::path d, int s) : dir(std::move(d)), status(s) {}
    std::filesystem::path dir;
    int status;
    std::vector<std::string> targets;
    std::mutex mutex;
  };

  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      std::lock_guard lock(s_->mutex);
      s_->targets.push_back(request.getURI());
      std::string query;
      Poco::StreamCopier::copyToString(request.stream(), query);
      if (s_->status != 200 || request.getContentType() != "application/timestamp-query") {
        response.setStatusAndReason(
            static_cast<Poco::Net::HTTPResponse::HTTPStatus>(s_->status != 200 ? s_->status : 415));
        response.send() << "nee";
        return;
      }
      spill(s_->dir / "query.tsq", query);
      run_program({"/usr/bin/openssl", "ts", "-reply", "-config", (s_->dir / "tsa.cnf").string(), "-queryfile",
                   (s_->dir / "query.tsq").string(), "-out", (s_->dir / "reply.tsr").string()});
      response.setContentType("application/timestamp-reply");
      response.send() << slurp(s_->dir / "reply.tsr");
    }

   private:
    std::shared_ptr<Shared> s_;
  };

  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(s_);
    }

   private:
    std::shared_ptr<Shared> s_;
  };

  std::shared_ptr<Shared> shared_;
  Poco::Net::ServerSocket socket_;
  Poco::Net::HTTPServer server_;
};

// An RSA-4096 CA and a TSA certificate issued by it, in `dir` (ca.pem, tsa.pem, tsa.key), made
// with the openssl command line: tokens of an ordinary external TSA, about 5 KB.
inline void make_rsa_tsa(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto p = [&](const char* f) { return (dir / f).string(); };
  spill(dir / "tsa.ext",
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n");
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:4096", "-nodes", "-keyout", p("ca.key"), "-out",
            p("ca.pem"), "-days", "3650", "-subj", "/C=NL/O=Externe TSA/CN=Externe TSA Root"},
           {"/usr/bin/openssl", "req", "-newkey", "rsa:4096", "-nodes", "-keyout", p("tsa.key"), "-out", p("tsa.csr"),
            "-subj", "/C=NL/O=Externe TSA/CN=Externe TSA Tijdstempels"},
           {"/usr/bin/openssl", "x509", "-req", "-in", p("tsa.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
            "-CAcreateserial", "-out", p("tsa.pem"), "-days", "3650", "-extfile", p("tsa.ext")}}) {
    const auto r = run_program(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
}

}  // namespace sto::test
