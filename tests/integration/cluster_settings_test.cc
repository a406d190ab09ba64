// CLICKHOUSE_HOSTS / CLICKHOUSE_CLUSTER against the single test server: what a misconfiguration
// gets. (Failover, sharding and exactly-once on a real cluster: tests/cluster.)
#include "clickhouse/cluster_sink.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

class ClusterSettingsTest : public IntegrationTest {};

// Two nodes holding a plain MergeTree event_log (here: the one server, twice): failing over
// between independent tables could store a retry twice, so the sink refuses, naming the table.
TEST_F(ClusterSettingsTest, SeveralHostsNeedAReplicatedTable) {
  const int port = Servers().clickhouse.port;
  ClusterSink sink({.base = Servers().clickhouse,
                    .nodes = {{"127.0.0.1", port}, {"127.0.0.1", port}},
                    .cluster = "",
                    .table = Servers().table});
  Status s = sink.Probe();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("not a Replicated*MergeTree"), std::string::npos) << s.ToString();
  EXPECT_TRUE(sink.Insert(1, {}).ok());  // nothing to send
  auto row = ToOutboxRow(MakeEvent("UserCreated", {{"a", 1}}), "Test", 1024).value();
  Status insert = sink.Insert(1, {row});
  EXPECT_FALSE(insert.ok());
  EXPECT_EQ(ChCount(), 0);
}

TEST_F(ClusterSettingsTest, AnUnreachableNodeIsReported) {
  ClusterSink sink({.base = Servers().clickhouse,
                    .nodes = {{"127.0.0.1", 1}},  // nothing listens on port 1
                    .cluster = "",
                    .table = Servers().table});
  Status s = sink.Probe();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("no ClickHouse node is reachable"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("127.0.0.1:1"), std::string::npos) << s.ToString();
}

// A cluster the server does not define: migrate fails with ClickHouse's words, exit 1.
TEST_F(ClusterSettingsTest, MigrateNamesAnUnknownCluster) {
  CliRun r = RunEventlog(ServerEnv() + " CLICKHOUSE_CLUSTER=no_such_cluster", "migrate");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no_such_cluster"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("eventlog:eventlog"), std::string::npos) << r.output;
}

TEST_F(ClusterSettingsTest, BadHostsAreRefusedAtStart) {
  CliRun r = RunEventlog(ServerEnv() + " CLICKHOUSE_HOSTS=a:1,::1", "relay");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.err.find("CLICKHOUSE_HOSTS"), std::string::npos) << r.err;
}

// Nodes that are not replicas of one table (here the one server's plain MergeTree table, under
// two names): two relays started together both refuse the whole setting at start, exit 2, and
// name the same node (they used to skip one with a warning and keep running).
TEST_F(ClusterSettingsTest, TwoRelaysRefuseNodesThatAreNotReplicasAlike) {
  const std::string port = std::to_string(Servers().clickhouse.port);
  const std::string env = ServerEnv() + " CLICKHOUSE_HOSTS=127.0.0.1:" + port +
                          ",localhost:" + port + " EVENTLOG_SHUTDOWN_TIMEOUT_MS=1000";
  const std::string relay = "cd /tmp && timeout -s KILL 20 env " + env + " " + EVENTLOG_BIN +
                            " --env-file /dev/null relay";
  // Both at once, each reporting its exit code on its own line after its output.
  CliRun r = RunCommand("for i in 1 2; do (" + relay +
                        " >/tmp/eventlog-refuse-$$-$i.log 2>&1; echo \"exit=$?\" >> "
                        "/tmp/eventlog-refuse-$$-$i.log) & done; wait; "
                        "cat /tmp/eventlog-refuse-$$-1.log; echo ====; "
                        "cat /tmp/eventlog-refuse-$$-2.log; rm -f /tmp/eventlog-refuse-$$-*.log");
  size_t split = r.out.find("====");
  ASSERT_NE(split, std::string::npos) << r.output;
  for (const std::string& out : {r.out.substr(0, split), r.out.substr(split)}) {
    EXPECT_NE(out.find("exit=2"), std::string::npos) << out;
    EXPECT_NE(out.find("ClickHouse configuration refused"), std::string::npos) << out;
    EXPECT_NE(out.find("on 127.0.0.1:" + port + " is MergeTree"), std::string::npos) << out;
    EXPECT_EQ(out.find("eventlog:eventlog"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace eventlog::testing
