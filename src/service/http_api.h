#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "service/create_user.h"

namespace eventlog {

class Metrics;

inline constexpr size_t kMaxRequestBodyBytes = size_t{64} * 1024;

// How much the server takes on (Config: EVENTLOG_HTTP_*).
struct HttpOptions {
  size_t threads = 64;  // connections served at once, one worker thread each
  size_t queue = 64;    // accepted connections waiting for a worker; past it: 503
  // A request must arrive whole (head and body) within this of its first byte, and a
  // connection must send a request's first byte within it (else it is closed).
  std::chrono::milliseconds request_timeout{5000};
};

// The users service over HTTP (cpp-httplib):
//   POST /users  {email, first_name, last_name} -> 201 user | 400 | 409 | 411 | 413 | 415 |
//                422 | 503
//   GET /healthz -> 200 when the users' database answers (UserRepository::Ping), else 503
//   GET /metrics -> Prometheus text format (with `metrics`; every answer is counted in it)
//   any request: 408 when it does not arrive within the request timeout, 503 when the server
//   is at capacity (HttpOptions)
// Every error body is {"error": "..."}. A request body is read through a counter, whatever its
// framing: never more than kMaxRequestBodyBytes of it is kept.
class HttpApi {
 public:
  // `users` and `create_user` must outlive the server; the worker threads share them.
  HttpApi(UserRepository& users, CreateUser& create_user, const HttpOptions& options = {},
          Metrics* metrics = nullptr);
  ~HttpApi();

  // Blocks serving until Stop(). false when the address cannot be bound.
  bool Listen(const std::string& host, int port);
  // Binds to a free port on `host` and returns it (tests); serve with ListenAfterBind.
  int BindToAnyPort(const std::string& host);
  bool ListenAfterBind();
  // Stops accepting; requests still arriving get `drain` to arrive, those being handled finish,
  // then Listen returns. Thread-safe, also before Listen.
  void Stop(std::chrono::milliseconds drain = std::chrono::milliseconds(0));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eventlog
