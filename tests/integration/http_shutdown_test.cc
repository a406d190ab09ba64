// `eventlog serve` and signals: a graceful first SIGTERM within EVENTLOG_SHUTDOWN_TIMEOUT_MS,
// a second signal that ends it at once.
#include <unistd.h>

#include <csignal>

#include "tests/integration/http_test_support.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class HttpShutdownTest : public IntegrationTest {};

TEST_F(HttpShutdownTest, ExitsZeroWithinTheTimeoutWhileASlowClientHoldsAConnection) {
  // The request timeout alone would keep the slow request for 60 s.
  ServeChild serve(ServeEnv{{"EVENTLOG_SHUTDOWN_TIMEOUT_MS", "2000"},
                            {"EVENTLOG_HTTP_REQUEST_TIMEOUT_MS", "60000"}});
  ASSERT_TRUE(serve.WaitHealthy()) << serve.Output();
  SlowSenders slow(serve.port(), 1, milliseconds(100));
  ASSERT_TRUE(WaitFor([&] { return slow.rounds() >= 3; }, milliseconds(5000)));
  auto start = Clock::now();
  serve.Signal(SIGTERM);
  // It stops accepting at once ...
  auto refused = [&] {
    int fd = ConnectTo(serve.port());
    if (fd >= 0) close(fd);
    return fd < 0;
  };
  EXPECT_TRUE(WaitFor(refused, milliseconds(1000)));
  // ... and exits 0 within the timeout (the slow request is cut off at half of it).
  ASSERT_TRUE(serve.WaitExit(milliseconds(4000))) << serve.Output();
  EXPECT_EQ(serve.exit_code(), 0) << serve.Output();
  EXPECT_LT(Clock::now() - start, milliseconds(2500));
}

TEST_F(HttpShutdownTest, ASecondSignalExitsAtOnce) {
  ServeChild serve(ServeEnv{{"EVENTLOG_SHUTDOWN_TIMEOUT_MS", "60000"},
                            {"EVENTLOG_HTTP_REQUEST_TIMEOUT_MS", "60000"}});
  ASSERT_TRUE(serve.WaitHealthy()) << serve.Output();
  SlowSenders slow(serve.port(), 1, milliseconds(100));  // keeps the graceful shutdown going
  ASSERT_TRUE(WaitFor([&] { return slow.rounds() >= 3; }, milliseconds(5000)));
  serve.Signal(SIGTERM);
  ASSERT_TRUE(WaitFor([&] { return serve.Output().find("shutting down") != std::string::npos; },
                      milliseconds(2000)))
      << serve.Output();
  EXPECT_FALSE(serve.WaitExit(milliseconds(300)));  // still draining
  auto start = Clock::now();
  serve.Signal(SIGINT);
  ASSERT_TRUE(serve.WaitExit(milliseconds(2000))) << serve.Output();
  EXPECT_LT(Clock::now() - start, milliseconds(2000));
  EXPECT_EQ(serve.exit_code(), 128 + SIGINT) << serve.Output();
  EXPECT_NE(serve.Output().find("second signal"), std::string::npos) << serve.Output();
}

}  // namespace
}  // namespace eventlog::testing
