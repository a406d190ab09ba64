// The ClickHouse sink against the real server: schema detection, typed errors, and the batch
// query_id that keeps a recovery check from overlapping an INSERT still running.
#include "clickhouse/clickhouse_sink.h"

#include <future>
#include <thread>

#include "core/outbox_store.h"  // ClaimBytesOf
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

class ClickHouseSinkTest : public IntegrationTest {
 protected:
  ClickHouseSink Sink() { return ClickHouseSink(Servers().clickhouse, Servers().table); }
  static OutboxRow Row() {
    auto row = ToOutboxRow(MakeEvent("UserCreated", {{"a", 1}}), "Test", 1024);
    return row.value();
  }
};

TEST_F(ClickHouseSinkTest, LearnsTheTimeColumnFromTheServer) {
  auto sink = Sink();
  EXPECT_TRUE(sink.Probe().ok());
  ClickHouseSink missing(Servers().clickhouse, "no_such_table");
  Status s = missing.Probe();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("eventlog migrate"), std::string::npos) << s.message();
}

TEST_F(ClickHouseSinkTest, RecoveryCheckWaitsForAnInsertOfTheSameBatchStillRunning) {
  auto sink = Sink();
  std::vector<OutboxRow> rows = {Row()};
  ASSERT_TRUE(sink.Probe().ok());
  // Stand-in for an INSERT of batch 42 that the server still executes after its client gave up.
  ClickHouseClient other(Servers().clickhouse);
  std::string query_id = "eventlog-" + Servers().clickhouse.database + ".event_log-batch-42";
  auto running = std::async(std::launch::async, [&] {
    return other.Execute("SELECT sleep(2)", {}, {{"query_id", query_id}});
  });
  ASSERT_TRUE(WaitFor([&] {
    return ChScalar("SELECT count() FROM system.processes WHERE query_id = '" + query_id + "'") ==
           "1";
  }));
  auto during = sink.FindPresent(42, rows);
  EXPECT_EQ(during.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(during.status().server_code(), 216);  // QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING
  EXPECT_EQ(during.status().cause(), FailureCause::kBatchInFlight);
  EXPECT_EQ(sink.Insert(42, rows).code(), StatusCode::kUnavailable);
  EXPECT_EQ(ChCount(), 0);
  ASSERT_TRUE(running.get().ok());
  EXPECT_TRUE(sink.FindPresent(42, rows).ok());
  EXPECT_TRUE(sink.FindPresent(7, rows).ok());
}

// Each INSERT request is reported to the observer with the node that took it (metrics label
// INSERTs by node), its rows and bytes, row by row and streamed alike.
TEST_F(ClickHouseSinkTest, ReportsEachInsertWithItsNode) {
  auto sink = Sink();
  std::vector<InsertReport> reports;
  sink.ObserveInserts([&](const InsertReport& r) { reports.push_back(r); });
  std::vector<OutboxRow> rows = {Row(), Row()};
  ASSERT_TRUE(sink.Insert(5, rows).ok());
  ASSERT_EQ(reports.size(), 1u);
  const std::string node =
      Servers().clickhouse.host + ":" + std::to_string(Servers().clickhouse.port);
  EXPECT_EQ(reports[0].node, node);
  EXPECT_EQ(reports[0].rows, 2);
  EXPECT_EQ(reports[0].bytes, ClaimBytesOf(rows[0]) + ClaimBytesOf(rows[1]));
  EXPECT_TRUE(reports[0].ok);
  EXPECT_GT(reports[0].took.count(), 0);
  OutboxRow bad = Row();
  bad.event_id = "not-a-uuid";
  EXPECT_EQ(sink.Insert(6, {bad}).code(), StatusCode::kRejected);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_FALSE(reports[1].ok);
}

TEST_F(ClickHouseSinkTest, WrongPasswordIsAPreconditionErrorWithoutTheSecret) {
  ClickHouseOptions bad = Servers().clickhouse;
  bad.password = "not-the-password-xyzzy";
  ClickHouseSink sink(bad, Servers().table);
  Status s = sink.Insert(1, {Row()});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.ToString().find("xyzzy"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace eventlog::testing
