// Claims that never stall, a table contract that is enforced, and claim work that does not grow
// with the rows committed behind an open transaction (issue 15, parts 1-3).
#include <set>

#include "outbox/outbox_gauges.h"
#include "outbox/pg_tick_claim.h"
#include "tests/integration/relay_fixture.h"

namespace eventlog::testing {
namespace {

class ClaimContractTest : public RelayIntegrationTest {
 protected:
  // `n` events in one transaction through eventlog_enqueue() (as psql or Python would).
  void EnqueueInOneTransaction(int n) {
    PgExec("SELECT eventlog_enqueue('Bulk', jsonb_build_object('i', i)) FROM generate_series(1, " +
           std::to_string(n) + ") i");
  }
  static constexpr const char* kColumns =
      "event_outbox (event_id, event_type, event_date_time, environment, event_context";
};

// Issue 15 §1, as reported: while an older transaction is open, a tick of exactly the row cap
// left a paged state that no later claim could end; nothing was ever delivered again.
TEST_F(ClaimContractTest, ATickOfExactlyTheRowCapWhileATransactionIsOpenDoesNotStall) {
  pqxx::connection old_conn(Servers().database_url);
  pqxx::work old(old_conn);
  old.exec1("SELECT pg_current_xact_id()");  // open, with a transaction id
  auto store = Store();
  Enqueue(1);
  EXPECT_EQ(ClaimAll(store, 100).size(), 1u);
  Enqueue(1);
  EXPECT_EQ(ClaimAll(store, 100).size(), 1u);
  EnqueueInOneTransaction(100);
  EXPECT_EQ(ClaimAll(store, 100).size(), 100u);
  EXPECT_EQ(PgScalar("SELECT page_snapshot IS NULL FROM eventlog_claim_state"), "t");
  auto later = Enqueue(3);
  EXPECT_EQ(ClaimAll(store, 100), later) << "delivery stopped after the exact-cap tick";
  old.commit();
  auto after_commit = Enqueue(2);
  EXPECT_EQ(ClaimAll(store, 100), after_commit);
  EXPECT_EQ(PgCount("eventlog_unclaimed"), 0);
}

// The same shape at every small cap and N x cap: every tick ends, every row is claimed once.
TEST_F(ClaimContractTest, TicksOfNTimesTheCapAreClaimedOnceAtEveryCap) {
  pqxx::connection old_conn(Servers().database_url);
  pqxx::work old(old_conn);
  old.exec1("SELECT pg_current_xact_id()");
  auto store = Store();
  int64_t want = 0;
  std::set<std::string> seen;
  for (int cap : {1, 2, 3, 7, 10}) {
    for (int n : {1, 2, 3}) {
      EnqueueInOneTransaction(cap * n);
      want += static_cast<int64_t>(cap) * n;
      for (const auto& id : ClaimAll(store, cap)) EXPECT_TRUE(seen.insert(id).second) << id;
      ASSERT_EQ(static_cast<int64_t>(seen.size()), want) << "cap " << cap << " x " << n;
    }
  }
}

// Pending (eventlog_unclaimed, and the pending metric) is exact in every state, in the middle of a
// paged tick too. (The metric estimated it from ids above a scan bound: 176,001 pending with
// 143,004 of 200,000 delivered.)
TEST_F(ClaimContractTest, UnclaimedIsExactWhileABigTickIsPaged) {
  EnqueueInOneTransaction(250);
  {  // ids taken and rolled back: no events
    pqxx::connection c(Servers().database_url);
    pqxx::work tx(c);
    tx.exec("SELECT eventlog_enqueue('Gone', '{}') FROM generate_series(1, 20)");
    tx.abort();
  }
  Enqueue(5);
  auto store = Store();
  OutboxGaugeReader gauges(Servers().database_url);
  int64_t claimed = 0;
  for (int i = 0; i < 20; ++i) {
    auto b = store.Claim({30});
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    if (!b->has_value()) break;
    claimed += static_cast<int64_t>((*b)->rows.size());
    EXPECT_EQ(PgCount("eventlog_unclaimed"), 255 - claimed) << "after claim " << i;
    // The metric's pending: unclaimed plus the open batch (not yet delivered), then without it.
    auto with_open = gauges.Read();
    ASSERT_TRUE(with_open.ok()) << with_open.status().ToString();
    EXPECT_EQ(with_open->pending_events, 255 - claimed + static_cast<int64_t>((*b)->rows.size()));
    ASSERT_TRUE(store.Complete(**b, static_cast<int64_t>((*b)->rows.size()), {}).ok());
    EXPECT_EQ(gauges.Read()->pending_events, 255 - claimed) << "after claim " << i;
  }
  EXPECT_EQ(claimed, 255);
}

// The claim reads the tick's rows, not the rows committed since an open transaction began: the
// ranges it scans hold only the new rows, and the open transaction's row arrives once it commits.
TEST_F(ClaimContractTest, ClaimWorkDoesNotGrowBehindAnOpenTransaction) {
  pqxx::connection old_conn(Servers().database_url);
  pqxx::work old(old_conn);
  OutboxWriter writer("Test", 1 << 20);
  Event held = MakeEvent("Held", {{"k", 1}});
  ASSERT_TRUE(writer.Enqueue(old, held).ok());
  auto store = Store();
  for (int i = 0; i < 5; ++i) EnqueueInOneTransaction(2000);
  EXPECT_EQ(ClaimAll(store, 1000).size(), 10000u);
  auto fresh = Enqueue(1);
  const std::string rows_a_claim_reads = PgScalar(
      "SELECT count(*) FROM eventlog_claim_state s, "
      "eventlog_tick_ranges(s.done_snapshot, pg_current_snapshot()) r, event_outbox o "
      "WHERE o.tx_id >= r.lo AND o.tx_id < r.hi");
  EXPECT_EQ(rows_a_claim_reads, "1") << "10,000 claimed rows behind the open transaction";
  EXPECT_EQ(ClaimAll(store, 1000), fresh);
  old.commit();
  EXPECT_EQ(ClaimAll(store, 1000), std::vector<std::string>{held.event_id});
}

// Issue 15 §2: a row that would be lost is refused at the writer's INSERT.
TEST_F(ClaimContractTest, ARowWithAnotherTransactionsIdIsRefused) {
  const std::string row = "gen_random_uuid(), 'x', now(), 'T', '{}'";
  EXPECT_NE(PgErrorOf(std::string("INSERT INTO ") + kColumns + ", tx_id) VALUES (" + row + ", '3')")
                .find("event_outbox_tx_id_is_the_writers"),
            std::string::npos)
      << "an old transaction id: the row would count as claimed";
  EXPECT_NE(PgErrorOf(std::string("INSERT INTO ") + kColumns + ", tx_id) VALUES (" + row +
                      ", (pg_current_xact_id()::text::numeric + 1000)::text::xid8)")
                .find("event_outbox_tx_id_is_the_writers"),
            std::string::npos)
      << "a future transaction id: the row would never be claimed";
  const std::string own = std::string("INSERT INTO ") + kColumns + ", tx_id) VALUES (" + row +
                          ", pg_current_xact_id())";
  EXPECT_EQ(PgErrorOf(own), "") << "its own transaction id is what the default writes";
  PgExec(own);
  EXPECT_EQ(PgCount("event_outbox"), 1);
}

TEST_F(ClaimContractTest, AnIdAboveTheSequenceIsRefused) {
  const std::string row = "gen_random_uuid(), 'x', now(), 'T', '{}'";
  Enqueue(1);
  EXPECT_NE(PgErrorOf(std::string("INSERT INTO ") + kColumns + ", id) VALUES (" + row +
                      ", (SELECT last_value + 10 FROM event_outbox_id_seq))")
                .find("event_outbox_id_from_the_sequence"),
            std::string::npos)
      << "a later writer's insert would fail on it";
  EXPECT_NE(PgErrorOf(std::string("INSERT INTO ") + kColumns + ", id) VALUES (" + row + ", -5)")
                .find("event_outbox_id_from_the_sequence"),
            std::string::npos);
}

// An id the writer took long before (from the sequence, so allowed) and used only after later
// ticks were claimed: the first version's scan bound had passed it and the row was skipped for
// good; claims by transaction take it like any other.
TEST_F(ClaimContractTest, ARowWithAnOldIdOfTheSequenceIsClaimed) {
  const std::string old_id = PgScalar("SELECT nextval('event_outbox_id_seq')");
  auto store = Store();
  for (int i = 0; i < 3; ++i) {
    Enqueue(2);
    EXPECT_EQ(ClaimAll(store, 100).size(), 2u);
  }
  PgExec(std::string("INSERT INTO ") + kColumns + ", id) VALUES ('" +
         "00000000-0000-7000-8000-000000000001', 'late', now(), 'T', '{}', " + old_id + ")");
  EXPECT_EQ(ClaimAll(store, 100), std::vector<std::string>{"00000000-0000-7000-8000-000000000001"});
}

// Ids only order rows now: a sequence cache (a common tuning) hands out ids out of commit order
// across sessions, and still every row is claimed exactly once.
TEST_F(ClaimContractTest, ASequenceCacheLosesNothing) {
  PgExec("ALTER SEQUENCE event_outbox_id_seq CACHE 20");
  pqxx::connection a_conn(Servers().database_url), b_conn(Servers().database_url);
  std::vector<std::string> all;
  auto store = Store();
  std::set<std::string> seen;
  for (int round = 0; round < 6; ++round) {
    pqxx::work a(a_conn), b(b_conn);  // a holds ids below b's and commits after b's claim
    OutboxWriter writer("Test", 1 << 20);
    for (auto* tx : {&a, &b}) {
      Event e = MakeEvent("Cached", {{"round", round}});
      ASSERT_TRUE(writer.Enqueue(*tx, e).ok());
      all.push_back(e.event_id);
    }
    b.commit();
    for (const auto& id : ClaimAll(store, 3)) EXPECT_TRUE(seen.insert(id).second);
    a.commit();
  }
  for (const auto& id : ClaimAll(store, 3)) EXPECT_TRUE(seen.insert(id).second);
  PgExec("ALTER SEQUENCE event_outbox_id_seq CACHE 1");
  EXPECT_EQ(seen, std::set<std::string>(all.begin(), all.end()));
}

}  // namespace
}  // namespace eventlog::testing

