#pragma once

#include <httplib.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

namespace eventlog {

// What every connection of one server shares: the limits, and the shutdown state.
struct ConnectionLimits {
  std::chrono::milliseconds request_timeout{5000};     // first byte -> whole request read
  std::chrono::milliseconds write_timeout{5000};       // one response written
  size_t max_request_wire_bytes = size_t{256} * 1024;  // head + body as sent, framing included
};

// Set once by the server's Stop(); every connection's reads watch it.
struct ShutdownState {
  std::atomic<bool> stopping{false};
  // Past this (steady_clock ticks), requests still being read are cut off.
  std::atomic<std::chrono::steady_clock::rep> drain_deadline{0};
  int wake_fd = -1;  // an eventfd that becomes readable on Stop()
};

// httplib's Stream over an accepted socket, with what httplib's SocketStream lacks: a deadline
// for the whole request (httplib only times out each read, so a client that sends a byte every
// second is never cut off) and a cap on the bytes one request may send (httplib reads a request
// line or header line whole before checking its length). A read past either fails, and
// timed_out() / over_cap() say why. Not thread-safe: one per connection, on its worker.
class DeadlineStream : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;
  DeadlineStream(int fd, const ConnectionLimits& limits, const ShutdownState& shutdown);

  // Starts the next request on this connection: its first byte must come within the request
  // timeout; the deadline then runs from that byte.
  void BeginRequest();
  bool timed_out() const { return timed_out_; }
  bool over_cap() const { return over_cap_; }
  // True once a byte of the current request has been read.
  bool started() const { return started_; }

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  // Waits until the socket is readable; false at the deadline or, before a request has
  // started, at shutdown (then eof_ is set).
  bool WaitReadable();
  Clock::time_point Deadline() const;

  const int fd_;
  const ConnectionLimits& limits_;
  const ShutdownState& shutdown_;
  Clock::time_point deadline_;
  bool started_ = false;
  bool timed_out_ = false;
  bool over_cap_ = false;
  bool eof_ = false;
  size_t wire_bytes_ = 0;
  std::array<char, 4096> buf_{};
  size_t buf_pos_ = 0;
  size_t buf_len_ = 0;
};

}  // namespace eventlog
