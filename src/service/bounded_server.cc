#include "service/bounded_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "observe/logger.h"
#include "service/bounded_task_queue.h"

namespace eventlog {
namespace {

using Clock = std::chrono::steady_clock;

thread_local ConnectionControl* t_connection = nullptr;
// True while the accept thread runs a task the full queue turned away: the task is
// process_and_close_socket(sock), which then answers 503 instead of serving.
thread_local bool t_rejecting = false;

constexpr auto kLingerTime = std::chrono::milliseconds(500);
constexpr size_t kLingerBytes = size_t{256} * 1024;
constexpr size_t kKeepAliveMaxRequests = 100;

// Answers 503 without reading the request; never blocks (runs on the accept thread).
void RejectBusy(int sock) {
  static const std::string kBody = R"({"error":"server busy, retry later"})";
  static const std::string kResponse =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(kBody.size()) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + kBody;
  (void)send(sock, kResponse.data(), kResponse.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  shutdown(sock, SHUT_WR);
  close(sock);
  // Under a flood, one line every few seconds says how many were turned away.
  static std::atomic<uint64_t> rejected{0};
  static std::atomic<Clock::rep> last_logged{0};
  uint64_t total = ++rejected;
  auto now = Clock::now().time_since_epoch().count();
  auto last = last_logged.load();
  if (now - last > Clock::duration(std::chrono::seconds(5)).count() &&
      last_logged.compare_exchange_strong(last, now)) {
    log::Warn("eventlog.http", "server busy: connection answered 503", {{"rejected", total}});
  }
}

// For a request cut off before its request line was in (httplib then answers nothing).
void WriteCutOffResponse(DeadlineStream& strm) {
  std::string body = strm.timed_out() ? R"({"error":"request not received in time"})"
                                      : R"({"error":"request over the size limit"})";
  std::string response =
      std::string(strm.timed_out() ? "HTTP/1.1 408 Request Timeout"
                                   : "HTTP/1.1 413 Payload Too Large") +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  (void)strm.write(response.data(), response.size());
}

// Closes after the response has been sent: stops sending, then reads (and drops) what the
// client still sends for a short while, so that closing with unread input does not reset the
// connection before the client has read our answer.
void LingeringClose(int sock) {
  shutdown(sock, SHUT_WR);
  auto until = Clock::now() + kLingerTime;
  size_t dropped = 0;
  char buf[4096];
  while (dropped < kLingerBytes) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    pollfd p{sock, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = recv(sock, buf, sizeof buf, 0);
    if (n <= 0) break;
    dropped += static_cast<size_t>(n);
  }
  close(sock);
}

}  // namespace

ConnectionControl* CurrentConnection() { return t_connection; }

BoundedServer::BoundedServer(const ConnectionLimits& limits, size_t threads, size_t queue)
    : limits_(limits) {
  shutdown_.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // The accept loop wakes every 100 ms so that a Stop() that came before listen() started
  // (httplib's stop() is then a no-op) still ends it.
  set_idle_interval(0, 100000);
  new_task_queue = [this, threads, queue] {
    return new BoundedTaskQueue(
        threads, queue,
        [](const BoundedTaskQueue::Task& task) {
          t_rejecting = true;
          task();
          t_rejecting = false;
        },
        [this] {
          if (shutdown_.stopping.load()) CloseListener();
        });
  };
  auto request_s = std::chrono::duration_cast<std::chrono::seconds>(limits.request_timeout);
  set_keep_alive_timeout(std::max<time_t>(1, request_s.count()));
  set_keep_alive_max_count(kKeepAliveMaxRequests);
  // Tell the client when we will close after this response.
  set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
    ConnectionControl* c = CurrentConnection();
    if (c != nullptr && (c->close_after_response || c->stream->timed_out() ||
                         c->stream->over_cap() || shutdown_.stopping.load())) {
      c->close_after_response = true;
      res.headers.erase("Keep-Alive");
      res.set_header("Connection", "close");
    }
  });
}

BoundedServer::~BoundedServer() {
  if (shutdown_.wake_fd >= 0) close(shutdown_.wake_fd);
}

void BoundedServer::Stop(std::chrono::milliseconds drain) {
  shutdown_.drain_deadline = (Clock::now() + drain).time_since_epoch().count();
  shutdown_.stopping = true;
  uint64_t one = 1;
  if (shutdown_.wake_fd >= 0) (void)::write(shutdown_.wake_fd, &one, sizeof one);
  CloseListener();
}

int BoundedServer::Bind(const std::string& host, int port) {
  int bound = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  // Linux applies a second listen() to the listening socket as a new backlog.
  if (bound > 0 && ::listen(svr_sock_, SOMAXCONN) != 0) return -1;
  return bound;
}

void BoundedServer::CloseListener() {
  // httplib's stop() does nothing before listen() runs (the accept loop's idle tick calls us
  // again then), and asserts when called twice.
  if (is_running() && !listener_closed_.exchange(true)) stop();
}

bool BoundedServer::process_and_close_socket(socket_t sock) {
  if (t_rejecting) {
    RejectBusy(sock);
  } else {
    ServeConnection(sock);
  }
  return true;
}

void BoundedServer::ServeConnection(int sock) {
  DeadlineStream strm(sock, limits_, shutdown_);
  ConnectionControl control{&strm};
  t_connection = &control;
  for (size_t served = 1;; ++served) {
    strm.BeginRequest();
    control.close_after_response = false;
    bool last = served >= kKeepAliveMaxRequests || shutdown_.stopping.load();
    bool client_closes = false;
    if (!process_request(strm, last, client_closes, nullptr)) {
      if (strm.timed_out() || strm.over_cap()) WriteCutOffResponse(strm);
      break;
    }
    if (last || client_closes || control.close_after_response || strm.timed_out() ||
        strm.over_cap()) {
      break;
    }
  }
  t_connection = nullptr;
  if (control.close_after_response || strm.timed_out() || strm.over_cap()) {
    LingeringClose(sock);
  } else {
    shutdown(sock, SHUT_RDWR);
    close(sock);
  }
}

}  // namespace eventlog
