#include "eventlog/relay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

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
  EXPECT_EQ(clock_.sleeps(), std::vector<milliseconds>{policy_.poll_interval});
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
  EXPECT_EQ(clock_.sleeps(), std::vector<milliseconds>{policy_.poll_interval});
  EXPECT_EQ(sink_.rows().size(), 149u);
  EXPECT_EQ(relay_.delivered(), 149);
}

}  // namespace
}  // namespace eventlog
