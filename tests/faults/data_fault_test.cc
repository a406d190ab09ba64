// Faults in the data path: rolled-back business transactions, poison rows, a slow ClickHouse.
#include <gtest/gtest.h>

#include "eventlog/event.h"
#include "tests/faults/fault_checks.h"
#include "tests/faults/fault_env.h"
#include "tests/faults/library_writer.h"
#include "tests/faults/tcp_delay_proxy.h"
#include "tests/faults/user_traffic.h"

namespace eventlog::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class DataFaultTest : public FaultTest {};

std::string Join(const std::vector<std::string>& v, const std::string& quote) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + quote + s + quote;
  return out;
}

// Case 5: business transactions committed or rolled back at random while the relay runs:
// exactly the committed events arrive.
TEST_F(DataFaultTest, RandomRollbacks) {
  auto relay = SpawnEventlog({"relay"}, "relay");
  RollbackMix mix = WriteWithRandomRollbacks("rollback", 600, 5);
  Figures f;
  f.case_name = "rollbacks";
  ASSERT_TRUE(WaitDrained(seconds(30), &f.drain_s)) << "pending: " << PendingRows();
  EXPECT_TRUE(relay->IsAlive());
  EXPECT_EQ(PgCount("SELECT count(*) FROM users"), mix.committed_users);
  ASSERT_FALSE(mix.aborted_ids.empty());
  EXPECT_EQ(ChQuery("SELECT count() FROM event_log WHERE event_id IN (" +
                    Join(mix.aborted_ids, "'") + ")"),
            "0")
      << "rolled-back events reached ClickHouse";
  ExpectExactlyOnce(mix.committed_ids, "toString(event_id)", f);
  ExpectStatusDrained(f);
  f.extra = "rolled_back=" + std::to_string(mix.aborted_ids.size());
  RecordFigures(f);
}

// Rows of event_outbox the relay must refuse before sending: a time 18.16's DateTime cannot
// hold. Returns their event ids.
std::vector<std::string> InsertFutureRows(int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    ids.push_back(MakeEvent("FutureEvent", {}).event_id);
    PgExec(
        "INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, "
        "event_context, metadata_version) VALUES ('" +
        ids.back() + "', 'future_event', '2200-01-01 00:00:00+00', 'Faults', '{\"n\":" +
        std::to_string(i) + "}', 1)");
  }
  return ids;
}

// Case 6: poison rows go to dead letters without blocking the others; after the cause is
// fixed, `eventlog requeue --all` delivers them, none twice.
TEST_F(DataFaultTest, PoisonRowsDeadLetteredThenRequeued) {
  ASSERT_EQ(ChQuery("ALTER TABLE event_log ADD COLUMN size_guard UInt8 "
                    "MATERIALIZED throwIf(length(event_context) > 4096)"),
            "");
  auto relay = SpawnEventlog({"relay"}, "relay");
  std::vector<std::string> normal, big;
  for (int round = 0; round < 5; ++round) {
    auto n = EnqueueUsers("normal" + std::to_string(round), 40, 20);
    normal.insert(normal.end(), n.begin(), n.end());
    auto b = EnqueueUsers("big" + std::to_string(round), 1, 1, 5000);
    big.insert(big.end(), b.begin(), b.end());
  }
  std::vector<std::string> future = InsertFutureRows(3);
  std::vector<std::string> poison = big;
  poison.insert(poison.end(), future.begin(), future.end());

  Figures f;
  f.case_name = "poison";
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      WaitUntil([&] { return ChCount() >= static_cast<int64_t>(normal.size()); }, seconds(30)))
      << "poison rows blocked the others";
  double normal_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(WaitDrained(seconds(60), &f.drain_s)) << "pending: " << PendingRows();
  ExpectExactlyOnce(normal, "toString(event_id)", f);
  std::vector<std::string> dead = PgStrings(
      "SELECT event_id::text || ' ' || (CASE WHEN error LIKE '%395%' THEN 'size' "
      "WHEN error LIKE '%outside the range%' THEN 'time' ELSE error END) "
      "FROM event_dead_letters ORDER BY 1");
  std::vector<std::string> want_dead;
  for (const auto& id : big) want_dead.push_back(id + " size");
  for (const auto& id : future) want_dead.push_back(id + " time");
  std::sort(want_dead.begin(), want_dead.end());
  EXPECT_EQ(dead, want_dead) << "dead letters are not exactly the poison rows with their error";
  int64_t dead_letters = static_cast<int64_t>(dead.size());

  ASSERT_EQ(ChQuery("ALTER TABLE event_log DROP COLUMN size_guard"), "");
  PgExec("UPDATE event_dead_letters SET event_date_time = now()");
  std::string out;
  ASSERT_EQ(RunEventlog({"requeue", "--all"}, "requeue", &out), 0) << out;
  EXPECT_NE(out.find("requeued " + std::to_string(poison.size()) + " events"), std::string::npos)
      << out;
  double requeue_drain_s = 0;
  ASSERT_TRUE(WaitDrained(seconds(30), &requeue_drain_s)) << "pending: " << PendingRows();
  EXPECT_EQ(PgCount("SELECT count(*) FROM event_dead_letters"), 0);
  std::vector<std::string> all = normal;
  all.insert(all.end(), poison.begin(), poison.end());
  ExpectExactlyOnce(all, "toString(event_id)", f);
  ExpectStatusDrained(f);
  EXPECT_TRUE(relay->IsAlive());
  f.dead_letters = dead_letters;  // before the requeue; none are left after it
  f.extra = "oversized=" + std::to_string(big.size()) +
            " future_time=" + std::to_string(future.size()) +
            " normal_delivered_s=" + std::to_string(normal_s) +
            " requeued=" + std::to_string(poison.size()) +
            " requeue_drain_s=" + std::to_string(requeue_drain_s);
  RecordFigures(f);
}

