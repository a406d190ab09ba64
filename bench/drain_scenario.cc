// Bulk ingest (the ceiling) and the drain of a backlog by 1, 2 or 4 relays at their defaults.
#include <cstdio>

#include "bench/clickhouse_watch.h"
#include "bench/relay_group.h"
#include "bench/scenarios.h"
#include "bench/stats.h"
#include "bench/workload.h"

namespace eventlog::bench {
namespace {

constexpr int kBulkRepetitions = 3;
// A backlog of `events` events with `padding` bytes of filler drained by `relays` relays.
Result<DrainResult> DrainBacklog(const BenchEnv& env, int relays, int events, size_t padding,
                                 const std::string& tag);

}  // namespace

Result<BulkResult> RunBulkIngest(const BenchEnv& env) {
  if (Status s = FreshDatabases(env); !s.ok()) return s;
  ClickHouseWatch ch(env);
  auto time_column = ch.TimeColumnType();
  if (!time_column.ok()) return time_column.status();
  const std::string body = BulkRows(env.events, time_column.value());
  std::vector<double> rates;
  std::vector<double> cpu;
  for (int i = 0; i < kBulkRepetitions; ++i) {
    if (auto r = ch.Query("TRUNCATE TABLE " + env.ch.database + ".event_log"); !r.ok()) {
      return r.status();
    }
    double cpu_before = ClickHouseCpuSeconds(env);
    auto start = SteadyClock::now();
    if (Status s = ch.Insert(body); !s.ok()) return s;
    rates.push_back(env.events / SecondsSince(start));
    cpu.push_back(cpu_before < 0 ? -1
                                 : (ClickHouseCpuSeconds(env) - cpu_before) * 1e6 / env.events);
  }
  return BulkResult{env.events, Median(rates), Median(cpu)};
}

Result<DrainResult> RunDrain(const BenchEnv& env, int relays) {
  return DrainBacklog(env, relays, env.events, kSmallPadding, "drain_" + std::to_string(relays));
}

Result<DrainResult> RunLargeEventDrain(const BenchEnv& env) {
  // Just under EVENTLOG_MAX_EVENT_BYTES (1 MiB), the largest event the default allows.
  return DrainBacklog(env, 1, env.large_events, (size_t{1} << 20) - 512, "drain_large");
}

namespace {

Result<DrainResult> DrainBacklog(const BenchEnv& env, int relays, int events, size_t padding,
                                 const std::string& tag) {
  if (Status s = FreshDatabases(env); !s.ok()) return s;
  if (Status s = FillBacklog(env, events, padding); !s.ok()) return s;
  ClickHouseWatch ch(env);
  DrainResult d;
  d.relays = relays;
  d.events = events;
  double cpu_before = ClickHouseCpuSeconds(env);
  auto start = SteadyClock::now();
  RelayGroup group(env, relays, tag);
  auto secs = WaitForCount(ch, events, start);
  double cpu_after = ClickHouseCpuSeconds(env);
  d.peak_rss_bytes = group.PeakRssBytes();  // before they exit
  Status stopped = group.Stop();
  if (!secs.ok()) return secs.status();
  if (!stopped.ok()) return stopped;
  d.seconds = secs.value();
  d.events_per_s = events / d.seconds;
  if (cpu_before >= 0) {
    d.cpu_seconds = cpu_after - cpu_before;
    d.cpu_us_per_event = d.cpu_seconds * 1e6 / events;
  }
  auto blocks = ch.BlocksWritten();
  if (!blocks.ok()) return blocks.status();
  d.inserts = blocks.value();
  d.rows_per_insert = d.inserts > 0 ? static_cast<double>(events) / d.inserts : 0;
  // Checked after the relays exited: nothing may land twice late either.
  auto once = ch.ExactlyOnce(events, &d.check);
  if (!once.ok()) return once.status();
  d.exactly_once = once.value();
  return d;
}

}  // namespace

}  // namespace eventlog::bench
