// Claims by tick against the real PostgreSQL (issue 8): outbox ids commit out of order, and a
// claim must neither skip a row of a slower transaction nor take a row twice; rows stay in the
// outbox until every claim has passed them; an idle relay writes nothing.
#include <set>

#include "outbox/pg_tick_claim.h"
#include "tests/integration/relay_fixture.h"

namespace eventlog::testing {
namespace {

using std::chrono::milliseconds;

class TickClaimTest : public RelayIntegrationTest {
 protected:
  static std::string EnqueueIn(pqxx::work& tx, const std::string& name) {
    OutboxWriter writer("Test", 1 << 20);
    Event e = MakeEvent(name, {{"k", 1}});
    EXPECT_TRUE(writer.Enqueue(tx, e).ok());
    return e.event_id;
  }
};

// The transaction holding the lower id commits last: the claim in between takes the other row,
// and the next claim still finds the slow one (a "last id seen" design would skip it forever).
TEST_F(TickClaimTest, ARowOfASlowerTransactionIsClaimedAfterItCommits) {
  pqxx::connection slow_conn(Servers().database_url);
  pqxx::work slow(slow_conn);
  const std::string slow_id = EnqueueIn(slow, "Slow");  // the lower outbox id, still open
  const std::vector<std::string> fast_ids = Enqueue(2, "Fast");

  auto store = Store();
  std::vector<std::string> first = ClaimAll(store);
  EXPECT_EQ(first, fast_ids);                   // not blocked by the open transaction
  EXPECT_EQ(PgCount("eventlog_unclaimed"), 0);  // the open one is invisible to everyone

  slow.commit();
  std::vector<std::string> second = ClaimAll(store);
  EXPECT_EQ(second, std::vector<std::string>{slow_id});
  EXPECT_TRUE(ClaimAll(store).empty());
}

// A rolled-back transaction leaves a gap in the ids and nothing to claim.
TEST_F(TickClaimTest, RolledBackIdsAreGapsNotEvents) {
  {
    pqxx::connection c(Servers().database_url);
    pqxx::work tx(c);
    EnqueueIn(tx, "Gone");
    tx.abort();
  }
  auto kept = Enqueue(3);
  auto store = Store();
  EXPECT_EQ(ClaimAll(store), kept);
}

// A tick larger than a batch is claimed page by page while other transactions keep committing:
// every row exactly once, across two relays' stores.
TEST_F(TickClaimTest, PagesOfABigTickAndConcurrentCommitsAreClaimedOnce) {
  std::vector<std::string> all = Enqueue(250);
  auto a = Store(milliseconds(30000), "a");
  auto b = Store(milliseconds(30000), "b");
  std::vector<std::string> got;
  for (int round = 0; round < 40; ++round) {
    if (round % 4 == 0) {
      auto more = Enqueue(7);
      all.insert(all.end(), more.begin(), more.end());
    }
    PgOutboxStore& s = round % 2 ? a : b;
    auto batch = s.Claim({30});
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch->has_value()) continue;
    EXPECT_LE((*batch)->rows.size(), 30u);
    for (const auto& r : (*batch)->rows) got.push_back(r.event_id);
    ASSERT_TRUE(s.Complete(**batch, 0, {}).ok());
  }
  for (const auto& id : ClaimAll(a)) got.push_back(id);
  std::multiset<std::string> want(all.begin(), all.end());
  std::multiset<std::string> have(got.begin(), got.end());
  EXPECT_EQ(have, want);
}

// A relay dies holding a slice: the relay that takes it over reads the same rows again.
TEST_F(TickClaimTest, ATakenOverSliceHoldsTheSameRows) {
  auto ids = Enqueue(5);
  auto dead = Store(milliseconds(1), "dead");
  auto first = dead.Claim({100});
  ASSERT_TRUE(first.ok() && first->has_value());
  Enqueue(2);  // newer rows must not join the old slice
  auto heir = Store(milliseconds(30000), "heir");
  auto again = heir.Claim({100});
  ASSERT_TRUE(again.ok() && again->has_value()) << again.status().ToString();
  EXPECT_TRUE((*again)->recovered);
  EXPECT_TRUE((*again)->taken_over) << "its relay held it and stopped renewing";
  EXPECT_EQ((*again)->rows, (*first)->rows);
  // Given back for a retry (no owner), the next claim is a recovery, not a takeover.
  BatchRetry retry;
  retry.remaining = (*again)->rows;
  retry.error = "test";
  ASSERT_TRUE(heir.Release(**again, retry).ok());
  auto retried = heir.Claim({100});
  ASSERT_TRUE(retried.ok() && retried->has_value()) << retried.status().ToString();
  EXPECT_TRUE((*retried)->recovered);
  EXPECT_FALSE((*retried)->taken_over);
}

// Rows stay in event_outbox after their claim; once every claim has passed them and their batch
// is done their partition is truncated, but never while a batch still open needs it.
TEST_F(TickClaimTest, ClaimedRowsAreTruncatedOnlyOnceNoBatchHoldsThem) {
  Enqueue(10);
  auto store = Store();
  auto open = store.Claim({4});
  ASSERT_TRUE(open.ok() && open->has_value());
  auto rest = ClaimAll(store);
  EXPECT_EQ(rest.size(), 6u);
  EXPECT_EQ(PgCount("event_outbox"), 10);  // claimed, still there
  Enqueue(1);
  EXPECT_EQ(ClaimAll(store).size(), 1u);
  pqxx::connection c(Servers().database_url);
  EXPECT_EQ(RecycleClaimedPartitions(c), 0);
  EXPECT_EQ(PgCount("event_outbox"), 11) << "the open batch's rows and all after them stay";
  ASSERT_TRUE(store.Complete(**open, 4, {}).ok());
  EXPECT_GE(RecycleClaimedPartitions(c), 1);
  EXPECT_EQ(PgCount("event_outbox"), 0);
  EXPECT_EQ(PgCount("eventlog_unclaimed"), 0);
  EXPECT_EQ(PgCount("eventlog_batches"), 0);
}

// The partitions are a ring of 100,000-id generations: a partition holding claimed rows of an old
// generation and unclaimed rows of a newer one stays whole until the newer ones are claimed too.
TEST_F(TickClaimTest, APartitionWithUnclaimedRowsOfANewerGenerationIsKept) {
  auto store = Store();
  const int64_t start =
      (std::stoll(PgScalar("SELECT last_value FROM event_outbox_id_seq")) / 400000 + 1) *
      400000;  // the first id of a generation of partition 0
  PgExec("SELECT setval('event_outbox_id_seq', " + std::to_string(start) + ")");
  Enqueue(2);
  ASSERT_EQ(ClaimAll(store).size(), 2u);
  PgExec("SELECT setval('event_outbox_id_seq', " + std::to_string(start + 400000) + ")");
  Enqueue(2);  // four generations later: partition 0 again
  EXPECT_EQ(PgScalar("SELECT count(DISTINCT tableoid) FROM event_outbox"), "1");
  pqxx::connection c(Servers().database_url);
  EXPECT_EQ(RecycleClaimedPartitions(c), 0) << "two rows of the partition are not claimed yet";
  EXPECT_EQ(PgCount("event_outbox"), 4);
  ASSERT_EQ(ClaimAll(store).size(), 2u);
  EXPECT_EQ(RecycleClaimedPartitions(c), 1);
  EXPECT_EQ(PgCount("event_outbox"), 0);
}

// A writer whose transaction is still open in a partition holds it: the partition is not
// truncated under it, and its row, committed later, is claimed like any other. (Its transaction
// id is the newest: the first version, which bounded "ids taken so far" by its snapshot's xmax,
// skipped this row for good.)
TEST_F(TickClaimTest, APartitionAWriterStillUsesIsNotTruncated) {
  auto store = Store();
  Enqueue(3);
  pqxx::connection writer_conn(Servers().database_url);
  pqxx::work writer(writer_conn);
  const std::string late = EnqueueIn(writer, "Late");
  EXPECT_EQ(ClaimAll(store).size(), 3u);
  pqxx::connection c(Servers().database_url);
  EXPECT_EQ(RecycleClaimedPartitions(c), 0);
  writer.commit();
  EXPECT_EQ(ClaimAll(store), std::vector<std::string>{late});
  EXPECT_GE(RecycleClaimedPartitions(c), 1);
  EXPECT_EQ(PgCount("event_outbox"), 0);
}

// An idle relay claims without writing: no transaction id, no fsync per poll.
TEST_F(TickClaimTest, IdleClaimsWriteNothing) {
  Enqueue(3);
  auto store = Store();
  (void)ClaimAll(store);
  pqxx::connection c(Servers().database_url);
  (void)RecycleClaimedPartitions(c);  // their TRUNCATE takes a transaction id, once
  const std::string before = PgScalar("SELECT pg_current_xact_id()::text");
  for (int i = 0; i < 20; ++i) {
    auto b = store.Claim({100});
    ASSERT_TRUE(b.ok());
    EXPECT_FALSE(b->has_value());
  }
  const int64_t used = std::stoll(PgScalar("SELECT pg_current_xact_id()::text")) -
                       std::stoll(before) - 1;  // the second pg_current_xact_id() takes one
  EXPECT_EQ(used, 0) << "idle claims took transaction ids";
}

}  // namespace
}  // namespace eventlog::testing
