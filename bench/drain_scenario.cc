// Bulk ingest (the ceiling) in each input format, and the drain of a backlog by 1, 2 or 4 relays at
// their defaults.
#include <cstdio>
#include <iterator>
#include <utility>

#include "bench/clickhouse_watch.h"
#include "bench/proc_cpu.h"
#include "bench/relay_group.h"
#include "bench/row_formats.h"
#include "bench/scenarios.h"
#include "bench/stats.h"
#include "bench/workload.h"

namespace eventlog::bench {
namespace {

constexpr size_t kBulkRepetitions = 3;

// The same `n` bulk rows in each of kRowFormats, in that order.
Result<std::vector<std::string>> EncodeEachFormat(int64_t n, const TimeColumn& time_column) {
  const std::vector<OutboxRow> rows = BulkRows(n);
  std::vector<std::string> bodies;
  for (RowFormat f : kRowFormats) {
    auto body = EncodeRows(f, rows, time_column);
    if (!body.ok()) return body.status();
    bodies.push_back(std::move(body.value()));
  }
  return bodies;
}

// Empties the table, INSERTs `body`: rows/s and ClickHouse CPU us/row (negative: unknown).
Result<std::pair<double, double>> TimedInsert(const BenchEnv& env, ClickHouseWatch& ch,
                                              const std::string& body, RowFormat format) {
  if (auto r = ch.Query("TRUNCATE TABLE " + env.ch.database + ".event_log"); !r.ok()) {
    return r.status();
  }
  double cpu_before = ClickHouseCpuSeconds(env);
  auto start = SteadyClock::now();
  if (Status s = ch.Insert(body, format); !s.ok()) return s;
  double rows_per_s = env.events / SecondsSince(start);
  double cpu = CpuDelta(cpu_before, ClickHouseCpuSeconds(env));
  return std::make_pair(rows_per_s, cpu < 0 ? -1 : cpu * 1e6 / env.events);
}

// A backlog of `events` events with `padding` bytes of filler drained by `relays` relays.
Result<DrainResult> DrainBacklog(const BenchEnv& env, int relays, int events, size_t padding,
                                 const std::string& tag);

}  // namespace

Result<BulkResult> RunBulkIngest(const BenchEnv& env) {
  if (Status s = FreshDatabases(env); !s.ok()) return s;
  ClickHouseWatch ch(env);
  auto time_column = ch.TimeColumnType();
  if (!time_column.ok()) return time_column.status();
  auto bodies = EncodeEachFormat(env.events, time_column.value());
  if (!bodies.ok()) return bodies.status();
  const size_t formats = std::size(kRowFormats);
  std::vector<std::vector<double>> rates(formats);
  std::vector<std::vector<double>> cpu(formats);
  // Each repetition starts with the next format, so that none always follows the same one.
  for (size_t rep = 0; rep < kBulkRepetitions; ++rep) {
    for (size_t k = 0; k < formats; ++k) {
      const size_t f = (rep + k) % formats;
      auto one = TimedInsert(env, ch, bodies.value()[f], kRowFormats[f]);
      if (!one.ok()) return one.status();
      rates[f].push_back(one.value().first);
      cpu[f].push_back(one.value().second);
    }
  }
  BulkResult b{env.events, 0, -1, {}};
  for (size_t f = 0; f < formats; ++f) {
    b.formats.push_back({FormatName(kRowFormats[f]), static_cast<int64_t>(bodies.value()[f].size()),
                         Median(rates[f]), Median(cpu[f])});
  }
  b.rows_per_s = b.formats.front().rows_per_s;  // TabSeparated: what the relay sends
  b.cpu_us_per_row = b.formats.front().cpu_us_per_row;
  return b;
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
  double pg_before = BenchPostgresCpuSeconds(env);
  auto start = SteadyClock::now();
  RelayGroup group(env, relays, tag, {{"LOG_LEVEL", kTimeSplitLogLevel}});
  auto secs = WaitForCount(ch, events, start);
  d.cpu_seconds = CpuDelta(cpu_before, ClickHouseCpuSeconds(env));
  d.postgres_cpu_seconds = CpuDelta(pg_before, BenchPostgresCpuSeconds(env));
  d.relay_cpu_seconds = group.CpuSeconds();  // before they exit
  d.peak_rss_bytes = group.PeakRssBytes();
  Status stopped = group.Stop();
  d.time_split = ReadRelayTimeSplit(group.log_path());  // logged as each relay returns
  if (!secs.ok()) return secs.status();
  if (!stopped.ok()) return stopped;
  d.seconds = secs.value();
  d.events_per_s = events / d.seconds;
  if (d.cpu_seconds >= 0) d.cpu_us_per_event = d.cpu_seconds * 1e6 / events;
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
