// Commit -> visible: a writer enqueues at a steady rate (one transaction per due batch, each
// event numbered), one relay at its defaults delivers, and a poller asks ClickHouse every
// 20 ms which numbers it holds. Latency = first poll that sees an event - its commit's return.
#include <algorithm>
#include <atomic>
#include <functional>
#include <pqxx/pqxx>
#include <thread>

#include "bench/clickhouse_watch.h"
#include "bench/relay_group.h"
#include "bench/scenarios.h"
#include "bench/stats.h"
#include "bench/workload.h"
#include "eventlog/outbox_writer.h"
#include "outbox/pg_errors.h"

namespace eventlog::bench {
namespace {

constexpr auto kVisiblePoll = std::chrono::milliseconds(20);
constexpr auto kSettleDeadline = std::chrono::seconds(20);
constexpr int64_t kMaxPerTransaction = 1000;
constexpr auto kIdleSample = std::chrono::seconds(2);

using TimePoint = SteadyClock::time_point;

// Sequence numbers travel in metadata_version (a UInt64 column) as well as in the context, so
// the poller reads one narrow column instead of parsing every context.
Event NumberedEvent(int64_t seq) {
  Event e = BenchEvent(seq);
  e.metadata_version = static_cast<uint64_t>(seq);
  return e;
}

struct Timeline {
  std::vector<TimePoint> committed;  // by seq; written by the writer only
  std::vector<TimePoint> visible;    // by seq; written by the poller only
  int64_t first = 1;                 // seqs [first, last] were committed
  int64_t last = 0;
};

// Enqueues seqs [first, first + n) in one transaction; records the commit's return time.
Status EnqueueNumbered(pqxx::connection& c, int64_t first, int64_t n, Timeline& t) {
  static const OutboxWriter writer("Bench", size_t{1} << 20);
  std::vector<Event> events;
  for (int64_t seq = first; seq < first + n; ++seq) events.push_back(NumberedEvent(seq));
  return CatchPg([&] {
    pqxx::work tx(c);
    if (Status s = writer.EnqueueMany(tx, events); !s.ok()) return s;
    tx.commit();
    TimePoint now = SteadyClock::now();
    for (int64_t seq = first; seq < first + n; ++seq) t.committed[seq] = now;
    return Status::Ok();
  });
}

// Enqueues `total` events (seqs from t.first) at `rate` per second from its start.
Status WriteSteadily(const BenchEnv& env, int rate, int64_t total, Timeline& t) {
  return CatchPg([&] {
    pqxx::connection c(env.url);
    TimePoint start = SteadyClock::now();
    int64_t sent = 0;
    while (sent < total) {
      auto due = std::min(total, static_cast<int64_t>(SecondsSince(start) * rate) + 1) - sent;
      if (due <= 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      due = std::min(due, kMaxPerTransaction);
      if (Status s = EnqueueNumbered(c, t.first + sent, due, t); !s.ok()) return s;
      sent += due;
    }
    return Status::Ok();
  });
}

// One poll: marks every seq from `*low` up that ClickHouse now holds; advances `*low` past
// the seen prefix.
Status PollVisible(ClickHouseWatch& ch, Timeline& t, int64_t* low) {
  auto r = ch.Query("SELECT metadata_version FROM event_log WHERE metadata_version >= " +
                    std::to_string(*low) + " FORMAT TSV");
  if (!r.ok()) return r.status();
  TimePoint now = SteadyClock::now();
  const std::string& body = r.value();
  for (size_t pos = 0; pos < body.size();) {
    size_t end = body.find('\n', pos);
    int64_t seq = std::stoll(body.substr(pos, end - pos));
    if (seq < static_cast<int64_t>(t.visible.size()) && t.visible[seq] == TimePoint{}) {
      t.visible[seq] = now;
    }
    pos = end == std::string::npos ? body.size() : end + 1;
  }
  while (*low < static_cast<int64_t>(t.visible.size()) && t.visible[*low] != TimePoint{}) ++*low;
  return Status::Ok();
}

// Polls until seqs up to `upto` are all seen or `deadline` passes (then they stay unseen).
Status PollUntil(ClickHouseWatch& ch, Timeline& t, int64_t* low, int64_t upto,
                 const std::function<bool()>& still_writing, TimePoint deadline) {
  while (still_writing() || (*low <= upto && SteadyClock::now() < deadline)) {
    if (Status s = PollVisible(ch, t, low); !s.ok()) return s;
    std::this_thread::sleep_for(kVisiblePoll);
  }
  return Status::Ok();
}

void Summarize(const Timeline& t, LatencyResult& out) {
  std::vector<double> ms;
  for (int64_t seq = t.first; seq <= t.last; ++seq) {
    if (t.visible[seq] == TimePoint{}) {
      ++out.unseen;
      continue;
    }
    double d = std::chrono::duration<double, std::milli>(t.visible[seq] - t.committed[seq]).count();
    ms.push_back(std::max(0.0, d));  // seen in the instant before the writer took the time
  }
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  out.p50_ms = Percentile(ms, 0.50);
  out.p99_ms = Percentile(ms, 0.99);
  out.max_ms = ms.back();
}

}  // namespace

Result<LatencyResult> RunSteadyLatency(const BenchEnv& env, int rate) {
  if (Status s = FreshDatabases(env); !s.ok()) return s;
  const auto total = static_cast<int64_t>(rate * env.steady_seconds);
  Timeline t;
  t.committed.resize(static_cast<size_t>(total + 2));
  t.visible.resize(static_cast<size_t>(total + 2));
  ClickHouseWatch ch(env);
  RelayGroup relay(env, 1, "steady_" + std::to_string(rate));
  // Warm-up: event 0 through the relay, so start-up is not counted.
  int64_t low = 0;
  Status warm = CatchPg([&] {
    pqxx::connection c(env.url);
    return EnqueueNumbered(c, 0, 1, t);
  });
  if (!warm.ok()) return warm;
  if (Status s = PollUntil(
          ch, t, &low, 0, [] { return false; }, SteadyClock::now() + kSettleDeadline);
      !s.ok()) {
    return s;
  }
  // ClickHouse's CPU while nothing is delivered but the poller asks (and the server idles):
  // subtracted, so the figure per event is what delivery costs.
  double idle_cpu_before = ClickHouseCpuSeconds(env);
  TimePoint idle_end = SteadyClock::now() + kIdleSample;
  if (Status s = PollUntil(
          ch, t, &low, 0, [&] { return SteadyClock::now() < idle_end; }, idle_end);
      !s.ok()) {
    return s;
  }
  double idle_cpu_per_s = (ClickHouseCpuSeconds(env) - idle_cpu_before) /
                          std::chrono::duration<double>(kIdleSample).count();
  auto blocks_before = ch.BlocksWritten();
  if (!blocks_before.ok()) return blocks_before.status();
  double cpu_before = ClickHouseCpuSeconds(env);
  TimePoint start = SteadyClock::now();
  Status written;
  double writer_secs = 0;
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    written = WriteSteadily(env, rate, total, t);
    writer_secs = SecondsSince(start);
    writing = false;
  });
  Status polled = PollUntil(
      ch, t, &low, total, [&] { return writing.load(); },
      SteadyClock::now() +
          std::chrono::duration_cast<SteadyClock::duration>(
              std::chrono::duration<double>(env.steady_seconds)) +
          kSettleDeadline);
  writer.join();
  double secs = SecondsSince(start);
  double cpu_after = ClickHouseCpuSeconds(env);
  auto blocks_after = ch.BlocksWritten();
  Status stopped = relay.Stop();
  if (!written.ok()) return written;
  if (!polled.ok()) return polled;
  if (!stopped.ok()) return stopped;
  if (!blocks_after.ok()) return blocks_after.status();
  LatencyResult out;
  out.rate = rate;
  out.events = total;
  t.first = 1;
  t.last = total;
  Summarize(t, out);
  out.achieved_rate = static_cast<double>(total) / writer_secs;
  out.inserts_per_s = static_cast<double>(blocks_after.value() - blocks_before.value()) / secs;
  if (cpu_before >= 0) {
    out.cpu_us_per_event = (cpu_after - cpu_before) * 1e6 / total;
    out.net_cpu_us_per_event =
        std::max(0.0, cpu_after - cpu_before - idle_cpu_per_s * secs) * 1e6 / total;
  }
  return out;
}

}  // namespace eventlog::bench
