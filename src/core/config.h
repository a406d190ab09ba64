#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eventlog/status.h"

namespace eventlog {

enum class LogFormat { kJson, kConsole };

// The defaults shared by Config and the option structs built from it (RelayPolicy,
// ClickHouseOptions): each written once, here.
namespace defaults {
inline constexpr const char* kClickHouseHost = "127.0.0.1";
inline constexpr int kClickHousePort = 8123;
inline constexpr const char* kClickHouseUser = "default";
inline constexpr const char* kClickHouseDatabase = "default";
inline constexpr const char* kClickHouseProtocol = "http";
inline constexpr int kClickHouseConnectTimeoutMs = 2000;
inline constexpr int kClickHouseTimeoutMs = 10000;
inline constexpr int kBatchMaxRows = 200000;
inline constexpr int64_t kBatchMaxBytes = int64_t{64} << 20;
inline constexpr int kMinInsertIntervalMs = 220;
inline constexpr int kPollIntervalMs = 50;
inline constexpr int kRetryBaseMs = 200;
inline constexpr int kRetryMaxMs = 10000;
inline constexpr int kMaxAttempts = 5;
inline constexpr int kClickHouseHealthCheckMs = 2000;
}  // namespace defaults

// One ClickHouse server's HTTP endpoint.
struct ClickHouseEndpoint {
  std::string host;
  int port = defaults::kClickHousePort;
  std::string ToString() const { return host + ":" + std::to_string(port); }
  bool operator==(const ClickHouseEndpoint&) const = default;
};

// Every setting, with its default. Read from the environment (12-factor): see LoadConfig; the
// variables, their ranges and their documentation are one table (src/core/settings.cc).
struct Config {
  // PostgreSQL, libpq URL or key=value form. Holds a password: never log it (RedactUrl).
  std::string database_url = "postgresql://eventlog:eventlog@127.0.0.1:55432/eventlog";

  std::string clickhouse_host = defaults::kClickHouseHost;
  int clickhouse_port =
      defaults::kClickHousePort;  // 8443 when CLICKHOUSE_PROTOCOL=https and no port is set
  std::string clickhouse_user = defaults::kClickHouseUser;
  std::string clickhouse_password;
  std::string clickhouse_schema = defaults::kClickHouseDatabase;    // the table's database
  std::string clickhouse_protocol = defaults::kClickHouseProtocol;  // http | https
  // gzip INSERT bodies: on | off | auto (on unless the host is loopback, where it costs CPU only)
  std::string clickhouse_compression = "auto";
  std::string clickhouse_event_log_table = "event_log";
  int clickhouse_connect_timeout_ms = defaults::kClickHouseConnectTimeoutMs;
  int clickhouse_timeout_ms = defaults::kClickHouseTimeoutMs;  // a whole request, INSERT included
  // HTTP proxy for ClickHouse; empty: none (http_proxy etc. in the environment are ignored).
  std::string clickhouse_proxy;
  // Every node the relay may send to: CLICKHOUSE_HOSTS (host:port,host:port,...), else the one
  // node CLICKHOUSE_HOST:CLICKHOUSE_PORT. Never empty after LoadConfig; clickhouse_host and
  // clickhouse_port are its first entry. Several nodes without a cluster must be replicas of
  // one replicated table (see README, "A ClickHouse cluster").
  std::vector<ClickHouseEndpoint> clickhouse_hosts;
  // A cluster of the servers' remote_servers: event_log is then a Distributed table over
  // event_log_local (ReplicatedMergeTree), and the relay inserts into each shard's replicas.
  std::string clickhouse_cluster;
  // A node that failed with a "this node" error is skipped, and asked again after this.
  int clickhouse_health_check_ms = defaults::kClickHouseHealthCheckMs;

  std::string environment = "Local";

  // The outboxes one relay process serves (EVENTLOG_SOURCES: libpq URLs separated by blanks),
  // each on threads of its own so a busy one cannot starve a quiet one. Empty: DATABASE_URL.
  std::vector<std::string> sources;

