// `make bench`: every scenario of issue 8 in one run, on the loopback servers `make bench`
// starts, in databases of its own (eventlog_bench). Relays and serve are real `eventlog`
// children with no tuning in their environment, so the figures are the binary's defaults.
// Prints the table (each figure with its reference, ratio and target) and writes
// bench/results.json.
#include <cstdio>
#include <exception>

#include "bench/report.h"
#include "bench/scenarios.h"
#include "observe/logger.h"

namespace eventlog::bench {
namespace {

// Runs one scenario; an error (or exception from a child's start) is recorded, not fatal.
template <typename T, typename Fn>
Outcome<T> Measure(const BenchEnv& env, const char* scenario, const char* name, Fn&& fn) {
  Outcome<T> o;
  if (!Selected(env, scenario)) {
    o.error = "skipped (EVENTLOG_BENCH_ONLY)";
    return o;
  }
  std::fprintf(stderr, "bench: %s ...\n", name);
  auto start = SteadyClock::now();
  try {
    Result<T> r = fn();
    if (r.ok()) {
      o.value = std::move(r.value());
    } else {
      o.error = r.status().ToString();
    }
  } catch (const std::exception& e) {
    o.error = e.what();
  }
  o.seconds = SecondsSince(start);
  std::fprintf(stderr, "bench: %s: %.1f s%s%s\n", name, o.seconds, o.error.empty() ? "" : ": ",
               o.error.c_str());
  return o;
}

// The cluster drains: the bench's own cluster started for them and stopped after them, so it
// holds no memory or CPU during other scenarios.
void RunCluster(const BenchEnv& env, BenchRun& run) {
  if (!Selected(env, "cluster")) return;
  std::fprintf(stderr, "bench: cluster start (%s) ...\n", env.cluster_dir.c_str());
  auto start = SteadyClock::now();
  Status up = StartBenchCluster(env);
  std::fprintf(stderr, "bench: cluster start: %.1f s%s%s\n", SecondsSince(start),
               up.ok() ? "" : ": ", up.ok() ? "" : up.ToString().c_str());
  for (int relays : {1, 2, 4}) {
    std::string name = "cluster drain, " + std::to_string(relays) + " relay(s)";
    if (!up.ok()) {
      run.cluster_drains[relays].error = "cluster start: " + up.ToString();
      continue;
    }
    run.cluster_drains[relays] = Measure<ClusterDrainResult>(
        env, "cluster", name.c_str(), [&] { return RunClusterDrain(env, relays); });
  }
  if (Status down = StopBenchCluster(env); !down.ok()) {
    std::fprintf(stderr, "bench: cluster stop: %s\n", down.ToString().c_str());
  }
}

BenchRun RunAll(const BenchEnv& env) {
  BenchRun run;
  run.events = env.events;
  run.seed_events = env.seed_events;
  run.cluster_events = env.cluster_events;
  auto start = SteadyClock::now();
  run.bulk = Measure<BulkResult>(env, "bulk", "bulk ingest", [&] { return RunBulkIngest(env); });
  run.seed = Measure<SeedResult>(env, "seed", "seed design", [&] { return RunSeedBaseline(env); });
  for (int relays : {1, 2, 4}) {
    std::string name = "drain, " + std::to_string(relays) + " relay(s)";
    run.drains[relays] =
        Measure<DrainResult>(env, "drain", name.c_str(), [&] { return RunDrain(env, relays); });
  }
  run.large = Measure<DrainResult>(env, "large", "drain of 1 MiB events",
                                   [&] { return RunLargeEventDrain(env); });
  for (int rate : {1000, 10000}) {
    std::string name = "steady " + std::to_string(rate) + " ev/s";
    run.steady[rate] = Measure<LatencyResult>(env, "steady", name.c_str(),
                                              [&] { return RunSteadyLatency(env, rate); });
  }
  run.enqueue = Measure<EnqueueResult>(env, "enqueue", "business transactions",
                                       [&] { return RunEnqueue(env); });
  for (int64_t events : env.held_events) {
    std::string name = "claims behind an open transaction, " + std::to_string(events);
    run.held[events] = Measure<HeldResult>(env, "held", name.c_str(),
                                           [&] { return RunHeldTransaction(env, events); });
  }
  run.http = Measure<HttpResult>(env, "http", "POST /users", [&] { return RunPostUsers(env); });
  RunCluster(env, run);
  run.total_seconds = SecondsSince(start);
  return run;
}

}  // namespace
}  // namespace eventlog::bench

int main() {
  using namespace eventlog::bench;
  eventlog::log::Init(eventlog::LogFormat::kConsole, "warn");
  BenchEnv env = LoadBenchEnv();
  BenchRun run = RunAll(env);
  auto rows = BuildReport(run);
  PrintReport(run, rows);
  if (eventlog::Status s = WriteResults(run, rows, env.results_path); !s.ok()) {
    std::fprintf(stderr, "bench: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("results: %s\n", env.results_path.c_str());
  return 0;
}
