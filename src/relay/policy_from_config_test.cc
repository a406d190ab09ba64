#include "relay/policy_from_config.h"

#include <gtest/gtest.h>

namespace eventlog {
namespace {

TEST(PolicyFromConfig, DefaultsAreRelayPolicysOwn) {
  RelayPolicy p = ToRelayPolicy(LoadConfig({}).value());
  RelayPolicy expected;
  EXPECT_EQ(p.batch_size, expected.batch_size);
  EXPECT_EQ(p.batch_max_bytes, expected.batch_max_bytes);
  EXPECT_EQ(p.min_insert_interval, expected.min_insert_interval);
  EXPECT_EQ(p.max_attempts, expected.max_attempts);
  EXPECT_EQ(p.retry_base, expected.retry_base);
  EXPECT_EQ(p.retry_max, expected.retry_max);
  EXPECT_EQ(p.poll_interval, expected.poll_interval);
  EXPECT_EQ(p.stream, expected.stream);
}

TEST(PolicyFromConfig, CarriesEverySetting) {
  RelayPolicy p = ToRelayPolicy(LoadConfig({{"EVENTLOG_BATCH_MAX_ROWS", "500"},
                                            {"EVENTLOG_BATCH_MAX_BYTES", "4096"},
                                            {"EVENTLOG_MIN_INSERT_INTERVAL_MS", "0"},
                                            {"EVENTLOG_MAX_ATTEMPTS", "7"},
                                            {"EVENTLOG_RETRY_BASE_MS", "50"},
                                            {"EVENTLOG_RETRY_MAX_MS", "9000"},
                                            {"EVENTLOG_POLL_INTERVAL_MS", "250"}})
                                    .value());
  EXPECT_EQ(p.batch_size, 500);
  EXPECT_EQ(p.batch_max_bytes, 4096);
  EXPECT_EQ(p.min_insert_interval, std::chrono::milliseconds(0));
  EXPECT_EQ(p.max_attempts, 7);
  EXPECT_EQ(p.retry_base, std::chrono::milliseconds(50));
  EXPECT_EQ(p.retry_max, std::chrono::milliseconds(9000));
  EXPECT_EQ(p.poll_interval, std::chrono::milliseconds(250));
}

}  // namespace
}  // namespace eventlog
