// CLICKHOUSE_HOSTS, CLICKHOUSE_CLUSTER, CLICKHOUSE_HEALTH_CHECK_MS and EVENTLOG_SOURCES: the
// settings of a cluster and of several outboxes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/config.h"
#include "testing/config_error.h"

namespace eventlog {
namespace {

std::string ErrorOf(const EnvMap& env) { return testing::ConfigErrorOf(env); }

TEST(LoadConfig, ClickHouseHostsDefaultToTheOneNodeOfHostAndPort) {
  auto c = LoadConfig({{"CLICKHOUSE_HOST", "ch1"}, {"CLICKHOUSE_PORT", "9123"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->clickhouse_hosts.size(), 1u);
  EXPECT_EQ(c->clickhouse_hosts[0].ToString(), "ch1:9123");
  EXPECT_EQ(c->clickhouse_cluster, "");
  EXPECT_EQ(c->clickhouse_health_check_ms, 2000);
}

TEST(LoadConfig, ClickHouseHostsListsNodesWithTheirPorts) {
  auto c = LoadConfig({{"CLICKHOUSE_HOST", "ignored"},
                       {"CLICKHOUSE_HOSTS", "ch1:8124, 10.0.0.2,[::1]:9000,[fe80::1]"},
                       {"CLICKHOUSE_CLUSTER", "events"},
                       {"CLICKHOUSE_HEALTH_CHECK_MS", "500"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->clickhouse_hosts.size(), 4u);
  EXPECT_EQ(c->clickhouse_hosts[0].ToString(), "ch1:8124");
  EXPECT_EQ(c->clickhouse_hosts[1].ToString(), "10.0.0.2:8123");
  EXPECT_EQ(c->clickhouse_hosts[2].ToString(), "[::1]:9000");
  EXPECT_EQ(c->clickhouse_hosts[3].ToString(), "[fe80::1]:8123");
  EXPECT_EQ(c->clickhouse_host, "ch1");  // the first node is the single-node form
  EXPECT_EQ(c->clickhouse_port, 8124);
  EXPECT_EQ(c->clickhouse_cluster, "events");
  EXPECT_EQ(c->clickhouse_health_check_ms, 500);
  c = LoadConfig({{"CLICKHOUSE_PROTOCOL", "https"}, {"CLICKHOUSE_HOSTS", "a,b:1"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->clickhouse_hosts[0].ToString(), "a:8443");
}

TEST(LoadConfig, EmptyClickHouseHostsMeansTheOneNode) {
  auto c = LoadConfig({{"CLICKHOUSE_HOSTS", ""}, {"CLICKHOUSE_CLUSTER", ""}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->clickhouse_hosts.size(), 1u);
  EXPECT_EQ(c->clickhouse_cluster, "");
}

TEST(LoadConfig, ClickHouseHostsErrorsHideAPasswordInAnEntry) {
  std::string msg = ErrorOf({{"CLICKHOUSE_HOSTS", "a:1,https://u:s3cret@ch1:8443"}});
  EXPECT_NE(msg.find("CLICKHOUSE_HOSTS"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("s3cret"), std::string::npos) << msg;
}

// user:password@host (no scheme) was echoed whole, twice: every form is refused, masked.
TEST(LoadConfig, ClickHouseHostsWithCredentialsAreRefusedWithoutShowingThem) {
  for (const char* hosts :
       {"127.0.0.1:8123,user:s3cret@127.0.0.1:8124", "s3cret@127.0.0.1:8124",
        "user:s3cret@[::1]:8124", "user:s3c@ret@h:1", "http://user:s3cret@h:8123",
        "a:1,user:s3cret@h:x", "user:s3cret@h:1,user:s3cret@h:1"}) {
    std::string msg = ErrorOf({{"CLICKHOUSE_HOSTS", hosts}});
    EXPECT_NE(msg.find("CLICKHOUSE_HOSTS"), std::string::npos) << hosts << ": " << msg;
    EXPECT_EQ(msg.find("s3c"), std::string::npos) << hosts << ": " << msg;
    EXPECT_EQ(msg.find("ret@"), std::string::npos) << hosts << ": " << msg;
  }
  std::string msg = ErrorOf({{"CLICKHOUSE_HOSTS", "127.0.0.1:8123,user:s3cret@127.0.0.1:8124"}});
  EXPECT_NE(msg.find("***@127.0.0.1:8124"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CLICKHOUSE_PASSWORD"), std::string::npos) << msg;
}

TEST(LoadConfig, BadClickHouseHostsAreRefusedNamingTheEntry) {
  for (const char* bad : {"a,,b", "a:0", "a:x", "a:70000", "::1", "a b", "a,a"}) {
    std::string msg = ErrorOf({{"CLICKHOUSE_HOSTS", bad}});
    EXPECT_NE(msg.find("CLICKHOUSE_HOSTS"), std::string::npos) << bad << ": " << msg;
  }
  EXPECT_NE(ErrorOf({{"CLICKHOUSE_CLUSTER", "a-b"}}).find("CLICKHOUSE_CLUSTER"), std::string::npos);
  EXPECT_NE(ErrorOf({{"CLICKHOUSE_HEALTH_CHECK_MS", "0"}}).find("CLICKHOUSE_HEALTH_CHECK_MS"),
            std::string::npos);
}

TEST(LoadConfig, SourcesAreUrlsSeparatedByBlanksAndErrorsHideTheirPasswords) {
  auto c = LoadConfig(
      {{"EVENTLOG_SOURCES", "postgresql://u:p@h1/a \n postgres://u:p@h1,h2/b\tpostgresql:///c"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->sources, (std::vector<std::string>{"postgresql://u:p@h1/a", "postgres://u:p@h1,h2/b",
                                                  "postgresql:///c"}));
  EXPECT_TRUE(LoadConfig({}).value().sources.empty());
  EXPECT_TRUE(LoadConfig({{"EVENTLOG_SOURCES", " "}}).value().sources.empty());  // blank: unset
  for (const char* bad :
       {"postgresql://u:s3cret@h/a host=x password=s3cret", "host=x password = s3cret",
        "x password='a s3cret'", "postgresql://u:s3cret@h/a postgresql://u:s3cret@h/a"}) {
    std::string msg = ErrorOf({{"EVENTLOG_SOURCES", bad}});
    EXPECT_NE(msg.find("EVENTLOG_SOURCES"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("s3cret"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace eventlog
