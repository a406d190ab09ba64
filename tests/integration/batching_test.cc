// Claims against the real PostgreSQL: the row and byte caps of a batch, and whether a claim
// reports more rows waiting.
#include "tests/integration/relay_fixture.h"

namespace eventlog::testing {
namespace {

class BatchingTest : public RelayIntegrationTest {
 protected:
  // `n` events whose context is about `context_bytes` long.
  void EnqueueLarge(int n, size_t context_bytes) {
    pqxx::connection conn(Servers().database_url);
    OutboxWriter writer("Test", 4 << 20);
    pqxx::work tx(conn);
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(
          writer.Enqueue(tx, MakeEvent("BigEvent", {{"pad", std::string(context_bytes, 'x')}}))
              .ok());
    }
    tx.commit();
  }
};

// A backlog of large events never makes a batch over the byte cap (plus one event): before the
// cap, 512 events of 1 MiB made a ledger value over PostgreSQL's 1 GB limit, forever.
TEST_F(BatchingTest, ClaimsStopAtTheByteCapAndSayMoreIsWaiting) {
  EnqueueLarge(10, size_t{300} * 1024);
  auto store = Store();
  std::vector<size_t> sizes;
  std::vector<bool> full;
  for (int i = 0; i < 5; ++i) {
    auto b = store.Claim({1000, 1 << 20});
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    if (!b->has_value()) break;
    sizes.push_back((*b)->rows.size());
    full.push_back((*b)->full);
  }
  // 300 KiB each: rows are taken while the bytes before them stay under 1 MiB.
  EXPECT_EQ(sizes, (std::vector<size_t>{4, 4, 2}));
  EXPECT_EQ(full, (std::vector<bool>{true, true, false}));
}

TEST_F(BatchingTest, ClaimsStopAtTheRowCap) {
  Enqueue(5);
  auto store = Store();
  auto first = store.Claim(3);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->rows.size(), 3u);
  EXPECT_TRUE((*first)->full);
  auto second = store.Claim(3);
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->rows.size(), 2u);
  EXPECT_FALSE((*second)->full);
}

// The byte cap end to end: every event delivered once, in INSERTs that respect it.
TEST_F(BatchingTest, LargeEventsAreDeliveredOnceUnderTheByteCap) {
  EnqueueLarge(12, size_t{200} * 1024);
  auto store = Store();
  auto sink = Sink();
  RelayPolicy policy = Policy(1000);
  policy.batch_max_bytes = 1 << 20;
  for (int i = 0; i < 10; ++i) (void)RunRelayStep(store, sink, policy);
  EXPECT_EQ(ChCount(), 12);
  EXPECT_EQ(ChUniqueIds(), 12);
  EXPECT_EQ(PgCount("eventlog_unclaimed"), 0);
}

// Issue 8: a batch given back with part of it delivered keeps its remaining rows as a payload,
// lz4-compressed (pglz took ~10 % of a drain's CPU samples), which reads back whole.
TEST_F(BatchingTest, PartlyDeliveredBatchKeepsItsRestAsAnLz4Payload) {
  EXPECT_EQ(PgScalar("SELECT attcompression FROM pg_attribute WHERE attrelid = "
                     "'eventlog_batches'::regclass AND attname = 'payload'"),
            "l");
  EnqueueLarge(3, size_t{64} * 1024);  // over TOAST's threshold: the payload is compressed
  auto store = Store(std::chrono::milliseconds(1));
  auto b = store.Claim({1000});
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ(PgScalar("SELECT count(*) FROM eventlog_batches WHERE payload IS NULL"), "1");
  BatchRetry retry;
  retry.remaining = {(*b)->rows[1], (*b)->rows[2]};
  retry.delivered = 1;
  ASSERT_TRUE(store.Release(**b, retry).ok());
  EXPECT_EQ(PgScalar("SELECT pg_column_compression(payload) FROM eventlog_batches"), "lz4");
  auto again = store.Claim({1000});
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_TRUE((*again)->recovered);
  EXPECT_EQ((*again)->rows, retry.remaining);
}

}  // namespace
}  // namespace eventlog::testing
