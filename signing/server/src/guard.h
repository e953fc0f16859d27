// Private to signing/server: deadlines per connection and a cap per client address, so that slow
// or idle clients cannot hold the worker threads.
//
// Poco's HTTP server gives each open connection a thread, and its timeouts apply to each read:
// a client sending one header byte every few seconds, or many connections sending nothing,
// would hold every thread for as long as it likes. So a connection has a deadline for what it
// is waiting for, kept here and enforced by one watchdog thread that shuts the connection's
// socket down when it passes (the blocked read returns, the thread is free again):
//   the request's header      5 s from the connection's start or from the previous answer;
//   a body we read            10 s plus 1 s per 64 KiB (at least 64 KiB/s after the first 10 s);
//   our own work and answer   120 s, plus 1 s per 64 KiB of the answer when it is sent (so a
//                             client that does not read its answer is let go, a slow one not).
// And one client address holds at most `per_address` connections at once; more are closed
// when accepted (not behind a trusted proxy, whose address is everyone's, nor from 127.0.0.1 or
// ::1, where a proxy on the same machine connects from).
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace sto::http {

struct GuardLimits {
  std::int64_t header_ms = 5'000;
  std::int64_t body_base_ms = 10'000;
  std::int64_t body_bytes_per_s = 64 * 1024;
  std::int64_t work_ms = 120'000;
  int per_address = 16;  // 0: no cap
};

class Guard {
 public:
  explicit Guard(GuardLimits limits);
  ~Guard();  // stops the watchdog; shuts every connection still open down
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

  // The connection factory for a Poco::Net::TCPServer: Poco's HTTP connections, guarded.
  Poco::Net::TCPServerConnectionFactory::Ptr factory(Poco::Net::HTTPServerParams::Ptr params,
                                                     Poco::Net::HTTPRequestHandlerFactory::Ptr handlers);
  // Refuses a connection from an address that holds per_address already (TCPServer's filter).
  Poco::Net::TCPServerConnectionFilter::Ptr filter();

  // Shuts every open connection down (stopping the server).
  void shut_all();

  // How many connections were closed for a passed deadline, and refused for their address.
  std::size_t timed_out() const;
  std::size_t refused() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// What the connection this thread serves waits for now (nothing happens outside one).
void expect_body(std::int64_t length);  // a body of `length` bytes is read next (-1: unknown)
void working();                         // the request is read: our work and the answer
void sending(std::size_t bytes);        // an answer of `bytes` goes out now (at least 64 KiB/s)
void awaiting_request();                // the answer is out: the next request's header

}  // namespace sto::http
