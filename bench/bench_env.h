#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "clickhouse/http_client.h"
#include "eventlog/status.h"
#include "tests/faults/process.h"

namespace eventlog::bench {

using SteadyClock = std::chrono::steady_clock;

// Where the bench runs: its own PostgreSQL and ClickHouse database (eventlog_bench), recreated
// before each scenario so that no scenario sees another's rows, parts or bloat.
struct BenchEnv {
  // A database to connect to while the bench database is dropped and created.
  std::string admin_url;
  std::string db_name = "eventlog_bench";
  std::string url;  // the bench database itself
  ClickHouseOptions ch;
  std::string source_dir;      // the checkout: var/ and bench/ paths are relative to it
  std::string log_dir;         // children's output (relay, serve, migrate, wrk)
  std::string results_path;    // bench/results.json
  int events = 1000000;        // drain backlog (EVENTLOG_BENCH_EVENTS)
  int seed_events = 50000;     // backlog of the seed-design baseline (EVENTLOG_BENCH_SEED_EVENTS)
  int large_events = 1000;     // backlog of 1 MiB events, for memory (EVENTLOG_BENCH_LARGE_EVENTS)
  double steady_seconds = 10;  // each steady-rate latency run (EVENTLOG_BENCH_STEADY_SECONDS)
  // The "cluster" scenario's own ClickHouse cluster (scripts/cluster.sh: ZooKeeper and four
  // ClickHouse nodes, 2 shards x 2 replicas, cluster eventlog_cluster), with a data directory
  // and ports apart from the cluster test suite's (var/cluster, 52181, 5813x), so that neither
  // stops or wipes the other's servers. Its event_log lives in ClickHouse database
  // cluster_database; the outbox in the bench's PostgreSQL database above.
  std::string cluster_dir;               // <source>/var/bench-cluster (EVENTLOG_BENCH_CLUSTER_DIR)
  int cluster_zk_port = 52191;           // ZooKeeper
  int cluster_http_base = 58140;         // node N (1..4) serves HTTP on base + N
  int cluster_tcp_base = 59030;          // ... native TCP on base + N
  int cluster_interserver_base = 59040;  // ... replication (interserver HTTP) on base + N
  std::string cluster_name = "eventlog_cluster";
  std::string cluster_database = "bench_cluster";
  int cluster_events = 1000000;  // backlog of each cluster drain (EVENTLOG_BENCH_CLUSTER_EVENTS)
  // Backlogs committed behind an open transaction, one "held" scenario each
  // (EVENTLOG_BENCH_HELD_EVENTS, comma-separated).
  std::vector<int64_t> held_events = {1000000};
  // Scenarios to run (EVENTLOG_BENCH_ONLY, comma-separated: bulk, seed, drain, large, steady,
  // enqueue, held, http, cluster); empty: all. For a quick before/after of one lever; the README's
  // table is a full run.
  std::string only;
};

// True when `scenario` is one of env.only, or env.only is empty.
bool Selected(const BenchEnv& env, const std::string& scenario);

// Reads the EVENTLOG_BENCH_* overrides; the defaults fit `make bench`'s loopback servers.
BenchEnv LoadBenchEnv();

// Drops and recreates both bench databases and applies the schema with `eventlog migrate`, so
// the bench measures whatever schema the binary ships. REQUIRES: no child still connected.
Status FreshDatabases(const BenchEnv& env);
// The PostgreSQL half of FreshDatabases: the bench database dropped and created empty.
Status RecreatePostgres(const BenchEnv& env);

// The environment of an `eventlog` child: connection settings only, nothing inherited, so the
// relay and serve run at the binary's DEFAULT batching, intervals and pool sizes.
faults::Env ChildEnvironment(const BenchEnv& env);

// `eventlog --env-file /dev/null <subcommand>`: the env file is /dev/null so a .env in the
// checkout cannot tune the child either.
std::vector<std::string> EventlogArgv(const std::string& subcommand);

double SecondsSince(SteadyClock::time_point since);

}  // namespace eventlog::bench
