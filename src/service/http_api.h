#pragma once

#include <memory>
#include <string>

#include "service/create_user.h"

namespace eventlog {

inline constexpr size_t kMaxRequestBodyBytes = size_t{64} * 1024;

// The users service over HTTP (cpp-httplib):
//   POST /users  {email, first_name, last_name} -> 201 user | 400 | 409 | 413 | 422 | 503
//   GET /healthz -> 200 when PostgreSQL answers, else 503
// Every error body is {"error": "..."}.
class HttpApi {
 public:
  HttpApi(PgPool& pool, CreateUser& create_user);
  ~HttpApi();

  // Blocks serving until Stop(). false when the address cannot be bound.
  bool Listen(const std::string& host, int port);
  // Binds to a free port on `host` and returns it (tests); serve with ListenAfterBind.
  int BindToAnyPort(const std::string& host);
  bool ListenAfterBind();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eventlog