namespace eventlog::testing {
namespace {

// Issue 15 §3: what holds the outbox back is named by `eventlog status` (and the metric
// eventlog_outbox_oldest_open_writer_seconds reads the same query).
TEST_F(ClaimContractTest, StatusNamesTheOldestOpenWriterAndAForgottenPreparedTransaction) {
  EXPECT_EQ(RunEventlog(ServerEnv(), "status").out.find("oldest open writer"), std::string::npos);
  pqxx::connection held_conn(Servers().database_url + "?application_name=nightly-job");
  pqxx::work held(held_conn);
  OutboxWriter writer("Test", 1 << 20);
  ASSERT_TRUE(writer.Enqueue(held, MakeEvent("Held", {{"k", 1}})).ok());
  const std::string pid = held.exec1("SELECT pg_backend_pid()")[0].c_str();
  CliRun open = RunEventlog(ServerEnv(), "status");
  EXPECT_NE(open.out.find("oldest open writer:    pid " + pid + " (nightly-job), open "),
            std::string::npos)
      << open.output;
  held.abort();

  pqxx::connection prep_conn(Servers().database_url);
  pqxx::nontransaction prep(prep_conn);
  prep.exec0("BEGIN");
  prep.exec("SELECT eventlog_enqueue('Prepared', '{}')");
  prep.exec0("PREPARE TRANSACTION 'eventlog-test-forgotten'");
  CliRun forgotten = RunEventlog(ServerEnv(), "status --json");
  prep.exec0("ROLLBACK PREPARED 'eventlog-test-forgotten'");
  EXPECT_NE(forgotten.out.find("\"who\": \"prepared transaction 'eventlog-test-forgotten'\""),
            std::string::npos)
      << forgotten.output;
}

}  // namespace
}  // namespace eventlog::testing
