#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/row_stream.h"
#include "eventlog/status.h"

namespace eventlog {

struct ClickHouseOptions {
  std::string protocol = defaults::kClickHouseProtocol;  // http | https
  std::string host = defaults::kClickHouseHost;
  int port = defaults::kClickHousePort;
  std::string user = defaults::kClickHouseUser;
  std::string password;  // sent as a header, never in the URL, never logged
  std::string database = defaults::kClickHouseDatabase;
  int connect_timeout_ms = defaults::kClickHouseConnectTimeoutMs;
  int timeout_ms = defaults::kClickHouseTimeoutMs;
  // An HTTP proxy URL, or empty: no proxy at all. libcurl would otherwise follow http_proxy,
  // HTTPS_PROXY or ALL_PROXY from the environment, and a proxy sees the credentials and may
  // buffer or repeat requests (which defeats the query_id fence).
  std::string proxy;
  // Send INSERT bodies gzip-compressed (Content-Encoding: gzip): for a remote server, where the
  // network is the limit. On loopback it only costs CPU.
  bool compress_inserts = false;
  // Default cap of an answer's (decoded) size; a larger answer fails with kUnavailable.
  size_t max_response_bytes = size_t{64} << 20;
  // When set and true, a request in progress is aborted (graceful shutdown past its deadline).
  const std::atomic<bool>* abort = nullptr;
};

// Nothing of the request can have been stored: its cause is FailureCause::kNeverSent.
bool NeverReachedServer(const Status& s);

// True for localhost, 127.0.0.0/8 and ::1.
bool IsLoopbackHost(std::string_view host);

struct ClickHouseRequest {
  std::string query;
  std::string body;  // the data of an INSERT ... FORMAT; empty: the query is the body
  std::map<std::string, std::string> settings;  // URL parameters
  size_t max_response_bytes = 0;                // 0: ClickHouseOptions::max_response_bytes
  // Or the data read while it is sent (chunked): nothing is held. If the stream fails, the body
  // ends with a line no format parses, so the server refuses the whole INSERT (one block), and
  // the request fails with the stream's error.
  RowStream* stream = nullptr;
};

struct ClickHouseResponse {
  std::string body;
  // written_rows of the X-ClickHouse-Summary header; -1 when the server sends none (18.16).
  int64_t written_rows = -1;
};

// written_rows in the JSON of an X-ClickHouse-Summary header; -1 when absent or unreadable.
int64_t ParseSummaryWrittenRows(std::string_view summary);

// A warning for the operator when the options send the password in clear over a network
// (plain http to a host that is not loopback) or through a proxy; empty when there is none.
std::string ClickHouseTransportWarning(const ClickHouseOptions& options);

// ClickHouse's HTTP interface (libcurl): queries reuse one keep-alive connection; an INSERT with
// data opens its own, because libcurl re-sends a request whose reused connection died before
// answering, which could store an INSERT twice. One request at a time: one client per thread.
// Every error message it returns is cleaned of registered secrets and echoed row text, and the
// password is registered as a secret (core/secrets.h). Logs ClickHouseTransportWarning once per
// process.
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
  Result<ClickHouseResponse> Send(const ClickHouseRequest& request);

  const ClickHouseOptions& options() const { return options_; }

 private:
  struct Impl;
  ClickHouseOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eventlog
