// ClusterSink against the real cluster: the split by shard matches the Distributed table's,
// a retried block is deduplicated on the other replica, a replica that is down is skipped and
// taken back after a health check, and a shard with no replica left is an error that names it.
#include "clickhouse/cluster_sink.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "clickhouse/clickhouse_schema.h"
#include "core/uuid7.h"
#include "tests/cluster/cluster_env.h"

namespace eventlog::cluster {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kDatabase = "sink_test";  // not the fault case's tables

class MemoryLedger : public MigrationLedger {
 public:
  Result<std::set<int>> Applied(const std::string&) override { return std::set<int>{}; }
  Status Record(const std::string&, const Migration&) override { return Status::Ok(); }
};

ClickHouseOptions NodeOptions(int n) {
  ClickHouseOptions o;
  o.port = 58130 + n;
  o.user = "eventlog";
  o.password = "eventlog";
  o.database = kDatabase;
  o.timeout_ms = 5000;
  o.connect_timeout_ms = 500;
  return o;
}

std::vector<OutboxRow> Rows(int n) {
  std::vector<OutboxRow> rows;
  for (int i = 0; i < n; ++i) {
    OutboxRow r;
    r.event_id = NewUuid7();
    r.event_type = "sink_test";
    r.event_time_us = 1767225600LL * 1000000 + i;  // 2026-01-01
    r.environment = "Cluster";
    r.event_context = "{\"i\":" + std::to_string(i) + "}";
    rows.push_back(r);
  }
  return rows;
}

int64_t LocalCount(int node) {
  std::string answer =
      NodeQuery(node, std::string("SELECT count() FROM ") + kDatabase + ".event_log_local");
  try {
    return std::stoll(answer);
  } catch (const std::exception&) {
    return -1;
  }
}

class ClusterSinkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ClickHouseOptions o = NodeOptions(1);
    o.database = "default";
    ClickHouseClient client(o);
    MemoryLedger ledger;
    std::vector<std::string> applied;
    Status s = ApplyClickHouseMigrations(client, kDatabase, "event_log", kCluster, ledger, applied);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void SetUp() override {
    for (int n = 1; n <= kNodes; ++n) {
      NodeQuery(n, std::string("SYSTEM SYNC REPLICA ") + kDatabase + ".event_log_local");
    }
    for (int n = 1; n <= kNodes; ++n) before_[n] = LocalCount(n);
  }

  static std::unique_ptr<ClusterSink> MakeSink() {
    std::vector<ClickHouseEndpoint> nodes;
    for (int n = 1; n <= kNodes; ++n) nodes.push_back({"127.0.0.1", 58130 + n});
    return std::make_unique<ClusterSink>(ClusterSinkOptions{.base = NodeOptions(1),
                                                            .nodes = nodes,
                                                            .cluster = kCluster,
                                                            .table = "event_log",
                                                            .health_check = milliseconds(300)});
  }

  // Rows added to node `n` since SetUp, once both replicas of its shard agree.
  int64_t Added(int n) {
    int other = n % 2 == 1 ? n + 1 : n - 1;
    EXPECT_TRUE(
        WaitUntil([&] { return LocalCount(n) - before_[n] == LocalCount(other) - before_[other]; },
                  seconds(30)))
        << "replicas node" << n << " and node" << other << " differ";
    return LocalCount(n) - before_[n];
  }

  std::map<int, int64_t> before_;
};

