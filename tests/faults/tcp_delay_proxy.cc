#include "tests/faults/tcp_delay_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

namespace eventlog::faults {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

bool SendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

TcpDelayProxy::TcpDelayProxy(int upstream_port) : upstream_port_(upstream_port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = Loopback(0);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("proxy: cannot listen on loopback");
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpDelayProxy::~TcpDelayProxy() {
  stop_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  close(listen_fd_);
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

void TcpDelayProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    ++connections_;
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, client] { Serve(client); });
  }
}

void TcpDelayProxy::Serve(int client_fd) {
  int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = Loopback(upstream_port_);
  if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(upstream);
    close(client_fd);
    return;
  }
  int one = 1;
  setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  {
    std::lock_guard lock(mu_);
    open_fds_.push_back(client_fd);
    open_fds_.push_back(upstream);
  }
  std::atomic<bool> awaiting{false};
  std::atomic<bool> reset{false};
  std::thread responses([&] { Pump(upstream, client_fd, true, awaiting, reset); });
  Pump(client_fd, upstream, false, awaiting, reset);
  responses.join();
  if (awaiting.exchange(false)) --awaiting_;
  std::lock_guard lock(mu_);
  std::erase_if(open_fds_, [&](int fd) { return fd == client_fd || fd == upstream; });
  close(client_fd);
  close(upstream);
}

// Counts a pump as forwarding while it lives (see SetBlackhole).
class ForwardingScope {
 public:
  explicit ForwardingScope(std::atomic<int>& count) : count_(count) { ++count_; }
  ~ForwardingScope() { --count_; }
  ForwardingScope(const ForwardingScope&) = delete;
  ForwardingScope& operator=(const ForwardingScope&) = delete;

 private:
  std::atomic<int>& count_;
};

void TcpDelayProxy::SetBlackhole(bool on) {
  blackhole_ = on;
  // A pump that read a chunk before the flag was set still sends it: wait until none does.
  while (on && forwarding_.load() > 0) std::this_thread::yield();
}

// Copies until either side closes, then shuts both down so the other pump ends too.
void TcpDelayProxy::Pump(int from_fd, int to_fd, bool is_response, std::atomic<bool>& awaiting,
                         std::atomic<bool>& reset) {
  char buf[16384];
  while (!stop_) {
    if (blackhole_) {
      // Injected fault: read nothing while it lasts, and look again shortly.
      pollfd p{from_fd, 0, 0};
      poll(&p, 1, 50);
      continue;
    }
    pollfd p{from_fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;  // re-check the blackhole and stop flags
    ForwardingScope forwarding(forwarding_);
    if (blackhole_) continue;  // set while we polled: SetBlackhole may be waiting for us
    ssize_t n = recv(from_fd, buf, sizeof buf, 0);
    if (n < 0 && errno == ECONNRESET && !reset.exchange(true)) {
      // The peer reset its side: reset the other side too (a FIN instead would tell the other
      // end that everything was sent). No FIN goes out (no SHUT_WR); SHUT_RD wakes the other
      // pump, and the close in Serve sends the RST.
      linger hard{1, 0};
      setsockopt(to_fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      shutdown(to_fd, SHUT_RD);
      return;
    }
    if (n <= 0) break;
    if (is_response && awaiting.exchange(false)) --awaiting_;
    if (is_response && drop_responses_) {
      ++dropped_responses_;
      break;
    }
    int64_t delay_ms = is_response ? delay_ms_.load() : 0;
    if (delay_ms > 0) {
      ++delayed_responses_;
      // Injected latency, not a wait for a condition: hold the response, then send it.
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    }
    int64_t pause_us = is_response ? 0 : request_pause_us_.load();
    if (pause_us > 0) {
      // Injected slowness of the uplink, not a wait for a condition.
      std::this_thread::sleep_for(std::chrono::microseconds(pause_us));
    }
    if (!SendAll(to_fd, buf, static_cast<size_t>(n))) break;
    if (!is_response) request_bytes_ += n;
    if (!is_response && !awaiting.exchange(true)) ++awaiting_;
  }
  if (reset) return;  // the other pump arranged a RST: no FIN
  shutdown(from_fd, SHUT_RDWR);
  shutdown(to_fd, SHUT_RDWR);
}

}  // namespace eventlog::faults
