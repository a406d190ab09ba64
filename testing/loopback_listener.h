#pragma once

#include <atomic>
#include <thread>

namespace eventlog::testing {

// A TCP socket of the test's own on 127.0.0.1 and a free port, for the client side's failures
// without a server: kRefuse frees the port again (connections are refused), kSilent listens and
// never answers (the kernel completes the handshake), kHangUp accepts each connection and closes
// it at once, counting them.
class LoopbackListener {
 public:
  enum class Mode { kRefuse, kSilent, kHangUp };
  explicit LoopbackListener(Mode mode);
  ~LoopbackListener();
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int port() const { return port_; }
  int connections() const { return connections_.load(); }  // accepted so far (kHangUp)

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
};

}  // namespace eventlog::testing
