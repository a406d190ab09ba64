#include "clickhouse/clickhouse_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "testing/sample_rows.h"

using eventlog::testing::SampleRow;

namespace eventlog {
namespace {

TEST(EncodeForClickHouse, DateTimeHasWholeSeconds) {
  EXPECT_EQ(
      EncodeForClickHouse({SampleRow()}, TimeColumn{false, 0}),
      "01890a5d-ac96-774b-bcce-b302099a8057\tuser_created\t2024-02-29 12:34:56\tTest\t"
      "{\"note\":\"a\\\\tb\"}\\t\\n\t2\t4bf92f3577b34da6a3ce929d0e0e4736\t00f067aa0ba902b7\n");
}

TEST(EncodeForClickHouse, DateTime64KeepsMicroseconds) {
  EXPECT_EQ(EncodeForClickHouse({SampleRow()}, TimeColumn{true, 6}),
            "01890a5d-ac96-774b-bcce-b302099a8057\tuser_created\t2024-02-29 12:34:56.123456\t"
            "Test\t{\"note\":\"a\\\\tb\"}\\t\\n\t2\t4bf92f3577b34da6a3ce929d0e0e4736\t"
            "00f067aa0ba902b7\n");
  EXPECT_NE(EncodeForClickHouse({SampleRow()}, TimeColumn{true, 3}).find("12:34:56.123\t"),
            std::string::npos);
}

TEST(EncodeForClickHouse, OneLinePerRow) {
  std::string tsv = EncodeForClickHouse({SampleRow(), SampleRow(), SampleRow()}, TimeColumn{});
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), 3);
  EXPECT_EQ(EncodeForClickHouse({}, TimeColumn{}), "");
}

TEST(ParseTimeColumnType, ReadsClickHouseTypeNames) {
  auto t = ParseTimeColumnType("DateTime64(6, 'UTC')");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->is_datetime64);
  EXPECT_EQ(t->precision, 6);

  t = ParseTimeColumnType("DateTime64(3)");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->is_datetime64);
  EXPECT_EQ(t->precision, 3);

  t = ParseTimeColumnType("DateTime64");  // ClickHouse's default precision
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->is_datetime64);
  EXPECT_EQ(t->precision, 3);

  t = ParseTimeColumnType("DateTime('UTC')");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->is_datetime64);

  t = ParseTimeColumnType("DateTime");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->is_datetime64);
}

TEST(ParseTimeColumnType, RefusesOtherTypes) {
  for (const char* type : {"String", "UInt64", "DateTime64(x)", "DateTime64(12)"}) {
    auto t = ParseTimeColumnType(type);
    ASSERT_FALSE(t.ok()) << type;
    EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(t.status().message().find(type), std::string::npos) << t.status().message();
  }
}

}  // namespace
}  // namespace eventlog
