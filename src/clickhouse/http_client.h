#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "eventlog/status.h"

namespace eventlog {

struct ClickHouseOptions {
  std::string protocol = "http";  // http | https
  std::string host = "127.0.0.1";
  int port = 8123;
  std::string user = "default";
  std::string password;  // sent as a header, never in the URL, never logged
  std::string database = "default";
  int connect_timeout_ms = 2000;
  int timeout_ms = 10000;
  // When set and true, a request in progress is aborted (graceful shutdown past its deadline).
  const std::atomic<bool>* abort = nullptr;
};

// ClickHouse's HTTP interface (libcurl): queries reuse one keep-alive connection; an INSERT with
// data opens its own, because libcurl re-sends a request whose reused connection died before
// answering, which could store an INSERT twice. One request at a time: one client per thread.
class ClickHouseClient {
 public:
  explicit ClickHouseClient(ClickHouseOptions options);
  ~ClickHouseClient();
  ClickHouseClient(const ClickHouseClient&) = delete;
  ClickHouseClient& operator=(const ClickHouseClient&) = delete;

  // Runs `query`; `body` is sent after it (the data of an INSERT ... FORMAT). With a body, the
  // query travels in the URL; without, the query is the body. `settings` become URL parameters.
  // Returns the response body, or the typed error (ClassifyClickHouseError).
  Result<std::string> Execute(const std::string& query, const std::string& body = {},
                              const std::map<std::string, std::string>& settings = {});

  const ClickHouseOptions& options() const { return options_; }

 private:
  struct Impl;
  ClickHouseOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eventlog
