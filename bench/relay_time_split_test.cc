#include "bench/relay_time_split.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace eventlog::bench {
namespace {

constexpr const char* kJsonLine =
    R"({"timestamp":"2026-12-07T20:00:00.000000Z","level":"info","logger":"eventlog.relay",)"
    R"("message":"relay time split","relay":"r1","batches":10,"delivered":150000,)"
    R"("claim_s":1.5,"read_s":0.25,"send_s":2.0,"mark_s":0.25})";

TEST(RelayTimeSplitTest, SumsJsonLines) {
  RelayTimeSplit split;
  EXPECT_TRUE(AddTimeSplitLine(kJsonLine, split));
  EXPECT_TRUE(AddTimeSplitLine(kJsonLine, split));
  EXPECT_EQ(split.lines, 2);
  EXPECT_EQ(split.batches, 20);
  EXPECT_EQ(split.delivered, 300000);
  EXPECT_DOUBLE_EQ(split.claim_s, 3.0);
  EXPECT_DOUBLE_EQ(split.read_s, 0.5);
  EXPECT_DOUBLE_EQ(split.send_s, 4.0);
  EXPECT_DOUBLE_EQ(split.mark_s, 0.5);
  EXPECT_DOUBLE_EQ(split.total_s(), 8.0);
}

TEST(RelayTimeSplitTest, IgnoresOtherLines) {
  RelayTimeSplit split;
  EXPECT_FALSE(AddTimeSplitLine(R"({"message":"batch delivered","batches":3})", split));
  EXPECT_FALSE(
      AddTimeSplitLine(R"({"message":"relay stopped","error":"relay time split"})", split));
  EXPECT_FALSE(AddTimeSplitLine("not json at all", split));
  EXPECT_FALSE(AddTimeSplitLine("{broken relay time split", split));
  EXPECT_EQ(split.lines, 0);
  EXPECT_EQ(split.batches, 0);
}

TEST(RelayTimeSplitTest, ReadsTheConsoleFormat) {
  RelayTimeSplit split;
  EXPECT_TRUE(AddTimeSplitLine(
      "2026-12-07 20:00:00.000000 [info   ] relay time split                         "
      "[eventlog.relay] relay=r1 batches=4 delivered=40 claim_s=0.5 read_s=0.1 send_s=1 mark_s=0.2",
      split));
  EXPECT_EQ(split.batches, 4);
  EXPECT_EQ(split.delivered, 40);
  EXPECT_DOUBLE_EQ(split.send_s, 1.0);
  EXPECT_DOUBLE_EQ(split.mark_s, 0.2);
}

TEST(RelayTimeSplitTest, ReadsALogOrSaysThereIsNone) {
  const std::string path = ::testing::TempDir() + "relay_time_split_test.log";
  {
    std::ofstream log(path, std::ios::trunc);
    log << R"({"message":"relay started"})"
        << "\n"
        << kJsonLine << "\n";
  }
  auto split = ReadRelayTimeSplit(path);
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->batches, 10);
  {
    std::ofstream log(path, std::ios::trunc);
    log << R"({"message":"relay stopped","delivered":5})"
        << "\n";
  }
  EXPECT_FALSE(ReadRelayTimeSplit(path).has_value());
  std::remove(path.c_str());
  EXPECT_FALSE(ReadRelayTimeSplit(path).has_value());
}

}  // namespace
}  // namespace eventlog::bench
