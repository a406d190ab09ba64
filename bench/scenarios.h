#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_env.h"
#include "bench/relay_time_split.h"

// The scenarios of `make bench` (issue 8). Each starts from FreshDatabases and returns its
// figures, or the error that stopped it (the run goes on with the next scenario).
namespace eventlog::bench {

// One INSERT of all rows in one input format (medians over the repetitions).
struct FormatFigures {
  std::string format;  // "TabSeparated", "RowBinary", "Native"
  int64_t body_bytes = 0;
  double rows_per_s = 0;
  double cpu_us_per_row = -1;  // ClickHouse server CPU; negative: unknown
};
// One INSERT of all rows, ClickHouse's own ingest rate: the ceiling of a drain. The same rows in
// each format of row_formats.h, the formats alternating within each repetition.
struct BulkResult {
  int64_t rows = 0;
  double rows_per_s = 0;               // TabSeparated, what the relay sends: the drains' reference
  double cpu_us_per_row = -1;          // the same; ClickHouse server CPU; negative: unknown
  std::vector<FormatFigures> formats;  // every format, TabSeparated first
};
Result<BulkResult> RunBulkIngest(const BenchEnv& env);

// A backlog drained by `relays` real `eventlog relay` processes at their default settings.
struct DrainResult {
  int relays = 0;
  int64_t events = 0;
  double seconds = 0;
  double events_per_s = 0;
  int64_t inserts = 0;  // INSERT blocks (parts) written, see ClickHouseWatch::BlocksWritten
  double rows_per_insert = 0;
  double cpu_seconds = -1;       // ClickHouse's (the four nodes' in a cluster)
  double cpu_us_per_event = -1;  // the same per event
  // From the relays' start until the count is reached; negative: unknown.
  double postgres_cpu_seconds = -1;  // the PostgreSQL of scripts/services.sh
  double relay_cpu_seconds = -1;     // all relays of the drain, read before they stop
  // The relays' own claim / read / send / mark split; nullopt when their log has none.
  std::optional<RelayTimeSplit> time_split;
  int64_t peak_rss_bytes = 0;  // the largest VmHWM among the relays
  bool exactly_once = false;
  std::string check;  // what the exactly-once check found
};
Result<DrainResult> RunDrain(const BenchEnv& env, int relays);
// The same with env.large_events events of 1 MiB of context each, 1 relay: its memory bound.
Result<DrainResult> RunLargeEventDrain(const BenchEnv& env);

// The bench's own cluster (BenchEnv::cluster_*): scripts/cluster.sh stop, its data directory
// wiped (ZooKeeper's and the nodes' together), scripts/cluster.sh start.
Status StartBenchCluster(const BenchEnv& env);
// scripts/cluster.sh stop for the bench's cluster: no memory held for later scenarios.
Status StopBenchCluster(const BenchEnv& env);

// A backlog of env.cluster_events events drained by `relays` relays at their defaults into the
// cluster (CLICKHOUSE_HOSTS of the four nodes, CLICKHOUSE_CLUSTER): each relay splits a batch by
// shard and INSERTs each part into a replica of that shard's event_log_local; the clock stops
// when count() through the Distributed event_log reaches the backlog. REQUIRES: StartBenchCluster.
struct ClusterDrainResult {
  DrainResult drain;  // inserts: INSERT queries the four nodes received; cpu: the four nodes'
  double replicated_seconds = -1;     // from the start until both replicas of each shard hold all
  std::vector<int64_t> node_rows;     // rows in each node's event_log_local, node 1..4, at the end
  std::vector<int64_t> node_inserts;  // INSERT queries each node received during the drain
  // CPU seconds during the drain (start to count reached); negative: unknown.
  double zookeeper_cpu_seconds = -1;
  double busy_cores = -1;  // the whole machine's busy CPUs on average
  int cores = 0;
};
Result<ClusterDrainResult> RunClusterDrain(const BenchEnv& env, int relays);

// The seed's design over a copy table: poll every 1 s, 100 rows a batch, UPDATE processed.
struct SeedResult {
  int64_t events = 0;
  double events_per_s = 0;
  bool exactly_once = false;
};
Result<SeedResult> RunSeedBaseline(const BenchEnv& env);

// Commit -> visible in ClickHouse at a steady enqueue rate, one relay at its defaults.
struct LatencyResult {
  int rate = 0;  // events/s asked for
  int64_t events = 0;
  double achieved_rate = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  double inserts_per_s = 0;
  double cpu_us_per_event = -1;      // ClickHouse CPU over the run / events
  double net_cpu_us_per_event = -1;  // the same less the rate measured idle with the poller
  int64_t unseen = 0;                // events never seen before the deadline
};
Result<LatencyResult> RunSteadyLatency(const BenchEnv& env, int rate);

// One-row business transactions from 2 clients, without and with one outbox event each (two ways).
struct EnqueueResult {
  double without_tx_per_s = 0;
  double with_tx_per_s = 0;          // Enqueue, a statement of its own
  double in_statement_tx_per_s = 0;  // InStatement, in the business INSERT
  double enqueue_ratio = 0;          // median over rounds of with / without, in one round
  double in_statement_ratio = 0;     // same for InStatement
};
Result<EnqueueResult> RunEnqueue(const BenchEnv& env);

// Claims (PgOutboxStore, default caps, no ClickHouse) of `events` committed while a transaction
// that wrote into the outbox stays open, then of one more event, then an idle claim.
struct HeldResult {
  int64_t events = 0;
  int64_t claims = 0;
  double claim_p50_ms = 0;
  double claim_p90_ms = 0;
  double claim_max_ms = 0;
  double one_event_claim_ms = 0;  // with every event above still behind the open transaction
  double idle_claim_ms = 0;       // nothing waiting
};
Result<HeldResult> RunHeldTransaction(const BenchEnv& env, int64_t events);

// POST /users against `eventlog serve` at its defaults, driven by wrk.
struct HttpResult {
  double requests_per_s = 0;
  double p99_ms = 0;
  int64_t errors = 0;  // non-2xx answers and socket errors
};
Result<HttpResult> RunPostUsers(const BenchEnv& env);

}  // namespace eventlog::bench
