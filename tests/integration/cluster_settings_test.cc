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
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
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

}  // namespace
}  // namespace eventlog::testing
