// The client's pure parts (no server): the cleartext/proxy warning and the summary header.
#include "clickhouse/http_client.h"

#include <gtest/gtest.h>

namespace eventlog {
namespace {

ClickHouseOptions To(std::string protocol, std::string host, std::string proxy = {}) {
  ClickHouseOptions o;
  o.protocol = std::move(protocol);
  o.host = std::move(host);
  o.proxy = std::move(proxy);
  return o;
}

TEST(ClickHouseTransportWarning, PlainHttpOffLoopbackIsWarnedAbout) {
  std::string w = ClickHouseTransportWarning(To("http", "ch.internal"));
  EXPECT_NE(w.find("in clear"), std::string::npos) << w;
  EXPECT_NE(ClickHouseTransportWarning(To("http", "10.0.0.7")), "");
  for (const char* loopback : {"127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.53"}) {
    EXPECT_EQ(ClickHouseTransportWarning(To("http", loopback)), "") << loopback;
  }
  EXPECT_EQ(ClickHouseTransportWarning(To("https", "ch.internal")), "");
}

TEST(ClickHouseTransportWarning, AProxyIsWarnedAbout) {
  std::string w = ClickHouseTransportWarning(To("http", "127.0.0.1", "http://proxy:3128"));
  EXPECT_NE(w.find("CLICKHOUSE_PROXY"), std::string::npos) << w;
  EXPECT_NE(w.find("password"), std::string::npos) << w;
  w = ClickHouseTransportWarning(To("https", "ch.internal", "http://proxy:3128"));
  EXPECT_EQ(w.find("password"), std::string::npos) << w;  // https: the proxy sees only hosts
}

TEST(ParseSummaryWrittenRows, ReadsTheCountOrMinusOne) {
  EXPECT_EQ(
      ParseSummaryWrittenRows(" {\"read_rows\":\"0\",\"read_bytes\":\"0\",\"written_rows\":\"100\","
                              "\"written_bytes\":\"9100\",\"total_rows_to_read\":\"0\"}\r\n"),
      100);
  EXPECT_EQ(ParseSummaryWrittenRows("{\"written_rows\":\"0\"}"), 0);
  EXPECT_EQ(ParseSummaryWrittenRows("{\"read_rows\":\"5\"}"), -1);
  EXPECT_EQ(ParseSummaryWrittenRows("{\"written_rows\":\"x\"}"), -1);
}

}  // namespace
}  // namespace eventlog