TEST_F(ClusterSinkTest, SplitsByTheDistributedTablesShardingKey) {
  auto sink = MakeSink();
  ASSERT_TRUE(sink->Probe().ok());
  std::vector<OutboxRow> rows = Rows(400);
  ASSERT_TRUE(sink->Insert(1, rows).ok());
  auto map = ShardMap::FromWeights({1, 1}).value();
  std::set<std::string> shard1_ids;
  for (const OutboxRow& r : rows) {
    if (map.ShardOf(EventShardKey(r.event_id)) == 1) shard1_ids.insert(r.event_id);
  }
  ASSERT_GT(shard1_ids.size(), 100u);  // about half of 400 random keys
  ASSERT_LT(shard1_ids.size(), 300u);
  EXPECT_EQ(Added(1), static_cast<int64_t>(shard1_ids.size()));
  EXPECT_EQ(Added(3), static_cast<int64_t>(rows.size() - shard1_ids.size()));
  // The server's own shard key expression picks the shard the relay picked, row by row.
  std::string wrong = NodeQuery(1, std::string("SELECT count() FROM ") + kDatabase +
                                       ".event_log_local WHERE " + kShardKeySql + " % 2 != 0");
  EXPECT_EQ(wrong, "0");
  auto found = sink->FindPresent(1, rows);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->present.size(), rows.size());
}

TEST_F(ClusterSinkTest, ARetriedBlockOnTheOtherReplicaIsDeduplicated) {
  std::vector<OutboxRow> rows = Rows(50);
  ClickHouseSink replica1(NodeOptions(1), "event_log_local");
  ClickHouseSink replica2(NodeOptions(2), "event_log_local");
  ASSERT_TRUE(replica1.Insert(0, rows).ok());
  ASSERT_TRUE(replica2.Insert(0, rows).ok());  // the same block, the shard's other replica
  EXPECT_EQ(Added(1), 50);
  EXPECT_EQ(Added(2), 50);
}

TEST_F(ClusterSinkTest, SkipsADownReplicaAndNamesAShardWithNoneLeft) {
  auto sink = MakeSink();
  ASSERT_TRUE(sink->Probe().ok());
  ClusterScript({"kill-node", "1"});
  ClusterScript({"kill-node", "3"});
  std::vector<OutboxRow> rows = Rows(100);
  Status s = sink->Insert(2, rows);
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto found = sink->FindPresent(2, rows);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->present.size(), rows.size());

  ClusterScript({"kill-node", "4"});  // shard 2 has no replica left
  std::vector<OutboxRow> more = Rows(100);
  s = sink->Insert(3, more);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("shard 2"), std::string::npos) << s.ToString();
  EXPECT_FALSE(sink->FindPresent(3, more).ok());

  for (const char* n : {"1", "3", "4"}) ClusterScript({"start-node", n});
  // Back after a health check: the same sink sends to shard 2 again.
  EXPECT_TRUE(WaitUntil([&] { return sink->Insert(3, more).ok(); }, seconds(30)));
  auto all = sink->FindPresent(3, more);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->present.size(), more.size());
  // Shard 1's part was sent again with every retry: stored once all the same. (The restarted
  // replicas fetch what was written without them; their counts can agree with their partners'
  // before the last part arrives, so wait for the whole, then check it exactly.)
  const auto want = static_cast<int64_t>(rows.size() + more.size());
  EXPECT_TRUE(WaitUntil([&] { return Added(1) + Added(3) >= want; }, seconds(30)));
  EXPECT_EQ(Added(1) + Added(3), want);
}

// A recovery check needs an answer from every replica that may hold a try of the batch: a sink
// that does not know where the batch went (another relay's, or from before a restart) asks
// every replica of the shard, and with one down it fails (the batch is retried later) instead
// of trusting the others, which may not have fetched the rows yet.
TEST_F(ClusterSinkTest, ARecoveryCheckWaitsForEveryReplicaThatMayHoldTheBatch) {
  auto sink = MakeSink();
  ASSERT_TRUE(sink->Probe().ok());
  std::vector<OutboxRow> rows = Rows(100);
  ASSERT_TRUE(sink->Insert(4, rows).ok());
  auto before = sink->FindPresent(4, rows);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ClusterScript({"kill-node", "2"});
  auto other = MakeSink();
  auto r = other->FindPresent(4, rows);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("127.0.0.1:58132"), std::string::npos)
      << r.status().ToString();
  ClusterScript({"start-node", "2"});
  EXPECT_TRUE(WaitUntil([&] { return other->FindPresent(4, rows).ok(); }, seconds(30)));
  auto after = other->FindPresent(4, rows);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->present.size(), rows.size());
}

}  // namespace
}  // namespace eventlog::cluster
