#include "clickhouse/pinned_settings.h"

#include <gtest/gtest.h>

namespace eventlog {
namespace {

TEST(PinnedSettings, OldServerGetsWhatItKnows) {
  // What ClickHouse 18.16 lists (no async_insert, old name of distributed_foreground_insert).
  auto s = PinnedSettings({"insert_distributed_sync", "max_insert_block_size", "read_overflow_mode",
                           "date_time_input_format"});
  EXPECT_EQ(s.at("input_format_allow_errors_num"), "0");
  EXPECT_EQ(s.at("input_format_allow_errors_ratio"), "0");
  EXPECT_EQ(s.at("replace_running_query"), "0");
  EXPECT_EQ(s.at("insert_distributed_sync"), "1");
  EXPECT_EQ(s.at("max_insert_block_size"), "1048576");
  EXPECT_EQ(s.at("read_overflow_mode"), "throw");
  EXPECT_EQ(s.count("async_insert"), 0u);
  EXPECT_EQ(s.count("input_format_parallel_parsing"), 0u);
}

TEST(PinnedSettings, ModernServerPinsAsyncInsertAndTheNewName) {
  auto s = PinnedSettings({"async_insert", "wait_for_async_insert", "distributed_foreground_insert",
                           "insert_distributed_sync", "input_format_parallel_parsing"});
  EXPECT_EQ(s.at("async_insert"), "0");
  EXPECT_EQ(s.at("wait_for_async_insert"), "1");
  EXPECT_EQ(s.at("distributed_foreground_insert"), "1");
  EXPECT_EQ(s.count("insert_distributed_sync"), 0u);  // one name, not both
  EXPECT_EQ(s.at("input_format_parallel_parsing"), "0");
}

TEST(KnownSettingsQuery, AsksForEveryOptionalSetting) {
  std::string q = KnownSettingsQuery();
  for (const char* name : {"async_insert", "insert_distributed_sync",
                           "distributed_foreground_insert", "skip_unavailable_shards"}) {
    EXPECT_NE(q.find(std::string("'") + name + "'"), std::string::npos) << q;
  }
  EXPECT_NE(q.find("FROM system.settings"), std::string::npos);
}

}  // namespace
}  // namespace eventlog
