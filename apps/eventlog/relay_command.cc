#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "app.h"
#include "clickhouse/sink_choice.h"
#include "core/uuid7.h"
#include "observe/logger.h"
#include "observe/metered.h"
#include "outbox/outbox_gauges.h"
#include "outbox/pg_outbox_store.h"
#include "outbox/pg_watchdog.h"
#include "relay/policy_from_config.h"
#include "relay/relay.h"
#include "signals.h"

namespace eventlog::app {
namespace {

constexpr std::string_view kLogger = "eventlog.relay";

std::string RelayName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + NewUuid7().substr(24);
}

// One outbox and what moves its events: its own PostgreSQL connections, ClickHouse sink and
// thread, so a busy source cannot starve a quiet one and each fails and recovers alone.
struct SourceRelay {
  SourceRelay(const Source& source, const std::string& name, const Config& config,
              const ClickHouseOptions& ch, Metrics& metrics, Clock& clock)
      : label(source.label),
        store(source.url, name, std::chrono::milliseconds(config.lease_ms), clock),
        claim_ahead(source.url, name, std::chrono::milliseconds(config.lease_ms), clock),
        metered_store(store, metrics, source.name),
        metered_ahead(claim_ahead, metrics, source.name),
        sink(MakeClickHouseSink(config, ch, clock, probe)),
        relay(metered_store, *sink, clock, ToRelayPolicy(config), &metered_ahead) {
    MeterInserts(*sink, metrics, source.name);
  }

  std::string label;  // the URL without its password
  Status probe;       // the sink's start-up check
  PgOutboxStore store;
  // A second connection claims the next batch while a full one is being delivered.
  PgOutboxStore claim_ahead;
  MeteredOutboxStore metered_store;
  MeteredOutboxStore metered_ahead;
  std::unique_ptr<EventSink> sink;
  Relay relay;
};

// The last resort of a shutdown past its deadline: what no abort reaches (a PostgreSQL connect
// hanging, say) must not keep the process. Whatever is in flight stays in the ledger under its
// lease and its rows are found by the next relay's recovery check; exit 1 says the stop was not
// clean, as `serve` does.
void ExitAtShutdownDeadline(std::chrono::milliseconds left) {
  std::thread([left] {
    std::this_thread::sleep_for(left);  // the process normally ends first, and this with it
    log::Error(kLogger, "shutdown timeout passed: exiting with work in flight",
               {{"left_ms", left.count()}});
    std::_Exit(kExitFailure);
  }).detach();
}

int RunRelay(const Config& config, const std::vector<Source>& sources) {
  std::atomic<bool> stop{false};
  std::atomic<bool> abort_request{false};
  auto clock = MakeRealClock();
  const auto timeout = std::chrono::milliseconds(config.shutdown_timeout_ms);
  // SIGTERM: finish the batch in flight. Past half of EVENTLOG_SHUTDOWN_TIMEOUT_MS, abort its
  // ClickHouse request instead: the batch goes back to the ledger and we still exit 0 in time.
  ShutdownSignal on_signal(
      [&] {
        log::Info(kLogger, "shutting down", {{"timeout_ms", timeout.count()}});
        stop = true;
        clock->Wake();
      },
      timeout / 2,
      [&abort_request, timeout] {
        abort_request = true;
        AbortPgCalls();  // a claim or mark stuck on a silent PostgreSQL: the lease covers it
        ExitAtShutdownDeadline(timeout - timeout / 2);
      });
  ClickHouseOptions ch = ToClickHouseOptions(config);
  ch.abort = &abort_request;
  std::string name = RelayName();
  log::BoundContext ctx({{"relay", name}});
  // Metrics are always counted (cheap); served only when EVENTLOG_METRICS_PORT is set.
  Metrics metrics;
  std::vector<std::unique_ptr<OutboxGaugeReader>> gauges;
  if (config.metrics_port > 0) {
    if (Status s = metrics.Listen(config.metrics_host, config.metrics_port); !s.ok()) {
      log::Error(kLogger, "cannot start", {{"error", s.ToString()}});
      return kExitFailure;
    }
    for (const Source& source : sources) {
      gauges.push_back(std::make_unique<OutboxGaugeReader>(source.url));
      metrics.AddOutboxGaugeSource(source.name,
                                   [reader = gauges.back().get()] { return reader->Read(); });
    }
  }
  std::vector<std::unique_ptr<SourceRelay>> relays;
  std::vector<std::string> labels;
  for (const Source& source : sources) {
    relays.push_back(std::make_unique<SourceRelay>(source, name, config, ch, metrics, *clock));
    labels.push_back(relays.back()->label);
    if (relays.back()->probe.code() == StatusCode::kInvalidArgument) {
      // ClickHouse nodes that are not replicas of one table: a fleet must not each pick some.
      log::Error(kLogger, "ClickHouse configuration refused",
                 {{"error", relays.back()->probe.ToString()}});
      return kExitUsage;
    }
    if (!relays.back()->probe.ok()) {
      log::Warn(kLogger, "ClickHouse not ready; the relay keeps trying",
                {{"error", relays.back()->probe.ToString()}});
    }
  }
  std::vector<std::string> nodes;
  for (const ClickHouseEndpoint& node : config.clickhouse_hosts) nodes.push_back(node.ToString());
  log::Info(kLogger, "relay started",
            {{"batch_max_rows", config.batch_size},
             {"batch_max_bytes", config.batch_max_bytes},
             {"min_insert_interval_ms", config.min_insert_interval_ms},
             {"poll_interval_ms", config.poll_interval_ms},
             {"lease_ms", config.lease_ms},
             {"database", labels.size() == 1 ? labels.front() : std::string()},
             {"sources", labels},
             {"clickhouse", nodes.size() == 1 ? nodes.front() : std::string()},
             {"clickhouse_hosts", nodes},
             {"clickhouse_cluster", config.clickhouse_cluster},
             {"metrics", config.metrics_port > 0
                             ? config.metrics_host + ":" + std::to_string(config.metrics_port)
                             : std::string("off")}});
  std::vector<std::thread> threads;
  for (auto& source : relays) {
    threads.emplace_back([&source, &stop, &name] {
      log::BoundContext thread_ctx({{"relay", name}, {"source", source->label}});
      source->relay.Run(stop);
    });
  }
  int64_t delivered = 0;
  for (size_t i = 0; i < threads.size(); ++i) {
    threads[i].join();
    delivered += relays[i]->relay.delivered();
  }
  log::Info(kLogger, "relay stopped", {{"delivered", delivered}});
  return kExitOk;
}

}  // namespace

void AddRelayCommand(CLI::App& app, const Globals& globals, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "relay", "Move committed events from the outbox to ClickHouse in batches, until SIGTERM");
  cmd->callback([&globals, &exit_code] {
    Config config;
    exit_code =
        LoadConfigAndLogging(globals, config) ? RunRelay(config, RelaySources(config)) : kExitUsage;
  });
}

}  // namespace eventlog::app
