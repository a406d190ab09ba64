#include "service/deadline_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace eventlog {
namespace {

int MillisUntil(DeadlineStream::Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - DeadlineStream::Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, int64_t{60} * 60 * 1000));
}

bool PollOne(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  int r = 0;
  do {
    r = poll(&p, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

void IpAndPort(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
    port = ntohs(a.sin6_port);
  }
  ip = text;
}

}  // namespace

DeadlineStream::DeadlineStream(int fd, const ConnectionLimits& limits,
                               const ShutdownState& shutdown)
    : fd_(fd), limits_(limits), shutdown_(shutdown) {}

void DeadlineStream::BeginRequest() {
  started_ = false;
  timed_out_ = false;
  over_cap_ = false;
  wire_bytes_ = 0;
  deadline_ = Clock::now() + limits_.request_timeout;
}

DeadlineStream::Clock::time_point DeadlineStream::Deadline() const {
  if (!shutdown_.stopping.load()) return deadline_;
  Clock::time_point drain{Clock::duration(shutdown_.drain_deadline.load())};
  return std::min(deadline_, drain);
}

bool DeadlineStream::WaitReadable() {
  for (;;) {
    bool stopping = shutdown_.stopping.load();
    if (stopping && !started_) {  // between requests at shutdown: end the connection
      eof_ = true;
      return false;
    }
    int timeout_ms = MillisUntil(Deadline());
    if (timeout_ms == 0) {
      // An idle connection that sends nothing just ends; a request cut off midway is late.
      timed_out_ = started_;
      eof_ = !started_;
      return false;
    }
    std::array<pollfd, 2> fds{{{fd_, POLLIN, 0}, {shutdown_.wake_fd, POLLIN, 0}}};
    nfds_t n = stopping || shutdown_.wake_fd < 0 ? 1 : 2;
    int r = poll(fds.data(), n, timeout_ms);
    if (r < 0 && errno != EINTR) return false;
    if (r > 0 && fds[0].revents != 0) return true;  // data, or an error recv() will report
  }
}

ssize_t DeadlineStream::read(char* ptr, size_t size) {
  if (buf_pos_ == buf_len_) {
    if (!WaitReadable()) return eof_ ? 0 : -1;
    ssize_t n = 0;
    do {
      n = recv(fd_, buf_.data(), buf_.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return n;
    buf_pos_ = 0;
    buf_len_ = static_cast<size_t>(n);
  }
  if (wire_bytes_ >= limits_.max_request_wire_bytes) {
    over_cap_ = true;
    return -1;
  }
  size_t n = std::min({size, buf_len_ - buf_pos_, limits_.max_request_wire_bytes - wire_bytes_});
  std::memcpy(ptr, buf_.data() + buf_pos_, n);
  buf_pos_ += n;
  wire_bytes_ += n;
  if (!started_) {
    started_ = true;
    deadline_ = Clock::now() + limits_.request_timeout;
  }
  return static_cast<ssize_t>(n);
}

ssize_t DeadlineStream::write(const char* ptr, size_t size) {
  auto timeout_ms = static_cast<int>(limits_.write_timeout.count());
  if (!PollOne(fd_, POLLOUT, timeout_ms)) return -1;
  ssize_t n = 0;
  do {
    n = send(fd_, ptr, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

bool DeadlineStream::is_readable() const { return buf_pos_ < buf_len_ || PollOne(fd_, POLLIN, 0); }

bool DeadlineStream::is_writable() const { return PollOne(fd_, POLLOUT, 0); }

void DeadlineStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) IpAndPort(addr, ip, port);
}

void DeadlineStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) IpAndPort(addr, ip, port);
}

}  // namespace eventlog
