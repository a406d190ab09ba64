// The drain of a backlog by 1, 2 or 4 relays into a ClickHouse cluster (2 shards x 2 replicas,
// ReplicatedMergeTree under a Distributed table) on this machine, beside the single-node drain.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "bench/clickhouse_watch.h"
#include "bench/proc_cpu.h"
#include "bench/relay_group.h"
#include "bench/scenarios.h"
#include "bench/workload.h"
#include "clickhouse/clickhouse_sink.h"

namespace eventlog::bench {
namespace {

constexpr int kNodes = 4;  // node 1, 2: shard 1; node 3, 4: shard 2 (scripts/cluster.sh)
constexpr const char* kPath = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
constexpr auto kScriptTimeout = std::chrono::seconds(240);
constexpr auto kReplicaDeadline = std::chrono::minutes(2);
constexpr auto kReplicaPoll = std::chrono::milliseconds(50);

// scripts/cluster.sh <command> for the bench's cluster (its own directory and ports).
Status ClusterScript(const BenchEnv& env, const std::string& command) {
  faults::Env vars = {{"PATH", kPath},
                      {"EVENTLOG_CLUSTER_DIR", env.cluster_dir},
                      {"CLUSTER_ZK_PORT", std::to_string(env.cluster_zk_port)},
                      {"CLUSTER_HTTP_BASE", std::to_string(env.cluster_http_base)},
                      {"CLUSTER_TCP_BASE", std::to_string(env.cluster_tcp_base)},
                      {"CLUSTER_INTERSERVER_BASE", std::to_string(env.cluster_interserver_base)}};
  const std::string log = env.log_dir + "/cluster.log";
  int rc = faults::RunToCompletion({"/bin/bash", env.source_dir + "/scripts/cluster.sh", command},
                                   vars, env.source_dir, log, kScriptTimeout);
  if (rc == 0) return Status::Ok();
  return {StatusCode::kInternal,
          "scripts/cluster.sh " + command + " exited " + std::to_string(rc) + " (see " + log + ")"};
}

std::string ClusterHosts(const BenchEnv& env) {
  std::string hosts;
  for (int n = 1; n <= kNodes; ++n) {
    hosts += (n > 1 ? ",127.0.0.1:" : "127.0.0.1:") + std::to_string(env.cluster_http_base + n);
  }
  return hosts;
}

// The bench environment as seen through node 1 and the cluster's database: ClickHouseWatch
// reads the Distributed event_log there, ChildEnvironment names that database.
BenchEnv ClusterView(const BenchEnv& env) {
  BenchEnv view = env;
  view.ch.port = env.cluster_http_base + 1;
  view.ch.database = env.cluster_database;
  return view;
}

// What makes a relay or `migrate` a cluster one (over ChildEnvironment(ClusterView(env))).
faults::Env ClusterVariables(const BenchEnv& env) {
  return {{"CLICKHOUSE_HOSTS", ClusterHosts(env)}, {"CLICKHOUSE_CLUSTER", env.cluster_name}};
}

ClickHouseClient NodeClient(const BenchEnv& env, int node) {
  ClickHouseOptions o = env.ch;
  o.port = env.cluster_http_base + node;
  o.database = "default";
  return ClickHouseClient(o);
}

Result<int64_t> NodeNumber(const BenchEnv& env, int node, const std::string& sql) {
  ClickHouseClient client = NodeClient(env, node);
  auto r = client.Execute(sql + " FORMAT TSV");
  if (!r.ok())
    return Status(r.status().code(), "node" + std::to_string(node) + ": " + r.status().message());
  return r.value().empty() ? 0 : std::stoll(r.value());  // no row: 0
}

// INSERT queries each node has received since it started (system.events).
Result<std::vector<int64_t>> InsertQueries(const BenchEnv& env) {
  std::vector<int64_t> out;
  for (int n = 1; n <= kNodes; ++n) {
    auto v = NodeNumber(env, n, "SELECT value FROM system.events WHERE event = 'InsertQuery'");
    if (!v.ok()) return v.status();
    out.push_back(v.value());
  }
  return out;
}

Result<std::vector<int64_t>> NodeRows(const BenchEnv& env) {
  std::vector<int64_t> out;
  for (int n = 1; n <= kNodes; ++n) {
    auto v = NodeNumber(env, n, "SELECT count() FROM " + env.cluster_database + ".event_log_local");
    if (!v.ok()) return v.status();
    out.push_back(v.value());
  }
  return out;
}

std::string Joined(const std::vector<int64_t>& v) {
  std::string out;
  for (int64_t x : v) out += (out.empty() ? "" : "/") + std::to_string(x);
  return out;
}

// Polls each node's event_log_local until both replicas of each shard hold the same rows and
// the shards together hold at least `n`: the seconds since `start`; `rows` gets the last counts.
Result<double> WaitForReplicas(const BenchEnv& env, int64_t n, SteadyClock::time_point start,
                               std::vector<int64_t>& rows) {
  auto deadline = SteadyClock::now() + kReplicaDeadline;
  for (;;) {
    auto r = NodeRows(env);
    if (!r.ok()) return r.status();
    rows = r.value();
    if (rows[0] == rows[1] && rows[2] == rows[3] && rows[0] + rows[2] >= n) {
      return SecondsSince(start);
    }
    if (SteadyClock::now() > deadline) {
      return Status(StatusCode::kUnavailable,
                    "replicas did not converge within 2 min: node rows " + Joined(rows));
    }
    std::this_thread::sleep_for(kReplicaPoll);
  }
}

// PostgreSQL recreated, the cluster's tables dropped ON CLUSTER (on 18.16 a TRUNCATE's parts go
// lazily; DROP of the last replica also removes the table's ZooKeeper path), `migrate` again.
Status FreshClusterDatabases(const BenchEnv& env) {
  if (Status s = RecreatePostgres(env); !s.ok()) return s;
  ClickHouseClient node1 = NodeClient(env, 1);
  auto exists = node1.Execute("SELECT count() FROM system.databases WHERE name = " +
                              QuoteClickHouse(env.cluster_database) + " FORMAT TSV");
  if (!exists.ok()) return exists.status();
  if (exists.value() != "0\n") {
    for (const std::string table : {"event_log", "event_log_local"}) {
      auto r = node1.Execute("DROP TABLE IF EXISTS " + env.cluster_database + "." + table +
                             " ON CLUSTER " + env.cluster_name);
      if (!r.ok()) return {r.status().code(), "dropping " + table + ": " + r.status().message()};
    }
  }
  faults::Env vars = ChildEnvironment(ClusterView(env));
  for (const auto& [k, v] : ClusterVariables(env)) vars[k] = v;
  const std::string log = env.log_dir + "/cluster_migrate.log";
  int rc = faults::RunToCompletion(EventlogArgv("migrate"), vars, env.source_dir, log,
                                   std::chrono::seconds(180));
  if (rc != 0) {
    return {StatusCode::kInternal,
            "eventlog migrate (cluster) exited " + std::to_string(rc) + " (see " + log + ")"};
  }
  return Status::Ok();
}

// CPU seconds of the four ClickHouse nodes together; negative when one is unknown.
double NodesCpuSeconds(const BenchEnv& env) {
  double total = 0;
  for (int n = 1; n <= kNodes; ++n) {
    double s = ProcessCpuSeconds(
        PidFromFile(env.cluster_dir + "/node" + std::to_string(n) + "/clickhouse/data/status"));
    if (s < 0) return -1;
    total += s;
  }
  return total;
}

double ZooKeeperCpuSeconds(const BenchEnv& env) {
  return ProcessCpuSeconds(PidFromFile(env.cluster_dir + "/zk/zk.pid"));
}

}  // namespace

Status StartBenchCluster(const BenchEnv& env) {
  // A fresh cluster: ZooKeeper's data and the nodes' go together (a node's tables name
  // ZooKeeper paths).
  if (Status s = ClusterScript(env, "stop"); !s.ok()) return s;
  std::error_code ec;
  std::filesystem::remove_all(env.cluster_dir, ec);
  if (ec) return {StatusCode::kInternal, "removing " + env.cluster_dir + ": " + ec.message()};
  return ClusterScript(env, "start");
}

Status StopBenchCluster(const BenchEnv& env) { return ClusterScript(env, "stop"); }

Result<ClusterDrainResult> RunClusterDrain(const BenchEnv& env, int relays) {
  const int64_t n = env.cluster_events;
  const BenchEnv view = ClusterView(env);
  if (Status s = FreshClusterDatabases(env); !s.ok()) return s;
  if (Status s = FillBacklog(env, n); !s.ok()) return s;
  ClickHouseWatch ch(view);  // through the Distributed event_log on node 1
  auto inserts_before = InsertQueries(env);
  if (!inserts_before.ok()) return inserts_before.status();

  ClusterDrainResult r;
  DrainResult& d = r.drain;
  d.relays = relays;
  d.events = n;
  r.cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  double nodes_before = NodesCpuSeconds(env);
  double zk_before = ZooKeeperCpuSeconds(env);
  double pg_before = BenchPostgresCpuSeconds(env);
  MachineCpu machine_before = ReadMachineCpu();
  auto start = SteadyClock::now();
  faults::Env relay_env = ClusterVariables(env);
  relay_env["LOG_LEVEL"] = kTimeSplitLogLevel;
  RelayGroup group(view, relays, "cluster_drain_" + std::to_string(relays), relay_env);
  auto secs = WaitForCount(ch, n, start);
  MachineCpu machine_after = ReadMachineCpu();
  d.relay_cpu_seconds = group.CpuSeconds();
  d.cpu_seconds = CpuDelta(nodes_before, NodesCpuSeconds(env));
  r.zookeeper_cpu_seconds = CpuDelta(zk_before, ZooKeeperCpuSeconds(env));
  d.postgres_cpu_seconds = CpuDelta(pg_before, BenchPostgresCpuSeconds(env));
  Result<double> replicated = Status(StatusCode::kUnavailable, "not delivered");
  if (secs.ok()) {
    r.busy_cores = BusyCores(machine_before, machine_after, secs.value());
    replicated = WaitForReplicas(env, n, start, r.node_rows);
  }
  d.peak_rss_bytes = group.PeakRssBytes();  // before they exit
  Status stopped = group.Stop();
  d.time_split = ReadRelayTimeSplit(group.log_path());  // logged as each relay returns
  if (!secs.ok()) return secs.status();
  if (!stopped.ok()) return stopped;
  d.seconds = secs.value();
  d.events_per_s = static_cast<double>(n) / d.seconds;
  if (d.cpu_seconds >= 0) d.cpu_us_per_event = d.cpu_seconds * 1e6 / static_cast<double>(n);

  auto inserts_after = InsertQueries(env);
  if (!inserts_after.ok()) return inserts_after.status();
  for (int i = 0; i < kNodes; ++i) {
    r.node_inserts.push_back(inserts_after.value()[i] - inserts_before.value()[i]);
    d.inserts += r.node_inserts.back();
  }
  d.rows_per_insert = d.inserts > 0 ? static_cast<double>(n) / static_cast<double>(d.inserts) : 0;

  // Checked after the relays exited and the replicas converged: nothing may land twice late,
  // and whichever replica the Distributed table reads must hold the same rows.
  auto once = ch.ExactlyOnce(n, &d.check);
  if (!once.ok()) return once.status();
  d.exactly_once = once.value() && replicated.ok();
  if (replicated.ok()) {
    r.replicated_seconds = replicated.value();
    d.check += " replicas=" + Joined(r.node_rows);
  } else {
    d.check += "; " + replicated.status().message();
  }
  if (!d.exactly_once) {
    std::fprintf(stderr, "bench: cluster drain, %d relay(s): WRONG DATA: %s\n", relays,
                 d.check.c_str());
  }
  return r;
}

}  // namespace eventlog::bench
