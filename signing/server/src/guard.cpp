#include "guard.h"

#include <sys/socket.h>
#include <unistd.h>

#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace sto::http {

namespace {

std::int64_t monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string address_of(const Poco::Net::StreamSocket& socket) {
  try {
    return socket.peerAddress().host().toString();
  } catch (const Poco::Exception&) {  // gone already
    return {};
  }
}

}  // namespace

struct Guard::State {
  struct Connection {
    // A descriptor of our own for the connection's socket: shutdown(2) on it reaches the socket,
    // and its number cannot be reused by another connection before leave() closes it (Poco's
    // may be closed and reused while the watchdog looks).
    int fd = -1;
    std::string address;
    std::atomic<std::int64_t> deadline_ms{0};  // 0: none
    bool shut = false;                         // under mutex
  };

  GuardLimits limits;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::set<Connection*> open;
  std::map<std::string, int> per_address;
  std::atomic<std::size_t> timed_out{0};
  std::atomic<std::size_t> refused{0};
  std::thread watchdog;

  // This machine's own address is a proxy in front (or a test, or a benchmark): never capped.
  bool full(const std::string& address) const {
    if (limits.per_address <= 0 || address.empty() || address == "127.0.0.1" || address == "::1") return false;
    const auto it = per_address.find(address);
    return it != per_address.end() && it->second >= limits.per_address;
  }

  bool enter(Connection& c) {
    const std::lock_guard lock(mutex);
    if (stopping || full(c.address)) return false;
    ++per_address[c.address];
    open.insert(&c);
    return true;
  }

  void leave(Connection& c) {
    const std::lock_guard lock(mutex);
    open.erase(&c);
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    if (const auto it = per_address.find(c.address); it != per_address.end() && --it->second <= 0) {
      per_address.erase(it);
    }
  }

  // A shutdown(2) of the descriptor, not Poco's shutdown: that would write a TLS close_notify
  // from this thread while the connection's own thread may be inside OpenSSL.
  static void shut(Connection& c) {
    if (c.shut || c.fd < 0) return;
    c.shut = true;
    ::shutdown(c.fd, SHUT_RDWR);
  }

  void watch() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      wake.wait_for(lock, std::chrono::milliseconds(200));
      const std::int64_t now = monotonic_ms();
      for (Connection* c : open) {
        const std::int64_t deadline = c->deadline_ms.load();
        if (deadline != 0 && now > deadline && !c->shut) {
          shut(*c);
          ++timed_out;
        }
      }
    }
  }
};

namespace {

thread_local Guard::State* t_state = nullptr;
thread_local Guard::State::Connection* t_connection = nullptr;

void set_deadline(std::int64_t from_now_ms) {
  if (t_connection != nullptr) t_connection->deadline_ms = monotonic_ms() + from_now_ms;
}

class GuardedConnection final : public Poco::Net::HTTPServerConnection {
 public:
  GuardedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, std::shared_ptr<Guard::State> state)
      : HTTPServerConnection(socket, params, handlers), state_(std::move(state)) {}

  void run() override {
    Guard::State::Connection c;
    c.address = address_of(socket());
    c.deadline_ms = monotonic_ms() + state_->limits.header_ms;
    if (!state_->enter(c)) {
      ++state_->refused;
      return;  // the socket closes with this connection
    }
    {
      const std::lock_guard lock(state_->mutex);
      c.fd = ::dup(socket().impl()->sockfd());
    }
    t_state = state_.get();
    t_connection = &c;
    try {
      HTTPServerConnection::run();
    } catch (...) {  // a connection's end is never the server's
    }
    t_connection = nullptr;
    t_state = nullptr;
    state_->leave(c);
  }

 private:
  std::shared_ptr<Guard::State> state_;
};

class GuardedFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  GuardedFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                 std::shared_ptr<Guard::State> state)
      : params_(std::move(params)), handlers_(std::move(handlers)), state_(std::move(state)) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new GuardedConnection(socket, params_, handlers_, state_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  std::shared_ptr<Guard::State> state_;
};

class AddressFilter final : public Poco::Net::TCPServerConnectionFilter {
 public:
  explicit AddressFilter(std::shared_ptr<Guard::State> state) : state_(std::move(state)) {}
  bool accept(const Poco::Net::StreamSocket& socket) override {
    const std::string address = address_of(socket);
    const std::lock_guard lock(state_->mutex);
    if (!state_->full(address)) return true;
    ++state_->refused;
    return false;
  }

 private:
  std::shared_ptr<Guard::State> state_;
};

}  // namespace

Guard::Guard(GuardLimits limits) : state_(std::make_shared<State>()) {
  state_->limits = limits;
  state_->watchdog = std::thread([s = state_.get()] { s->watch(); });
}

Guard::~Guard() {
  {
    const std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    for (State::Connection* c : state_->open) State::shut(*c);
  }
  state_->wake.notify_all();
  state_->watchdog.join();
}

Poco::Net::TCPServerConnectionFactory::Ptr Guard::factory(Poco::Net::HTTPServerParams::Ptr params,
                                                          Poco::Net::HTTPRequestHandlerFactory::Ptr handlers) {
  return new GuardedFactory(std::move(params), std::move(handlers), state_);
}

Poco::Net::TCPServerConnectionFilter::Ptr Guard::filter() { return new AddressFilter(state_); }

void Guard::shut_all() {
  const std::lock_guard lock(state_->mutex);
  for (State::Connection* c : state_->open) State::shut(*c);
}

std::size_t Guard::timed_out() const { return state_->timed_out; }
std::size_t Guard::refused() const { return state_->refused; }

void expect_body(std::int64_t length) {
  if (t_state == nullptr) return;
  const GuardLimits& l = t_state->limits;
  set_deadline(l.body_base_ms + (length > 0 ? length * 1000 / l.body_bytes_per_s : 0));
}

void working() {
  if (t_state != nullptr) set_deadline(t_state->limits.work_ms);
}

void sending(std::size_t bytes) {
  if (t_state == nullptr) return;
  const GuardLimits& l = t_state->limits;
  set_deadline(l.work_ms + static_cast<std::int64_t>(bytes) * 1000 / l.body_bytes_per_s);
}

void awaiting_request() {
  if (t_state != nullptr) set_deadline(t_state->limits.header_ms);
}

}  // namespace sto::http
