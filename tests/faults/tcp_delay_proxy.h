#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace eventlog::faults {

// A loopback TCP proxy to `upstream_port` that can hold responses back: while a delay is
// set, every chunk from upstream waits that long before it goes to the client. Requests are
// forwarded at once, so the server acts on them (an INSERT commits) while the client, past
// its timeout, gives up. It can also drop responses (the connection closes instead: the
// client never learns that its request succeeded), and tells how many requests await their
// answer (to time a fault "mid-request"). A side that resets its connection (RST) gets the other
// side reset too, as without the proxy: a FIN would say that the request was complete. Threads: one
// acceptor, two pumps per connection.
class TcpDelayProxy {
 public:
  explicit TcpDelayProxy(int upstream_port);
  ~TcpDelayProxy();
  TcpDelayProxy(const TcpDelayProxy&) = delete;
  TcpDelayProxy& operator=(const TcpDelayProxy&) = delete;

  int port() const { return port_; }
  void SetResponseDelay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }
  void SetDropResponses(bool drop) { drop_responses_ = drop; }
  // While set, every chunk (at most 16 KiB) of a request waits this long before it goes on:
  // a slow uplink, so a big streamed body is still on the wire when a fault strikes.
  void SetRequestPause(std::chrono::microseconds pause) { request_pause_us_ = pause.count(); }
  // Request bytes forwarded upstream so far (to time a fault "mid-body").
  int64_t request_bytes() const { return request_bytes_; }
  // While set, nothing is forwarded either way and nothing is closed: the bytes wait in the
  // sockets' buffers, as if the network silently dropped every packet past the kernel (a stuck
  // balancer, a frozen server). New connections are accepted and hang the same way. Cleared,
  // everything held back flows on.
  // With `on`, returns once no pump is still forwarding a chunk it read before: from then on
  // nothing crosses in either direction.
  void SetBlackhole(bool on);
  int64_t connections() const { return connections_; }
  int64_t dropped_responses() const { return dropped_responses_; }
  // Connections whose request went upstream and whose answer has not begun yet.
  int64_t awaiting_responses() const { return awaiting_; }
  int64_t delayed_responses() const { return delayed_responses_; }

 private:
  void AcceptLoop();
  void Serve(int client_fd);
  void Pump(int from_fd, int to_fd, bool is_response, std::atomic<bool>& awaiting,
            std::atomic<bool>& reset);

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> delay_ms_{0};
  std::atomic<int64_t> request_pause_us_{0};
  std::atomic<int64_t> request_bytes_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> delayed_responses_{0};
  std::atomic<bool> drop_responses_{false};
  std::atomic<bool> blackhole_{false};
  std::atomic<int> forwarding_{0};  // pumps between reading a chunk and sending it on
  std::atomic<int64_t> dropped_responses_{0};
  std::atomic<int64_t> awaiting_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;  // GUARDED_BY(mu_)
  std::vector<int> open_fds_;         // GUARDED_BY(mu_), shut down on destruction
};

}  // namespace eventlog::faults
