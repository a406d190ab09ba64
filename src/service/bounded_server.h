#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

#include "service/deadline_stream.h"

namespace eventlog {

// What a handler may learn about, and ask of, the connection its request came on.
struct ConnectionControl {
  const DeadlineStream* stream = nullptr;
  bool close_after_response = false;  // answer, then close (a request body was left unread)
};

// The connection the calling worker thread is serving; nullptr outside a request.
ConnectionControl* CurrentConnection();

// httplib's Server with bounded admission and time (cpp-httplib 0.11.4):
// - connections are served by a BoundedTaskQueue (`threads` workers, `queue` waiting); past
//   that a connection gets 503 at once instead of waiting behind slow clients;
// - each request is read through a DeadlineStream: whole-request deadline and size cap;
// - Stop() stops accepting, ends idle keep-alive connections, lets requests in flight finish.
// httplib reaches a connection only through its private virtual process_and_close_socket,
// which we override (a virtual may be overridden whatever its access) to serve the socket
// with our own stream and keep-alive loop around httplib's protected process_request.
// Thread-safe: Stop() from any thread.
class BoundedServer : public httplib::Server {
 public:
  BoundedServer(const ConnectionLimits& limits, size_t threads, size_t queue);
  ~BoundedServer() override;
  BoundedServer(const BoundedServer&) = delete;
  BoundedServer& operator=(const BoundedServer&) = delete;

  // Stops accepting. Requests being read get until `drain` to arrive; requests being handled
  // finish; then listen() returns. Safe before listen() has started (it then returns at once).
  void Stop(std::chrono::milliseconds drain);

  // Binds like bind_to_port / bind_to_any_port (port 0), with a listen backlog of SOMAXCONN:
  // httplib's 5 drops the SYNs of a burst of connections, which then wait 1 s to retry.
  // Returns the port, or -1.
  int Bind(const std::string& host, int port);

 private:
  bool process_and_close_socket(socket_t sock) override;
  void ServeConnection(int sock);
  void CloseListener();

  const ConnectionLimits limits_;
  ShutdownState shutdown_;
  std::atomic<bool> listener_closed_{false};
};

}  // namespace eventlog
