#include "relay/relay.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <atomic>
#include <sstream>

#include "observe/logger.h"
#include "testing/relay_test_fixture.h"

namespace eventlog {
namespace {

using std::chrono::milliseconds;
using testing::kNetworkDown;
using testing::MakeRows;
using testing::StoreMethod;

// Relay::Run: the scheduling between steps, on a manual clock.

class RelayRunTest : public testing::RelayTest {
 protected:
  void Run(int sleeps_until_stop) {
    std::atomic<bool> stop{false};
    clock_.StopAfterSleeps(stop, sleeps_until_stop);
    relay_.Run(stop);
  }
  Relay relay_{store_, sink_, clock_, policy_};
};

TEST_F(RelayRunTest, FullBatchesRunBackToBackWithoutSleeping) {
  store_.Add(MakeRows(250));
  Run(1);
  // Two full batches back to back; after the part batch, the floor between INSERTs.
  EXPECT_EQ(clock_.sleeps(), std::vector<milliseconds>{policy_.min_insert_interval});
  EXPECT_EQ(sink_.rows_per_insert(), (std::vector<size_t>{100, 100, 50}));
  EXPECT_EQ(relay_.delivered(), 250);
}

TEST_F(RelayRunTest, IdleRelayPollsEveryPollInterval) {
  Run(3);
  EXPECT_EQ(clock_.sleeps(), std::vector<milliseconds>(3, policy_.poll_interval));
  EXPECT_EQ(store_.calls(StoreMethod::kClaim), 3);
}

TEST_F(RelayRunTest, FailuresBackOffGrowingUpToRetryMax) {
  const int failures = 8;
  store_.FailNext(StoreMethod::kClaim, failures, kNetworkDown);
  Run(failures + 1);
  auto sleeps = clock_.sleeps();
  ASSERT_EQ(sleeps.size(), static_cast<size_t>(failures + 1));
  for (int i = 0; i < failures; ++i) {
    milliseconds step = std::min(policy_.retry_base * (1 << i), policy_.retry_max);
    EXPECT_GE(sleeps[i], step / 2) << "failure " << i + 1;
    EXPECT_LE(sleeps[i], step) << "failure " << i + 1;
  }
  EXPECT_GE(sleeps[failures - 1], policy_.retry_max / 2);  // reached the cap
  EXPECT_EQ(sleeps[failures], policy_.poll_interval);      // success resets the backoff
}

TEST_F(RelayRunTest, RejectedRowsDoNotStallTheQueue) {
  auto rows = MakeRows(150);
  sink_.RejectIf([&](const OutboxRow& r) { return r.event_id == rows[5].event_id; });
  store_.Add(rows);
  Run(1);
  EXPECT_EQ(clock_.sleeps(), std::vector<milliseconds>{policy_.min_insert_interval});
  EXPECT_EQ(sink_.rows().size(), 149u);
  EXPECT_EQ(relay_.delivered(), 149);
}

// Steady traffic: after a part batch the relay waits out the floor between INSERTs, so the rows
// that arrive meanwhile go together in the next one.
TEST_F(RelayRunTest, RowsArrivingAfterAPartBatchGatherIntoTheNextInsert) {
  store_.Add(MakeRows(10));
  int next = 10;
  clock_.SetSleepHook([&](milliseconds) {
    store_.Add(MakeRows(30, next));
    next += 30;
  });
  Run(3);
  EXPECT_EQ(clock_.sleeps(), std::vector<milliseconds>(3, policy_.min_insert_interval));
  EXPECT_EQ(sink_.rows_per_insert(), (std::vector<size_t>{10, 30, 30}));
}

// Light traffic: an event after a quiet spell goes at the next poll, not after the floor.
TEST_F(RelayRunTest, AnEventAfterAQuietSpellGoesAtTheNextPoll) {
  policy_.poll_interval = milliseconds(50);
  policy_.min_insert_interval = milliseconds(200);
  Relay relay(store_, sink_, clock_, policy_);
  int sleeps = 0;
  clock_.SetSleepHook([&](milliseconds) {
    if (++sleeps == 6) store_.Add(MakeRows(1));  // 300 ms after the start
  });
  std::atomic<bool> stop{false};
  clock_.StopAfterSleeps(stop, 8);
  relay.Run(stop);
  auto s = clock_.sleeps();
  // Polls every 50 ms; the event is inserted at the 7th claim, then the floor applies.
  EXPECT_EQ(std::vector<milliseconds>(s.begin(), s.begin() + 6),
            std::vector<milliseconds>(6, milliseconds(50)));
  EXPECT_EQ(s[6], milliseconds(200));
  EXPECT_EQ(sink_.rows_per_insert(), std::vector<size_t>{1});
}

// A batch stops at its byte cap (one event over it at most), so a backlog of large events
// never builds a batch PostgreSQL or memory cannot hold.
TEST_F(RelayRunTest, BatchesStopAtTheByteCap) {
  auto rows = MakeRows(10);
  for (auto& r : rows) r.event_context = std::string(1000, 'x');
  store_.Add(rows);
  policy_.batch_max_bytes = 2500;  // 1000 B of context + 64 + type and environment per row
  Relay relay(store_, sink_, clock_, policy_);
  std::atomic<bool> stop{false};
  clock_.StopAfterSleeps(stop, 1);
  relay.Run(stop);
  EXPECT_EQ(sink_.rows_per_insert(), (std::vector<size_t>{3, 3, 3, 1}));
  ExpectEachDeliveredOnce(rows);
}

// Claims ahead (issue 8): the next full batch is claimed while one is delivered, and still
// every row arrives exactly once, in full batches.
TEST_F(RelayRunTest, ClaimingAheadDeliversEveryRowOnce) {
  Relay relay(store_, sink_, clock_, policy_, &store_);  // the fake is thread-safe
  auto rows = MakeRows(350);
  store_.Add(rows);
  std::atomic<bool> stop{false};
  clock_.StopAfterSleeps(stop, 1);
  relay.Run(stop);
  EXPECT_EQ(sink_.rows_per_insert(), (std::vector<size_t>{100, 100, 100, 50}));
  ExpectEachDeliveredOnce(rows);
  EXPECT_EQ(relay.delivered(), 350);
  EXPECT_TRUE(store_.batches().empty());
}

// A batch claimed ahead when the relay stops is given back untouched, for any relay to take.
TEST_F(RelayRunTest, ABatchClaimedAheadIsGivenBackWhenTheRelayStops) {
  Relay relay(store_, sink_, clock_, policy_, &store_);
  store_.Add(MakeRows(300));
  std::atomic<bool> stop{false};
  sink_.SetBeforeInsert([&](const std::vector<OutboxRow>&) { stop = true; });
  relay.Run(stop);
  EXPECT_EQ(sink_.rows_per_insert(), (std::vector<size_t>{100}));
  auto batches = store_.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_FALSE(batches[0].owned);
  EXPECT_EQ(batches[0].attempts, 0);
  EXPECT_EQ(batches[0].rows.size(), 100u);
  EXPECT_EQ(store_.outbox_rows().size(), 100u);
}

// A store whose claims write a log line, as the PostgreSQL store's do (rows quarantined,
// partitions truncated); the rest as the fake it wraps.
class LoggingStore : public OutboxStore {
 public:
  explicit LoggingStore(OutboxStore& inner) : inner_(inner) {}
  Result<std::optional<Batch>> Claim(const ClaimLimits& limits) override {
    log::Info("test.store", "claim");
    return inner_.Claim(limits);
  }
  Status Renew(const Batch& b) override { return inner_.Renew(b); }
  Status Complete(const Batch& b, int64_t n, const std::vector<DeadLetter>& d) override {
    return inner_.Complete(b, n, d);
  }
  Status Release(const Batch& b, const BatchRetry& r) override { return inner_.Release(b, r); }

 private:
  OutboxStore& inner_;
};

// Issue 15 §4: the claim-ahead thread's lines carry the relay's bound context (its source).
TEST_F(RelayRunTest, LinesOfTheClaimAheadThreadNameTheSource) {
  std::ostringstream out;
  log::Init(LogFormat::kJson, "info", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  LoggingStore ahead(store_);
  Relay relay(store_, sink_, clock_, policy_, &ahead);
  store_.Add(MakeRows(350));
  {
    log::BoundContext ctx(log::Fields{{"source", "orders"}});
    std::atomic<bool> stop{false};
    clock_.StopAfterSleeps(stop, 1);
    relay.Run(stop);
  }
  log::Init(LogFormat::kJson, "warn");
  std::istringstream lines(out.str());
  int claims_ahead = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"claim\"") == std::string::npos) continue;
    ++claims_ahead;
    EXPECT_NE(line.find("\"source\":\"orders\""), std::string::npos) << line;
  }
  EXPECT_GE(claims_ahead, 3);
}

}  // namespace
}  // namespace eventlog
