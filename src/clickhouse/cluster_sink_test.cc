// The cluster sink's time comes from the Clock it is given: a node that failed is not asked
// again before its health check is due, and is asked once it is (no ClickHouse: loopback
// listeners that hang up, counting the connections).
#include "clickhouse/cluster_sink.h"

#include <gtest/gtest.h>

#include "testing/loopback_listener.h"
#include "testing/manual_clock.h"
#include "testing/sample_rows.h"

namespace eventlog {
namespace {

using testing::LoopbackListener;

TEST(ClusterSinkClock, ADownNodeWaitsForItsHealthCheckOnTheGivenClock) {
  LoopbackListener a(LoopbackListener::Mode::kHangUp);
  LoopbackListener b(LoopbackListener::Mode::kHangUp);
  ClusterSinkOptions o;
  o.base.timeout_ms = 2000;
  o.nodes = {{"127.0.0.1", a.port()}, {"127.0.0.1", b.port()}};
  o.table = "event_log";
  o.health_check = std::chrono::milliseconds(5000);
  testing::ManualClock clock;
  Jitter jitter(7);
  ClusterSink sink(o, &clock, jitter);
  const std::vector<OutboxRow> rows{testing::SampleRow()};

  Status first = sink.Insert(1, rows);
  EXPECT_EQ(first.code(), StatusCode::kUnavailable) << first.ToString();
  const int asked = a.connections() + b.connections();
  EXPECT_GE(asked, 2);  // each node was asked (and hung up)

  clock.Advance(std::chrono::milliseconds(4999));
  EXPECT_FALSE(sink.Insert(2, rows).ok());
  EXPECT_EQ(a.connections() + b.connections(), asked) << "a node was asked before its check";

  clock.Advance(std::chrono::milliseconds(1));
  EXPECT_FALSE(sink.Insert(3, rows).ok());
  EXPECT_GT(a.connections() + b.connections(), asked) << "the due health check did not run";
}

}  // namespace
}  // namespace eventlog
