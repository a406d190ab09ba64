#include "core/backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace eventlog {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kBase(100);
constexpr milliseconds kMax(5000);
constexpr int kSamples = 2000;

// Draws many delays for `attempt` and checks each lies in [step/2, step].
void ExpectWithin(int attempt, milliseconds step, Jitter& rng) {
  std::set<int64_t> seen;
  for (int i = 0; i < kSamples; ++i) {
    milliseconds d = BackoffDelay(attempt, kBase, kMax, rng);
    ASSERT_GE(d, step / 2) << "attempt " << attempt;
    ASSERT_LE(d, step) << "attempt " << attempt;
    seen.insert(d.count());
  }
  // Jitter spreads the draws over the range (both halves reached).
  EXPECT_LT(*seen.begin(), (step / 2 + step / 4).count()) << "attempt " << attempt;
  EXPECT_GT(*seen.rbegin(), (step - step / 4).count()) << "attempt " << attempt;
}

TEST(BackoffDelay, FirstRetryIsInTheBaseRange) {
  Jitter rng(1);
  ExpectWithin(1, kBase, rng);
}

TEST(BackoffDelay, DoublesPerAttempt) {
  Jitter rng(2);
  ExpectWithin(2, kBase * 2, rng);
  ExpectWithin(3, kBase * 4, rng);
  ExpectWithin(5, kBase * 16, rng);
}

TEST(BackoffDelay, IsCappedAtMax) {
  Jitter rng(3);
  ExpectWithin(7, kMax, rng);  // 100 * 2^6 = 6400 > 5000
  ExpectWithin(64, kMax, rng);
  ExpectWithin(100000, kMax, rng);  // no overflow for absurd attempts
}

TEST(BackoffDelay, BaseAboveMaxIsCappedToo) {
  Jitter rng(4);
  for (int i = 0; i < 100; ++i) {
    milliseconds d = BackoffDelay(1, milliseconds(9000), kMax, rng);
    EXPECT_GE(d, kMax / 2);
    EXPECT_LE(d, kMax);
  }
}

TEST(BackoffDelay, SameSeedSameDelays) {
  Jitter a(42), b(42);
  for (int attempt = 1; attempt < 10; ++attempt) {
    EXPECT_EQ(BackoffDelay(attempt, kBase, kMax, a), BackoffDelay(attempt, kBase, kMax, b));
  }
}

}  // namespace
}  // namespace eventlog
