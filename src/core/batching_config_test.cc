// The batching settings of issue 8: EVENTLOG_BATCH_MAX_ROWS (and the older EVENTLOG_BATCH_SIZE),
// EVENTLOG_BATCH_MAX_BYTES, EVENTLOG_MIN_INSERT_INTERVAL_MS.
#include <gtest/gtest.h>

#include "core/config.h"

namespace eventlog {
namespace {

TEST(BatchingConfig, BatchSizeStillSetsTheRowCapAndMaxRowsWins) {
  auto old_name = LoadConfig({{"EVENTLOG_BATCH_SIZE", "500"}});
  ASSERT_TRUE(old_name.ok());
  EXPECT_EQ(old_name->batch_size, 500);
  auto both = LoadConfig({{"EVENTLOG_BATCH_SIZE", "500"}, {"EVENTLOG_BATCH_MAX_ROWS", "700"}});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->batch_size, 700);
}

TEST(BatchingConfig, BytesAndIntervalAreReadAndRangeChecked) {
  auto c = LoadConfig(
      {{"EVENTLOG_BATCH_MAX_BYTES", "1048576"}, {"EVENTLOG_MIN_INSERT_INTERVAL_MS", "0"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->batch_max_bytes, 1048576);
  EXPECT_EQ(c->min_insert_interval_ms, 0);
  for (const auto& [var, value] :
       std::vector<std::pair<std::string, std::string>>{{"EVENTLOG_BATCH_MAX_BYTES", "1023"},
                                                        {"EVENTLOG_BATCH_MAX_BYTES", "1073741824"},
                                                        {"EVENTLOG_MIN_INSERT_INTERVAL_MS", "-1"},
                                                        {"EVENTLOG_BATCH_MAX_ROWS", "0"}}) {
    auto bad = LoadConfig({{var, value}});
    ASSERT_FALSE(bad.ok()) << var << "=" << value;
    EXPECT_NE(bad.status().message().find(var), std::string::npos);
  }
}

TEST(BatchingConfig, ClickHouseCompressionIsAutoOnOrOff) {
  EXPECT_EQ(LoadConfig({})->clickhouse_compression, "auto");
  EXPECT_EQ(LoadConfig({{"CLICKHOUSE_COMPRESSION", "on"}})->clickhouse_compression, "on");
  auto bad = LoadConfig({{"CLICKHOUSE_COMPRESSION", "gzip"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("CLICKHOUSE_COMPRESSION"), std::string::npos);
}

}  // namespace
}  // namespace eventlog
