#include "core/utc_time.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace eventlog {
namespace {

// 2024-02-29 12:34:56 UTC (a leap day), in microseconds.
constexpr int64_t kLeapDayUs = int64_t{1709210096} * 1000000;

TEST(FormatUtcDateTime, Epoch) {
  EXPECT_EQ(FormatUtcDateTime(0, 0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatUtcDateTime(0, 6), "1970-01-01 00:00:00.000000");
}

TEST(FormatUtcDateTime, LeapDayAndPrecisions) {
  int64_t t = kLeapDayUs + 123456;
  EXPECT_EQ(FormatUtcDateTime(t, 0), "2024-02-29 12:34:56");
  EXPECT_EQ(FormatUtcDateTime(t, 3), "2024-02-29 12:34:56.123");  // truncated, not rounded
  EXPECT_EQ(FormatUtcDateTime(t, 6), "2024-02-29 12:34:56.123456");
  EXPECT_EQ(FormatUtcDateTime(t, 9), "2024-02-29 12:34:56.123456000");
  EXPECT_EQ(FormatUtcDateTime(kLeapDayUs + 999999, 3), "2024-02-29 12:34:56.999");
  EXPECT_EQ(FormatUtcDateTime(kLeapDayUs + 7, 6), "2024-02-29 12:34:56.000007");
}

TEST(FormatUtcDateTime, DayAndYearBoundaries) {
  EXPECT_EQ(FormatUtcDateTime(kLeapDayUs + (11 * 3600 + 25 * 60 + 4) * int64_t{1000000}, 0),
            "2024-03-01 00:00:00");
  EXPECT_EQ(FormatUtcDateTime(int64_t{1704067199} * 1000000 + 999999, 6),
            "2023-12-31 23:59:59.999999");
  EXPECT_EQ(FormatUtcDateTime(int64_t{4291747199} * 1000000, 0), "2105-12-31 23:59:59");
}

}  // namespace
}  // namespace eventlog
