#include "tests/cluster/cluster_env.h"

#include <filesystem>
#include <pqxx/pqxx>
#include <thread>

#include "clickhouse/http_client.h"

namespace eventlog::cluster {
namespace {

constexpr const char* kPath = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";

std::string PgUrl(const std::string& db) {
  return "postgresql://eventlog:eventlog@127.0.0.1:" + std::to_string(kPgPort) + "/" + db;
}

int Script(const std::string& script, const std::vector<std::string>& args, const Env& extra) {
  Env env = {{"PATH", kPath}};
  env.insert(extra.begin(), extra.end());
  std::vector<std::string> argv = {"/bin/bash",
                                   std::string(EVENTLOG_SOURCE_DIR) + "/scripts/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  return faults::RunToCompletion(argv, env, VarDir(), LogsDir() + "/scripts.log",
                                 std::chrono::seconds(240));
}

void Postgres(const std::string& command) {
  int rc = Script("services.sh", {command},
                  {{"EVENTLOG_VAR_DIR", VarDir()}, {"PG_PORT", std::to_string(kPgPort)}});
  ASSERT_EQ(rc, 0) << "scripts/services.sh " << command << " (see " << LogsDir() << "/scripts.log)";
}

}  // namespace

std::vector<std::string> SourceUrls() { return {PgUrl("eventlog_a"), PgUrl("eventlog_b")}; }

std::string ClickHouseHosts() {
  std::string hosts;
  for (int n = 1; n <= kNodes; ++n) {
    hosts += (n > 1 ? "," : "") + std::string("127.0.0.1:") + std::to_string(58130 + n);
  }
  return hosts;
}

std::string VarDir() { return std::string(EVENTLOG_SOURCE_DIR) + "/var/cluster-suite"; }
std::string LogsDir() { return VarDir() + "/logs"; }

void ClusterScript(const std::vector<std::string>& args) {
  int rc = Script("cluster.sh", args, {});
  ASSERT_EQ(rc, 0) << "scripts/cluster.sh " << args.front() << " (see " << LogsDir()
                   << "/scripts.log)";
}

void ClusterEnvironment::SetUp() {
  std::filesystem::create_directories(LogsDir());
  // A fresh cluster: ZooKeeper's and ClickHouse's data go together.
  ASSERT_NO_FATAL_FAILURE(ClusterScript({"stop"}));
  std::filesystem::remove_all(std::string(EVENTLOG_SOURCE_DIR) + "/var/cluster");
  ASSERT_NO_FATAL_FAILURE(ClusterScript({"start"}));
  ASSERT_NO_FATAL_FAILURE(Postgres("start-pg"));
  {
    pqxx::connection conn(PgUrl("eventlog"));
    pqxx::nontransaction tx(conn);
    for (const char* db : {"eventlog_a", "eventlog_b"}) {
      tx.exec0(std::string("DROP DATABASE IF EXISTS ") + db);
      tx.exec0(std::string("CREATE DATABASE ") + db + " OWNER eventlog");
    }
  }
  auto migrate = SpawnEventlog({"migrate"}, "migrate");
  ASSERT_TRUE(migrate->WaitFor(std::chrono::seconds(240))) << "migrate hangs";
  ASSERT_EQ(migrate->exit_code(), 0) << "eventlog migrate failed: " << migrate->log_path();
}

void ClusterEnvironment::TearDown() {
  ClusterScript({"stop"});
  Postgres("stop-pg");
}

std::string NodeQuery(int n, const std::string& sql) {
  ClickHouseOptions o;
  o.port = 58130 + n;
  o.user = "eventlog";
  o.password = "eventlog";
  o.timeout_ms = 30000;
  ClickHouseClient client(o);
  auto r = client.Execute(sql);
  if (!r.ok()) return "ERROR: " + r.status().ToString();
  std::string out = r.value();
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

int64_t PgCount(const std::string& url, const std::string& sql) {
  try {
    pqxx::connection conn(url);
    pqxx::nontransaction tx(conn);
    return tx.exec1(sql)[0].as<int64_t>();
  } catch (const std::exception&) {
    return -1;
  }
}

int64_t PendingRows() {
  int64_t sum = 0;
  for (const std::string& url : SourceUrls()) {
    int64_t n = PgCount(url,
                        "SELECT (SELECT count(*) FROM eventlog_unclaimed) + "
                        "(SELECT count(*) FROM eventlog_batches)");
    if (n < 0) return -1;
    sum += n;
  }
  return sum;
}

Env RelayEnv() {
  return {{"PATH", kPath},
          {"EVENTLOG_SOURCES", SourceUrls()[0] + " " + SourceUrls()[1]},
          {"CLICKHOUSE_HOSTS", ClickHouseHosts()},
          {"CLICKHOUSE_CLUSTER", kCluster},
          {"CLICKHOUSE_USER", "eventlog"},
          {"CLICKHOUSE_PASSWORD", "eventlog"},
          {"CLICKHOUSE_TIMEOUT_MS", "5000"},
          {"CLICKHOUSE_CONNECT_TIMEOUT_MS", "500"},
          {"CLICKHOUSE_HEALTH_CHECK_MS", "500"},
          {"ENVIRONMENT", "Cluster"},
          {"EVENTLOG_LEASE_MS", "11000"},
          {"EVENTLOG_RETRY_BASE_MS", "100"},
          {"EVENTLOG_RETRY_MAX_MS", "1000"},
          {"EVENTLOG_MAX_ATTEMPTS", "3"},
          {"EVENTLOG_BATCH_MAX_ROWS", "500"},
          {"EVENTLOG_MIN_INSERT_INTERVAL_MS", "50"},
          {"LOG_LEVEL", "info"}};
}

std::unique_ptr<ChildProcess> SpawnEventlog(const std::vector<std::string>& args,
                                            const std::string& name, const Env& extra) {
  Env env = RelayEnv();
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> argv = {EVENTLOG_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string log = LogsDir() + "/" + name + ".log";
  std::filesystem::remove(log);
  return std::make_unique<ChildProcess>(std::move(argv), std::move(env), VarDir(), log);
}

}  // namespace eventlog::cluster

// Registered before gtest_main's RUN_ALL_TESTS.
[[maybe_unused]] static ::testing::Environment* const kClusterEnvironment =
    ::testing::AddGlobalTestEnvironment(new eventlog::cluster::ClusterEnvironment);
