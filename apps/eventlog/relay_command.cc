#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "app.h"
#include "clickhouse/clickhouse_sink.h"
#include "clickhouse_options.h"
#include "core/uuid7.h"
#include "eventlog/relay.h"
#include "observe/logger.h"
#include "observe/metered.h"
#include "outbox/outbox_gauges.h"
#include "outbox/pg_outbox_store.h"
#include "outbox/pg_watchdog.h"
#include "signals.h"

namespace eventlog::app {
namespace {

constexpr std::string_view kLogger = "eventlog.relay";

std::string RelayName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + NewUuid7().substr(24);
}

RelayPolicy ToPolicy(const Config& c) {
  RelayPolicy p;
  p.batch_size = c.batch_size;
  p.batch_max_bytes = c.batch_max_bytes;
  p.min_insert_interval = std::chrono::milliseconds(c.min_insert_interval_ms);
  p.max_attempts = c.max_attempts;
  p.retry_base = std::chrono::milliseconds(c.retry_base_ms);
  p.retry_max = std::chrono::milliseconds(c.retry_max_ms);
  p.poll_interval = std::chrono::milliseconds(c.poll_interval_ms);
  return p;
}

int RunRelay(const Config& config) {
  std::atomic<bool> stop{false};
  std::atomic<bool> abort_request{false};
  auto clock = MakeRealClock();
  // SIGTERM: finish the batch in flight. Past half of EVENTLOG_SHUTDOWN_TIMEOUT_MS, abort its
  // ClickHouse request instead: the batch goes back to the ledger and we still exit 0 in time.
  ShutdownSignal on_signal(
      [&] {
        log::Info(kLogger, "shutting down", {{"timeout_ms", config.shutdown_timeout_ms}});
        stop = true;
        clock->Wake();
      },
      std::chrono::milliseconds(config.shutdown_timeout_ms / 2),
      [&] {
        abort_request = true;
        AbortPgCalls();  // a claim or mark stuck on a silent PostgreSQL: the lease covers it
      });
  ClickHouseOptions ch = ToClickHouseOptions(config);
  ch.abort = &abort_request;
  ClickHouseSink sink(ch, config.clickhouse_event_log_table);
  std::string name = RelayName();
  PgOutboxStore store(config.database_url, name, std::chrono::milliseconds(config.lease_ms));
  // A second connection claims the next batch while a full one is being delivered.
  PgOutboxStore claim_ahead(config.database_url, name, std::chrono::milliseconds(config.lease_ms));
  log::BoundContext ctx({{"relay", name}});
  // Metrics are always counted (cheap); served only when EVENTLOG_METRICS_PORT is set.
  Metrics metrics;
  std::unique_ptr<OutboxGaugeReader> gauges;
  if (config.metrics_port > 0) {
    if (Status s = metrics.Listen(config.metrics_host, config.metrics_port); !s.ok()) {
      log::Error(kLogger, "cannot start", {{"error", s.ToString()}});
      return kExitFailure;
    }
    gauges = std::make_unique<OutboxGaugeReader>(config.database_url);
    metrics.SetOutboxGaugeSource([&gauges] { return gauges->Read(); });
  }
  MeteredOutboxStore metered_store(store, metrics);
  MeteredOutboxStore metered_ahead(claim_ahead, metrics);
  MeteredEventSink metered_sink(sink, metrics);
  if (Status s = sink.Probe(); !s.ok()) {
    log::Warn(kLogger, "ClickHouse not ready; the relay keeps trying", {{"error", s.ToString()}});
  }
  log::Info(kLogger, "relay started",
            {{"batch_max_rows", config.batch_size},
             {"batch_max_bytes", config.batch_max_bytes},
             {"min_insert_interval_ms", config.min_insert_interval_ms},
             {"poll_interval_ms", config.poll_interval_ms},
             {"lease_ms", config.lease_ms},
             {"database", RedactUrl(config.database_url)},
             {"clickhouse", config.clickhouse_host + ":" + std::to_string(config.clickhouse_port)},
             {"metrics", config.metrics_port > 0
                             ? config.metrics_host + ":" + std::to_string(config.metrics_port)
                             : std::string("off")}});
  Relay relay(metered_store, metered_sink, *clock, ToPolicy(config), &metered_ahead);
  relay.Run(stop);
  log::Info(kLogger, "relay stopped", {{"delivered", relay.delivered()}});
  return kExitOk;
}

}  // namespace

void AddRelayCommand(CLI::App& app, const Globals& globals, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "relay", "Move committed events from the outbox to ClickHouse in batches, until SIGTERM");
  cmd->callback([&globals, &exit_code] {
    Config config;
    exit_code = LoadConfigAndLogging(globals, config) ? RunRelay(config) : kExitUsage;
  });
}

}  // namespace eventlog::app
