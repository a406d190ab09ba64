// Faults of the servers: ClickHouse stopped or SIGKILLed, PostgreSQL restarted.
#include <gtest/gtest.h>

#include <thread>

#include "tests/faults/fault_checks.h"
#include "tests/faults/fault_env.h"
#include "tests/faults/library_writer.h"
#include "tests/faults/tcp_delay_proxy.h"
#include "tests/faults/user_traffic.h"

namespace eventlog::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class ServerOutageTest : public FaultTest {};

std::unique_ptr<ChildProcess> StartServe(int port) {
  auto serve = SpawnEventlog({"serve"}, "serve", {{"PORT", std::to_string(port)}});
  EXPECT_TRUE(WaitServeReady(port, seconds(15))) << "serve did not come up";
  return serve;
}

// Lets a fault last `window` while checking that the processes stay up.
void HoldFault(milliseconds window, std::vector<ChildProcess*> alive) {
  auto until = std::chrono::steady_clock::now() + window;
  WaitUntil(
      [&] {
        for (ChildProcess* p : alive) EXPECT_TRUE(p->IsAlive()) << p->log_path();
        return std::chrono::steady_clock::now() >= until;
      },
      window + seconds(1), milliseconds(200));
}

// Case 1: POST /users never waits for ClickHouse; the outage only delays delivery.
TEST_F(ServerOutageTest, ClickHouseStoppedUnderTraffic) {
  int port = FreePort();
  auto serve = StartServe(port);
  auto relay = SpawnEventlog({"relay"}, "relay");
  UserTraffic traffic(port, 40, "ch-outage");
  ASSERT_TRUE(WaitUntil([] { return ChCount() >= 40; }, seconds(15))) << "nothing delivered";

  auto stopping = std::chrono::steady_clock::now();
  StopClickHouse();
  auto stop_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - stopping).count();
  int64_t sent_before = traffic.sent();
  HoldFault(seconds(20), {serve.get(), relay.get()});
  int64_t sent_in_outage = traffic.sent() - sent_before;
  int64_t backlog = PendingRows();
  StartClickHouse();
  traffic.Stop();

  Figures f;
  f.case_name = "ch_outage";
  ASSERT_TRUE(WaitDrained(seconds(60), &f.drain_s)) << "pending: " << PendingRows();
  EXPECT_TRUE(relay->IsAlive());
  EXPECT_TRUE(serve->IsAlive());
  auto statuses = traffic.statuses();
  EXPECT_EQ(statuses[201], traffic.sent()) << FormatStatuses(statuses);
  EXPECT_GT(sent_in_outage, 600) << "requests did not flow during the outage";
  EXPECT_GT(backlog, 0) << "the outage built no backlog";
  EXPECT_LT(traffic.max_latency_s(), 1.0) << "a request waited for ClickHouse";
  ExpectUsersDeliveredOnce(f);
  ExpectStatusDrained(f);
  f.extra = "http=" + FormatStatuses(statuses) + " ch_stop_ms=" + std::to_string(stop_ms) +
            " outage_s=20 backlog_at_restart=" + std::to_string(backlog) + " max_post_latency_ms=" +
            std::to_string(static_cast<int>(traffic.max_latency_s() * 1000));
  RecordFigures(f);
}

// Case 2: ClickHouse SIGKILLed mid-INSERT while a backlog drains in small batches. The relay
// reaches ClickHouse through the proxy, which times the kills: half while a request awaits
// its answer, half after ClickHouse answered (the INSERT committed) but before the relay
// heard it, so the relay must find the rows present instead of inserting them again.
TEST_F(ServerOutageTest, ClickHouseKilledMidInsert) {
  std::vector<std::string> ids = EnqueueUsers("ch-kill", 3000, 500);
  TcpDelayProxy proxy(kChHttpPort);
  auto relay = SpawnEventlog(
      {"relay"}, "relay",
      {{"EVENTLOG_BATCH_SIZE", "5"}, {"CLICKHOUSE_PORT", std::to_string(proxy.port())}});
  constexpr int kKills = 4;
  int64_t total = static_cast<int64_t>(ids.size());
  for (int k = 1; k <= kKills; ++k) {
    ASSERT_TRUE(WaitUntil([&] { return ChCount() >= total * k / (kKills + 2); }, seconds(60)))
        << "delivery stalled before kill " << k;
    if (k % 2 == 1) {
      ASSERT_TRUE(
          WaitUntil([&] { return proxy.awaiting_responses() > 0; }, seconds(10), milliseconds(0)));
    } else {
      int64_t dropped = proxy.dropped_responses();
      proxy.SetDropResponses(true);
      ASSERT_TRUE(WaitUntil([&] { return proxy.dropped_responses() > dropped; }, seconds(10),
                            milliseconds(1)));
    }
    KillClickHouse();
    proxy.SetDropResponses(false);
    StartClickHouse();
    ASSERT_TRUE(relay->IsAlive());
  }
  Figures f;
  f.case_name = "ch_kill";
  ASSERT_TRUE(WaitDrained(seconds(90), &f.drain_s)) << "pending: " << PendingRows();
  EXPECT_TRUE(relay->IsAlive());
  ExpectExactlyOnce(ids, "toString(event_id)", f);
  ExpectStatusDrained(f);
  int64_t recovered = CountLogLines(relay->log_path(), "already_present");
  EXPECT_GT(recovered, 0) << "no kill left a committed INSERT unanswered: scenario not exercised";
  f.extra = "kills=" + std::to_string(kKills) +
            " batch_size=5 dropped_answers=" + std::to_string(proxy.dropped_responses()) +
            " recovered_batches_found_present=" + std::to_string(recovered);
  RecordFigures(f);
}

// Case 4: PostgreSQL restarted under traffic: serve answers 503 and lives, the relay
// reconnects by itself.
TEST_F(ServerOutageTest, PostgresRestartedUnderTraffic) {
  int port = FreePort();
  auto serve = StartServe(port);
  auto relay = SpawnEventlog({"relay"}, "relay");
  UserTraffic traffic(port, 30, "pg-restart");
  ASSERT_TRUE(WaitUntil([] { return ChCount() >= 30; }, seconds(15))) << "nothing delivered";

  StopPostgres();
  HoldFault(seconds(5), {serve.get(), relay.get()});
  auto during = traffic.statuses();
  StartPostgres();
  int64_t created_before = during[201];
  ASSERT_TRUE(
      WaitUntil([&] { return traffic.statuses()[201] >= created_before + 60; }, seconds(30)))
      << "serve did not recover: " << FormatStatuses(traffic.statuses());
  traffic.Stop();

  Figures f;
  f.case_name = "pg_restart";
  ASSERT_TRUE(WaitDrained(seconds(60), &f.drain_s)) << "pending: " << PendingRows();
  EXPECT_TRUE(serve->IsAlive()) << serve->log_path();
  EXPECT_TRUE(relay->IsAlive()) << relay->log_path();
  auto statuses = traffic.statuses();
  EXPECT_GT(during[503], 0) << "no 503 while PostgreSQL was down: " << FormatStatuses(during);
  EXPECT_EQ(statuses[201] + statuses[503], traffic.sent())
      << "answers other than 201/503: " << FormatStatuses(statuses);
  ExpectUsersDeliveredOnce(f);
  ExpectStatusDrained(f);
  f.extra = "http=" + FormatStatuses(statuses) + " pg_down_s=5";
  RecordFigures(f);
}

}  // namespace
}  // namespace eventlog::faults
