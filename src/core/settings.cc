#include "core/settings.h"

#include "core/own_settings.h"
#include "core/setting_kinds.h"

namespace eventlog {
namespace {

using settings::Choice;
using settings::Flag;
using settings::Integer;
using settings::Integer64;
using settings::Text;
using settings::TextSetting;

std::vector<Setting> DatabaseSettings() {
  return {
      TextSetting("DATABASE_URL", &Config::database_url, Text::kNonEmpty,
                  {.summary = "PostgreSQL of the outbox: libpq URL or key=value string",
                   .meaning = "PostgreSQL (libpq URL or `key=value` string)"}),
      settings::Sources(),
  };
}

std::vector<Setting> ClickHouseSettings() {
  return {
      Choice("CLICKHOUSE_PROTOCOL", &Config::clickhouse_protocol, {"http", "https"},
             {.summary = "plain HTTP or HTTPS (TLS) to ClickHouse",
              .meaning = "plain HTTP or HTTPS (TLS) to ClickHouse; `https` makes the default "
                         "port 8443"}),
      settings::ClickHouseHost(),
      settings::ClickHousePort(),
      settings::ClickHouseHosts(),
      settings::ClickHouseCluster(),
      Integer("CLICKHOUSE_HEALTH_CHECK_MS", &Config::clickhouse_health_check_ms, 100, 3600000,
              {.summary = "a node that failed is asked again after this",
               .meaning = "a node that failed with a \"this node\" error is skipped and asked "
                          "again (a health check) after this"}),
      TextSetting("CLICKHOUSE_USER", &Config::clickhouse_user, Text::kHeader,
                  {.summary = "ClickHouse user", .meaning = "sent as `X-ClickHouse-User`"}),
      TextSetting("CLICKHOUSE_PASSWORD", &Config::clickhouse_password, Text::kHeaderMaybeEmpty,
                  {.summary = "ClickHouse password (never logged)",
                   .meaning = "sent as `X-ClickHouse-Key`, never in a URL or log"}),
      TextSetting("CLICKHOUSE_SCHEMA", &Config::clickhouse_schema, Text::kIdentifier,
                  {.summary = "ClickHouse database holding the table",
                   .meaning = "ClickHouse database holding the table"}),
      TextSetting(
          "CLICKHOUSE_PROXY", &Config::clickhouse_proxy, Text::kHeaderMaybeEmpty,
          {.summary = "HTTP proxy URL for ClickHouse; empty: none (http_proxy etc. ignored)",
           .meaning =
               "HTTP proxy URL for ClickHouse requests. When empty, `http_proxy`, `HTTPS_PROXY`, "
               "`ALL_PROXY` and `NO_PROXY` in the environment are **ignored**: a proxy sees "
               "every request (and the password over plain http), and one that buffers or "
               "repeats requests weakens the query_id fence. A warning is logged at start when "
               "a proxy is set or plain http goes to a non-loopback host",
           .default_note = "(no proxy)"}),
      Choice("CLICKHOUSE_COMPRESSION", &Config::clickhouse_compression, {"auto", "on", "off"},
             {.summary = "gzip INSERT bodies; auto: unless every ClickHouse node is loopback",
              .meaning = "gzip INSERT bodies (`Content-Encoding: gzip`, which every ClickHouse "
                         "version reads): `on`, `off`, or `auto` = on unless every ClickHouse "
                         "node is loopback (there it only costs CPU). TSV events compress ~10×, "
                         "so a remote relay sends a tenth of the bytes"}),
      TextSetting("CLICKHOUSE_EVENT_LOG_TABLE", &Config::clickhouse_event_log_table,
                  Text::kIdentifier, {.summary = "table name", .meaning = "table name"}),
      Integer("CLICKHOUSE_CONNECT_TIMEOUT_MS", &Config::clickhouse_connect_timeout_ms, 1, 600000,
              {.summary = "TCP/TLS connect timeout", .meaning = "TCP/TLS connect timeout"}),
      Integer("CLICKHOUSE_TIMEOUT_MS", &Config::clickhouse_timeout_ms, 1, 3600000,
              {.summary = "whole-request timeout (an INSERT included)",
               .meaning = "whole-request timeout (an INSERT included)"}),
  };
}

std::vector<Setting> EventSettings() {
  return {
      settings::EnvironmentName(),
      // Keep a batch inside one ClickHouse insert block (max_insert_block_size), so an INSERT
      // is all or nothing.
      Integer("EVENTLOG_BATCH_MAX_ROWS", &Config::batch_size, 1, 1000000,
              {.summary = "events in a batch at most (older name: EVENTLOG_BATCH_SIZE)",
               .meaning = "a batch (one INSERT per shard) holds at most this many events. "
                          "`EVENTLOG_BATCH_SIZE`, the older name, still sets it; "
                          "`EVENTLOG_BATCH_MAX_ROWS` wins where both are set"},
              "EVENTLOG_BATCH_SIZE"),
      // Below PostgreSQL's 1 GB value limit with room for escaping in the ledger payload.
      Integer64(
          "EVENTLOG_BATCH_MAX_BYTES", &Config::batch_max_bytes, 1024, int64_t{256} << 20,
          {.summary = "bytes in a batch at most (one event more at most)",
           .meaning =
               "a claim takes events while the bytes before each stay under this (64 B + type + "
               "environment + context per event), so a batch exceeds it by one event at most "
               "and a larger event goes alone. A batch is streamed from PostgreSQL into its "
               "INSERT, so this bounds ClickHouse's memory for one INSERT, not the relay's "
               "(which reads at most 8 MiB ahead). A batch the relay must hold in memory (one "
               "ClickHouse refused, to isolate the refused rows; one taken over or retried, for "
               "its recovery check) is loaded whole: keep this to what a relay may hold",
           .default_note = "(64 MiB)"}),
      Integer("EVENTLOG_MIN_INSERT_INTERVAL_MS", &Config::min_insert_interval_ms, 0, 60000,
              {.summary = "a part batch waits until this long after the previous INSERT began",
               .meaning = "after a part batch the relay waits until this long after its previous "
                          "INSERT began, so rows gather into fewer, larger INSERTs (under 5 a "
                          "second under steady traffic; chosen so that commit → visible stays "
                          "under 300 ms at p99); a full batch goes again at once; `0` turns it "
                          "off"}),
      Integer("EVENTLOG_POLL_INTERVAL_MS", &Config::poll_interval_ms, 1, 3600000,
              {.summary = "idle wait between claims",
               .meaning = "idle wait between claims: an event after a quiet spell is claimed "
                          "within this"}),
  };
}

std::vector<Setting> RelaySettings() {
  return {
      Integer("EVENTLOG_LEASE_MS", &Config::lease_ms, 1000, 86400000,
              {.summary = "a batch whose relay stops renewing is taken over after this",
               .meaning = "a claimed batch whose relay stops renewing is taken over after this; "
                          "must be ≥ 2 × `CLICKHOUSE_TIMEOUT_MS` + 1000"}),
      Integer("EVENTLOG_RETRY_BASE_MS", &Config::retry_base_ms, 1, 3600000,
              {.summary = "first retry delay; doubles per failure, with jitter",
               .meaning = "first retry delay; doubles per failure, with jitter"}),
      Integer("EVENTLOG_RETRY_MAX_MS", &Config::retry_max_ms, 1, 86400000,
              {.summary = "cap of the retry delay", .meaning = "cap of the retry delay"}),
      Integer("EVENTLOG_MAX_ATTEMPTS", &Config::max_attempts, 1, 1000,
              {.summary = "a row ClickHouse refuses goes to dead letters on this attempt",
               .meaning = "a row ClickHouse refuses goes to dead letters on this attempt "
                          "(retryable errors never do)"}),
      Integer("EVENTLOG_SHUTDOWN_TIMEOUT_MS", &Config::shutdown_timeout_ms, 100, 3600000,
              {.summary = "SIGTERM -> exit 0 within this (relay and serve)",
               .meaning = "SIGTERM → exit 0 within this (relay and serve); a second signal exits "
                          "at once"}),
      Integer64("EVENTLOG_MAX_EVENT_BYTES", &Config::max_event_bytes, 2, int64_t{1} << 30,
                {.summary = "larger event contexts are refused at enqueue",
                 .meaning = "larger event contexts are refused at enqueue"}),
  };
}

std::vector<Setting> PostgresSettings() {
  return {
      Integer("EVENTLOG_DB_POOL_SIZE", &Config::db_pool_size, 1, 1000,
              {.summary = "PostgreSQL connections of eventlog serve",
               .meaning = "PostgreSQL connections of `eventlog serve`"}),
      Integer("EVENTLOG_DB_CONNECT_TIMEOUT_MS", &Config::db_connect_timeout_ms, 1, 600000,
              {.summary = "bounds connecting to PostgreSQL and a silent connection",
               .meaning = "bounds connecting to PostgreSQL (`connect_timeout`, whole seconds, at "
                          "least 2) and how long a connection may go unanswered at the TCP level "
                          "before it counts as dead (`tcp_user_timeout`; keepalives after that "
                          "many seconds idle). Each is added to `DATABASE_URL` only where the "
                          "URL (or a `PG*` variable) sets none"}),
      Integer("EVENTLOG_DB_STATEMENT_TIMEOUT_MS", &Config::db_statement_timeout_ms, 0, 86400000,
              {.summary = "PostgreSQL statement and idle-in-transaction timeout; 0: none",
               .meaning = "server-side `statement_timeout` and "
                          "`idle_in_transaction_session_timeout` (added through `options` unless "
                          "you set them); a client that hears nothing from PostgreSQL for this "
                          "long + 1 s drops the connection. `0` turns both off (TCP limits still "
                          "apply). It bounds `migrate` too: raise it or set `0` for long "
                          "migrations"}),
      Integer("EVENTLOG_DB_POOL_WAIT_MS", &Config::db_pool_wait_ms, 1, 600000,
              {.summary = "serve: wait for a free pooled connection, then 503",
               .meaning = "how long a `serve` request waits for a free pooled PostgreSQL "
                          "connection before it answers 503"}),
  };
}

std::vector<Setting> ServiceSettings() {
  return {
      settings::LogLevel(),
      settings::LogFormatSetting(),
      TextSetting("HOST", &Config::host, Text::kNonEmpty,
                  {.summary = "where eventlog serve listens",
                   .meaning = "where `eventlog serve` listens (loopback by default: the demo "
                              "service has no authentication)"}),
      Integer("PORT", &Config::port, 1, 65535,
              {.summary = "port of eventlog serve", .meaning = "port of `eventlog serve`"}),
      Integer("EVENTLOG_HTTP_THREADS", &Config::http_threads, 1, 4096,
              {.summary = "serve: connections served at once, one worker thread each",
               .meaning = "`serve`: connections served at once, one worker thread each (started "
                          "as needed)"}),
      Integer("EVENTLOG_HTTP_QUEUE", &Config::http_queue, 0, 65536,
              {.summary = "serve: accepted connections waiting for a worker; beyond: 503",
               .meaning = "`serve`: accepted connections waiting for a worker; beyond that a "
                          "connection gets 503 at once"}),
      Integer("EVENTLOG_HTTP_REQUEST_TIMEOUT_MS", &Config::http_request_timeout_ms, 100, 600000,
              {.summary = "serve: a request must arrive within this of its first byte",
               .meaning = "`serve`: a request (head and body) must arrive within this of its "
                          "first byte, however slowly it dribbles (else 408 and close); an idle "
                          "connection is closed after it"}),
      Flag("EVENTLOG_LOG_MASK_PII", &Config::log_mask_pii,
           {.summary = "mask personal data (emails) in log lines",
            .meaning = "mask personal data in log lines: emails become `a***@example.com`, the "
                       "user's fields `***` in logged database errors. On by default: logs "
                       "travel further than the database (aggregators, tickets), so plain emails "
                       "are an opt-in"}),
      Integer("EVENTLOG_METRICS_PORT", &Config::metrics_port, 0, 65535,
              {.summary = "relay: Prometheus metrics port; 0: none",
               .meaning = "`eventlog relay` serves Prometheus metrics at "
                          "`http://EVENTLOG_METRICS_HOST:port/metrics`; `0` serves none "
                          "(`eventlog serve` always has them at its own `/metrics`)",
               .default_note = "(off)"}),
      TextSetting("EVENTLOG_METRICS_HOST", &Config::metrics_host, Text::kNonEmpty,
                  {.summary = "address the relay's metrics listener binds to",
                   .meaning = "address the relay's metrics listener binds to (loopback by "
                              "default: the metrics have no authentication)"}),
  };
}

}  // namespace

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = [] {
    std::vector<Setting> all;
    for (auto part : {DatabaseSettings, ClickHouseSettings, EventSettings, RelaySettings,
                      PostgresSettings, ServiceSettings}) {
      for (Setting& s : part()) all.push_back(std::move(s));
    }
    return all;
  }();
  return kSettings;
}

}  // namespace eventlog
