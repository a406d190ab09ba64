// The relay against the real PostgreSQL and ClickHouse: EventOutboxProcessed, batching,
// retry, recovery, poison rows, two relays.
#include <atomic>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "clickhouse/clickhouse_sink.h"
#include "eventlog/outbox_writer.h"
#include "outbox/outbox_admin.h"
#include "outbox/pg_outbox_store.h"
#include "relay/relay.h"
#include "tests/integration/relay_fixture.h"

namespace eventlog::testing {
namespace {

using std::chrono::milliseconds;

// Forwards to the real sink and records the size of every INSERT.
class CountingSink : public EventSink {
 public:
  explicit CountingSink(EventSink& inner) : inner_(inner) {}
  Status Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) override {
    {
      std::lock_guard lock(mu_);
      sizes_.push_back(rows.size());
    }
    return inner_.Insert(batch_id, rows);
  }
  Result<Presence> FindPresent(int64_t batch_id, const std::vector<OutboxRow>& rows) override {
    return inner_.FindPresent(batch_id, rows);
  }
  std::vector<size_t> sizes() {
    std::lock_guard lock(mu_);
    return sizes_;
  }

 private:
  EventSink& inner_;
  std::mutex mu_;
  std::vector<size_t> sizes_;
};

TEST_F(RelayIntegrationTest, EventOutboxProcessed) {
  pqxx::connection conn(Servers().database_url);
  OutboxWriter writer("Test", 1 << 20);
  Event e = MakeEvent("UserCreated", {{"email", "ada@example.com"}});
  e.timestamp = std::chrono::sys_time<std::chrono::microseconds>(
      std::chrono::microseconds(1714564800123456));  // 2024-05-01 12:00:00.123456 UTC
  {
    pqxx::work tx(conn);
    ASSERT_TRUE(writer.Enqueue(tx, e).ok());
    tx.commit();
  }
  auto store = Store();
  auto sink = Sink();
  StepOutcome o = RunRelayStep(store, sink, Policy());
  ASSERT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_EQ(o.delivered, 1);

  // 18.16 stores whole seconds (DateTime); modern servers the microseconds (DateTime64(6)).
  std::string row = ChScalar(
      "SELECT concat(toString(event_id), '|', event_type, '|', toString(event_date_time), '|', "
      "environment, '|', event_context, '|', toString(metadata_version)) FROM event_log");
  std::string expected_time = ChScalar(
      "SELECT if(type LIKE 'DateTime64%', '2024-05-01 12:00:00.123456', '2024-05-01 12:00:00') "
      "FROM system.columns WHERE database = currentDatabase() AND table = 'event_log' AND "
      "name = 'event_date_time'");
  EXPECT_EQ(row, e.event_id + "|user_created|" + expected_time +
                     "|Test|{\"email\":\"ada@example.com\"}|1");
  EXPECT_EQ(PgCount("eventlog_unclaimed"), 0);
  EXPECT_EQ(PgCount("eventlog_batches"), 0);
  EXPECT_EQ(PgScalar("SELECT value FROM eventlog_counters WHERE name = 'delivered'"), "1");
}

TEST_F(RelayIntegrationTest, TwoHundredFiftyEventsMakeThreeInsertsOfAtMostOneHundred) {
  Enqueue(250);
  auto store = Store();
  auto real = Sink();
  CountingSink sink(real);
  StepOutcome o;
  do {
    o = RunRelayStep(store, sink, Policy(100));
    ASSERT_TRUE(o.error.ok()) << o.error.ToString();
  } while (o.claimed);
  EXPECT_EQ(sink.sizes(), (std::vector<size_t>{100, 100, 50}));
  EXPECT_EQ(ChCount(), 250);
  EXPECT_EQ(ChUniqueIds(), 250);
}

TEST_F(RelayIntegrationTest, ClickHouseUnreachableKeepsRowsPendingThenDelivers) {
  Enqueue(10);
  auto store = Store();
  ClickHouseOptions dead = Servers().clickhouse;
  dead.port = 1;  // nothing listens there
  dead.connect_timeout_ms = 200;
  ClickHouseSink down(dead, Servers().table);
  StepOutcome failed = RunRelayStep(store, down, Policy());
  EXPECT_EQ(failed.error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(failed.delivered, 0);

  auto stats = ReadOutboxStats(Servers().database_url);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->pending, 10);
  EXPECT_EQ(stats->retrying_batches, 1);
  EXPECT_EQ(PgScalar("SELECT attempts FROM eventlog_batches"), "1");
  EXPECT_NE(PgScalar("SELECT last_error FROM eventlog_batches").find("ClickHouse"),
            std::string::npos);

  auto up = Sink();
  ASSERT_TRUE(WaitFor([&] { return RunRelayStep(store, up, Policy()).delivered == 10; }));
  EXPECT_EQ(ChCount(), 10);
  EXPECT_EQ(ChUniqueIds(), 10);
  EXPECT_EQ(ReadOutboxStats(Servers().database_url)->pending, 0);
}

TEST_F(RelayIntegrationTest, BatchOfADeadRelayIsTakenOverWithoutDuplicates) {
  Enqueue(40);
  auto dying = Store(milliseconds(200), "dying");
  auto sink = Sink();
  // The first relay claims and inserts, then "dies" before marking the batch.
  auto claimed = dying.Claim(100);
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  ASSERT_TRUE(sink.Insert((*claimed)->batch_id, (*claimed)->rows).ok());

  auto survivor = Store(milliseconds(30000), "survivor");
  // Not while the lease runs: nothing to take.
  EXPECT_FALSE(RunRelayStep(survivor, sink, Policy()).claimed);
  StepOutcome o;
  ASSERT_TRUE(WaitFor([&] {
    o = RunRelayStep(survivor, sink, Policy());
    return o.claimed;
  }));
  EXPECT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_EQ(o.already_present, 40);
  EXPECT_EQ(o.inserts, 0);
  EXPECT_EQ(ChCount(), 40);
  EXPECT_EQ(PgCount("eventlog_batches"), 0);
  // The dead relay's late completion is refused by the fencing token.
  EXPECT_EQ(dying.Complete(**claimed, 40, {}).code(), StatusCode::kLeaseLost);
}

TEST_F(RelayIntegrationTest, PoisonRowIsDeadLetteredOthersDeliveredRequeueDelivers) {
  Enqueue(20);
  // A timestamp 18.16's DateTime cannot hold (it would wrap silently): refused by the relay.
  PgExec(
      "INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, "
      "event_context) VALUES ('01900000-0000-7000-8000-000000000001', 'far_future', "
      "'2200-01-01 00:00:00+00', 'Test', '{}')");
  auto store = Store();
  auto sink = Sink();
  RelayPolicy policy = Policy();
  policy.max_attempts = 2;
  StepOutcome first = RunRelayStep(store, sink, policy);
  EXPECT_EQ(first.delivered, 20);
  EXPECT_EQ(first.dead_lettered, 0);  // not on the first rejection
  StepOutcome second;
  ASSERT_TRUE(WaitFor([&] {
    second = RunRelayStep(store, sink, policy);
    return second.claimed;
  }));
  EXPECT_EQ(second.dead_lettered, 1);
  EXPECT_EQ(ChCount(), 20);
  EXPECT_EQ(PgCount("event_dead_letters"), 1);
  EXPECT_NE(PgScalar("SELECT error FROM event_dead_letters").find("outside the range"),
            std::string::npos);
  EXPECT_EQ(PgCount("eventlog_batches"), 0);

  PgExec("UPDATE event_dead_letters SET event_date_time = '2024-01-01'");
  RequeueFilter all;
  all.all = true;
  ASSERT_EQ(RequeueDeadLetters(Servers().database_url, all)->moved, 1);
  EXPECT_EQ(RunRelayStep(store, sink, policy).delivered, 1);
  EXPECT_EQ(ChCount(), 21);
  EXPECT_EQ(ChUniqueIds(), 21);
}

TEST_F(RelayIntegrationTest, TwoRelaysAtOnceDeliverEveryEventExactlyOnce) {
  auto ids = Enqueue(3000);
  std::atomic<bool> stop{false};
  auto run = [&](const std::string& name, int64_t& delivered) {
    auto store = Store(milliseconds(30000), name);
    auto sink = Sink();
    auto clock = MakeRealClock();
    Relay relay(store, sink, *clock, Policy(50));
    relay.Run(stop);
    delivered = relay.delivered();
  };
  int64_t a = 0, b = 0;
  std::thread t1(run, "relay-a", std::ref(a));
  std::thread t2(run, "relay-b", std::ref(b));
  bool drained = WaitFor([&] { return ChCount() >= 3000 && PgCount("eventlog_batches") == 0; },
                         std::chrono::seconds(60));
  stop = true;
  t1.join();
  t2.join();
  ASSERT_TRUE(drained);
  EXPECT_EQ(ChCount(), 3000);
  EXPECT_EQ(ChUniqueIds(), 3000);
  EXPECT_EQ(a + b, 3000);
  EXPECT_GT(a, 0);
  EXPECT_GT(b, 0);
}

// An event's trace context goes with it to event_log; one without has empty trace columns.
TEST_F(RelayIntegrationTest, TraceContextReachesEventLog) {
  pqxx::connection conn(Servers().database_url);
  pqxx::work tx(conn);
  OutboxWriter writer("Test", 1 << 20);
  Event traced = MakeEvent("OrderPlaced", {{"n", 1}});
  traced.trace = TraceContext{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"};
  Event plain = MakeEvent("OrderPlaced", {{"n", 2}});
  ASSERT_TRUE(writer.EnqueueMany(tx, {traced, plain}).ok());
  tx.commit();
  Drain();
  auto columns = [&](const Event& e) {
    return ChScalar(
        "SELECT concat(trace_id, '/', span_id) FROM event_log WHERE event_id = toUUID('" +
        e.event_id + "')");
  };
  EXPECT_EQ(columns(traced), "4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba902b7");
  EXPECT_EQ(columns(plain), "/");
}

}  // namespace
}  // namespace eventlog::testing