  // A batch (one INSERT) closes at batch_size rows (EVENTLOG_BATCH_MAX_ROWS, or the older
  // EVENTLOG_BATCH_SIZE), at batch_max_bytes, or when min_insert_interval_ms has passed since
  // the relay's previous INSERT began, whichever comes first.
  int batch_size = defaults::kBatchMaxRows;
  int64_t batch_max_bytes = defaults::kBatchMaxBytes;
  int min_insert_interval_ms = defaults::kMinInsertIntervalMs;
  int poll_interval_ms = defaults::kPollIntervalMs;  // idle wait between claims
  int lease_ms = 30000;  // a claimed batch is taken over after this without heartbeat
  int retry_base_ms = defaults::kRetryBaseMs;  // first retry delay; doubles per attempt, jitter
  int retry_max_ms = defaults::kRetryMaxMs;    // cap of the retry delay
  int max_attempts = defaults::kMaxAttempts;   // rejected rows go to dead letters on this try
  int shutdown_timeout_ms = 10000;             // SIGTERM -> exit 0 within this
  int64_t max_event_bytes = 1 << 20;           // an event context larger than this is refused

  std::string log_level = "info";  // trace|debug|info|warn|error|critical|off
  LogFormat log_format = LogFormat::kJson;

  // Where `eventlog serve` listens: loopback, since the demo service has no authentication.
  std::string host = "127.0.0.1";
  int port = 8000;
  int db_pool_size = 8;  // PostgreSQL connections of `eventlog serve`
  // Every PostgreSQL wait is bounded (added to DATABASE_URL unless it sets them; see pg_dsn.h):
  int db_connect_timeout_ms = 5000;     // connecting, and a silent network (keepalives, TCP)
  int db_statement_timeout_ms = 30000;  // per statement and idle-in-transaction gap; 0: none
  int db_pool_wait_ms = 5000;           // wait for a free pooled connection, then 503
  // `eventlog serve` admission: each connection holds one worker thread while it is served;
  // past http_threads busy workers, up to http_queue connections wait, and the next ones get
  // 503 at once. A request (head and body) must arrive within http_request_timeout_ms of its
  // first byte (and a connection must start a request within it), however slowly it dribbles.
  int http_threads = 64;
  int http_queue = 64;
  int http_request_timeout_ms = 5000;
  // Mask personal data (emails) in log lines: "a***@example.com".
  bool log_mask_pii = true;

  // `eventlog relay` serves Prometheus metrics on metrics_host:metrics_port (GET /metrics);
  // 0: not at all. `eventlog serve` has them on its own port, at /metrics.
  std::string metrics_host = "127.0.0.1";
  int metrics_port = 0;

  bool operator==(const Config&) const = default;
};

using EnvMap = std::map<std::string, std::string>;

// Builds a Config from `env`; unset variables keep their defaults. An invalid value is a
// kInvalidArgument naming the variable and the value (never a secret's value).
Result<Config> LoadConfig(const EnvMap& env);

// The process environment over the `.env` file at `dotenv_path`: a variable set in the
// environment wins over the file. A missing file is fine unless `required` (the user named it
// with --env-file). Warnings (a key set twice) are appended to `warnings` when given.
Result<EnvMap> ReadEnvironment(const std::string& dotenv_path, bool required = false,
                               std::vector<std::string>* warnings = nullptr);

// Parses `.env` text: KEY=VALUE lines, `#` comments, optional `export `, optional quotes. An
// unquoted value ends at a `#` that follows a blank; quote a value to keep ` #` in it.
Result<EnvMap> ParseDotEnv(const std::string& text, std::vector<std::string>* warnings = nullptr);

// "postgresql://u:secret@h/db" -> "postgresql://u:***@h/db"; also password=... in key=value.
std::string RedactUrl(const std::string& url);

}  // namespace eventlog
