#include "clickhouse/sink_choice.h"

#include <gtest/gtest.h>

namespace eventlog {
namespace {

Config Loaded(const EnvMap& env) {
  auto c = LoadConfig(env);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? c.value() : Config{};
}

TEST(SinkChoice, OptionsCarryEveryClickHouseSetting) {
  ClickHouseOptions o = ToClickHouseOptions(Loaded({{"CLICKHOUSE_PROTOCOL", "https"},
                                                    {"CLICKHOUSE_HOST", "ch.internal"},
                                                    {"CLICKHOUSE_USER", "writer"},
                                                    {"CLICKHOUSE_PASSWORD", "pw"},
                                                    {"CLICKHOUSE_SCHEMA", "analytics"},
                                                    {"CLICKHOUSE_CONNECT_TIMEOUT_MS", "1500"},
                                                    {"CLICKHOUSE_TIMEOUT_MS", "5000"},
                                                    {"CLICKHOUSE_PROXY", "http://p:3128"}}));
  EXPECT_EQ(o.protocol, "https");
  EXPECT_EQ(o.host, "ch.internal");
  EXPECT_EQ(o.port, 8443);
  EXPECT_EQ(o.user, "writer");
  EXPECT_EQ(o.password, "pw");
  EXPECT_EQ(o.database, "analytics");
  EXPECT_EQ(o.connect_timeout_ms, 1500);
  EXPECT_EQ(o.timeout_ms, 5000);
  EXPECT_EQ(o.proxy, "http://p:3128");
  EXPECT_TRUE(o.compress_inserts);  // auto, and the node is remote
  EXPECT_EQ(o.abort, nullptr);
}

TEST(SinkChoice, AutoCompressionIsOnUnlessEveryNodeIsLoopback) {
  EXPECT_FALSE(ToClickHouseOptions(Loaded({})).compress_inserts);
  EXPECT_FALSE(
      ToClickHouseOptions(Loaded({{"CLICKHOUSE_HOSTS", "localhost:1,[::1]:2"}})).compress_inserts);
  EXPECT_TRUE(ToClickHouseOptions(Loaded({{"CLICKHOUSE_HOSTS", "127.0.0.1:1,ch.internal:2"}}))
                  .compress_inserts);
  EXPECT_TRUE(ToClickHouseOptions(Loaded({{"CLICKHOUSE_COMPRESSION", "on"}})).compress_inserts);
  EXPECT_FALSE(ToClickHouseOptions(
                   Loaded({{"CLICKHOUSE_HOST", "ch.internal"}, {"CLICKHOUSE_COMPRESSION", "off"}}))
                   .compress_inserts);
}

TEST(SinkChoice, SeveralNodesOrAClusterTakeTheClusterSink) {
  EXPECT_FALSE(UsesClusterSink(Loaded({})));
  EXPECT_FALSE(UsesClusterSink(Loaded({{"CLICKHOUSE_HOSTS", "ch1:8123"}})));
  EXPECT_TRUE(UsesClusterSink(Loaded({{"CLICKHOUSE_HOSTS", "ch1:8123,ch2:8123"}})));
  EXPECT_TRUE(UsesClusterSink(Loaded({{"CLICKHOUSE_CLUSTER", "events"}})));
}

}  // namespace
}  // namespace eventlog
