// The cause the client gives a transport failure (no ClickHouse needed: loopback sockets of
// the test's own). The relay and the cluster sink act on this field alone.
#include <gtest/gtest.h>

#include "clickhouse/http_client.h"
#include "testing/loopback_listener.h"

namespace eventlog {
namespace {

using testing::LoopbackListener;

Status QueryAt(int port) {
  ClickHouseOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.connect_timeout_ms = 2000;
  o.timeout_ms = 300;
  ClickHouseClient client(o);
  return client.Execute("SELECT 1").status();
}

TEST(TransportFailureCause, NoConnectionIsNeverSent) {
  LoopbackListener refusing(LoopbackListener::Mode::kRefuse);
  Status s = QueryAt(refusing.port());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.cause(), FailureCause::kNeverSent) << s.ToString();
  EXPECT_TRUE(NeverReachedServer(s));
  EXPECT_NE(s.message().find("(not sent: no connection)"), std::string::npos) << s.message();
}

// Connected (the kernel's backlog) and nobody ever answers: our own timeout.
TEST(TransportFailureCause, OurTimeoutIsServerStrain) {
  LoopbackListener silent(LoopbackListener::Mode::kSilent);
  Status s = QueryAt(silent.port());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.cause(), FailureCause::kServerStrain) << s.ToString();
  EXPECT_FALSE(NeverReachedServer(s));
}

// A connection closed without an answer: the node's fault, and the request may have arrived.
TEST(TransportFailureCause, AHangUpIsTheNode) {
  LoopbackListener hang_up(LoopbackListener::Mode::kHangUp);
  Status s = QueryAt(hang_up.port());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.cause(), FailureCause::kNode) << s.ToString();
  EXPECT_FALSE(NeverReachedServer(s));
}

}  // namespace
}  // namespace eventlog