// Case 7: ClickHouse answers later than CLICKHOUSE_TIMEOUT_MS (the INSERT commits, the
// answer is held 1.5 s): the relay times out and retries, and its presence check must keep
// the committed rows from being inserted twice.
TEST_F(DataFaultTest, SlowClickHouseAnswers) {
  int port = FreePort();
  auto serve = SpawnEventlog({"serve"}, "serve", {{"PORT", std::to_string(port)}});
  ASSERT_TRUE(WaitServeReady(port, seconds(15)));
  TcpDelayProxy proxy(kChHttpPort);
  auto relay = SpawnEventlog(
      {"relay"}, "relay",
      {{"CLICKHOUSE_PORT", std::to_string(proxy.port())}, {"EVENTLOG_BATCH_SIZE", "20"}});
  UserTraffic traffic(port, 40, "slow-ch");
  ASSERT_TRUE(WaitUntil([] { return ChCount() >= 20; }, seconds(15))) << "nothing delivered";

  // Three slow spells, each until an INSERT committed unanswered and the relay gave up on
  // it, then pass-through until the relay found those rows present.
  constexpr int kSpells = 3;
  const std::string log = relay->log_path();
  for (int spell = 0; spell < kSpells; ++spell) {
    int64_t base = ChCount();
    int64_t retries = CountLogLines(log, "given back for a retry");
    int64_t present = CountLogLines(log, "already_present");
    proxy.SetResponseDelay(milliseconds(1500));
    ASSERT_TRUE(WaitUntil([&] { return ChCount() > base; }, seconds(15))) << "spell " << spell;
    ASSERT_TRUE(WaitUntil([&] { return CountLogLines(log, "given back for a retry") > retries; },
                          seconds(15)))
        << "the relay did not time out in spell " << spell;
    proxy.SetResponseDelay(milliseconds(0));
    ASSERT_TRUE(
        WaitUntil([&] { return CountLogLines(log, "already_present") > present; }, seconds(15)))
        << "the relay did not find its committed rows in spell " << spell;
  }
  traffic.Stop();

  Figures f;
  f.case_name = "slow_ch";
  ASSERT_TRUE(WaitDrained(seconds(60), &f.drain_s)) << "pending: " << PendingRows();
  EXPECT_TRUE(relay->IsAlive());
  int64_t timeouts = CountLogLines(log, "given back for a retry");
  int64_t found_present = CountLogLines(log, "already_present");
  ExpectUsersDeliveredOnce(f);
  ExpectStatusDrained(f);
  f.extra = "slow_spells=" + std::to_string(kSpells) +
            " delayed_answers=" + std::to_string(proxy.delayed_responses()) +
            " retries=" + std::to_string(timeouts) +
            " batches_found_present=" + std::to_string(found_present);
  RecordFigures(f);
}

}  // namespace
}  // namespace eventlog::faults
