// The recovery check's query text (no server): bounds of the column's own type, in UTC.
#include "clickhouse/clickhouse_sink.h"

#include <gtest/gtest.h>

#include "clickhouse/presence_check.h"

namespace eventlog {
namespace {

constexpr int64_t kUs = 1000000;

OutboxRow RowAt(int64_t time_us, std::string id = "01890a5d-ac96-774b-bcce-b302099a8057") {
  OutboxRow r;
  r.event_id = std::move(id);
  r.event_type = "UserCreated";
  r.event_time_us = time_us;
  return r;
}

TEST(TimeBoundLiteral, DateTime64BoundsAreDateTime64InUtc) {
  TimeColumn dt64{true, 6};
  EXPECT_EQ(TimeBoundLiteral(1714564800123456, dt64),
            "toDateTime64('2024-05-01 12:00:00.123456', 6, 'UTC')");
  // Before 1970 and after 2106: beyond 32-bit DateTime, inside DateTime64.
  EXPECT_EQ(TimeBoundLiteral(-86400 * kUs, dt64),
            "toDateTime64('1969-12-31 00:00:00.000000', 6, 'UTC')");
  EXPECT_EQ(TimeBoundLiteral(4354819200LL * kUs, dt64),
            "toDateTime64('2108-01-01 00:00:00.000000', 6, 'UTC')");
}

TEST(TimeBoundLiteral, ClampsToTheColumnsRange) {
  TimeColumn dt{false, 0};
  EXPECT_EQ(TimeBoundLiteral(-kUs, dt), "toDateTime('1970-01-01 00:00:00', 'UTC')");
  EXPECT_EQ(TimeBoundLiteral(4294967296LL * kUs, dt), "toDateTime('2106-02-07 06:28:15', 'UTC')");
  TimeColumn dt64{true, 6};
  EXPECT_EQ(TimeBoundLiteral(-2208988801LL * kUs, dt64),
            "toDateTime64('1900-01-01 00:00:00.000000', 6, 'UTC')");
}

TEST(PresenceQuery, WidensBySecondAndNamesEveryIdAndType) {
  std::string q = PresenceQuery("db.event_log", {RowAt(0), RowAt(5 * kUs)}, TimeColumn{true, 6});
  EXPECT_NE(q.find("event_date_time >= toDateTime64('1969-12-31 23:59:59.000000', 6, 'UTC')"),
            std::string::npos)
      << q;
  EXPECT_NE(q.find("event_date_time <= toDateTime64('1970-01-01 00:00:06.000000', 6, 'UTC')"),
            std::string::npos)
      << q;
  EXPECT_EQ(q.find("toDateTime("), std::string::npos) << q;  // no 32-bit bound
  EXPECT_NE(q.find("event_type IN ('UserCreated')"), std::string::npos) << q;
  EXPECT_NE(q.find("toUUID('01890a5d-ac96-774b-bcce-b302099a8057')"), std::string::npos) << q;
  q = PresenceQuery("db.event_log", {RowAt(0)}, TimeColumn{false, 0});
  EXPECT_NE(q.find("event_date_time >= toDateTime('1970-01-01 00:00:00', 'UTC')"),
            std::string::npos)
      << q;
}

}  // namespace
}  // namespace eventlog
