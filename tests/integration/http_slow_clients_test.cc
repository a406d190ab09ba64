// `eventlog serve` against clients that hold connections: slowloris senders, a full house.
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/integration/http_test_support.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class HttpSlowClientsTest : public IntegrationTest {};

TEST_F(HttpSlowClientsTest, HealthzAnswersWithin1sWhile50SlowSendersHoldConnections) {
  ServeChild serve;  // default settings: this is what an operator gets
  ASSERT_TRUE(serve.WaitHealthy()) << serve.Output();
  SlowSenders slow(serve.port(), 50, milliseconds(200));
  ASSERT_EQ(slow.connected(), 50);
  ASSERT_TRUE(WaitFor([&] { return slow.rounds() >= 3; }, milliseconds(5000)));
  for (int i = 0; i < 5; ++i) {
    auto start = Clock::now();
    EXPECT_EQ(GetHealthz(serve.port(), milliseconds(1000)), 200) << "call " << i;
    EXPECT_LT(Clock::now() - start, milliseconds(1000)) << "call " << i;
  }
}

TEST_F(HttpSlowClientsTest, ARequestThatDribblesIsCutOffAtTheRequestTimeout) {
  ServeChild serve(ServeEnv{{"EVENTLOG_HTTP_REQUEST_TIMEOUT_MS", "1000"}});
  ASSERT_TRUE(serve.WaitHealthy()) << serve.Output();
  int fd = ConnectTo(serve.port());
  ASSERT_GE(fd, 0);
  auto start = Clock::now();
  // One byte every 100 ms: every read succeeds long before any per-read timeout.
  std::string response;
  const std::string head = "POST /users HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  for (size_t i = 0; Clock::now() - start < milliseconds(8000); ++i) {
    char byte = i < head.size() ? head[i] : 'a';
    if (send(fd, &byte, 1, MSG_NOSIGNAL) != 1) break;
    response = ReadResponse(fd, milliseconds(100));  // paces the bytes too
    if (!response.empty()) break;
  }
  close(fd);
  auto took = Clock::now() - start;
  EXPECT_EQ(StatusOf(response), 408) << response;
  EXPECT_LT(took, milliseconds(4000));
  auto body = nlohmann::json::parse(BodyOf(response), nullptr, false);
  EXPECT_TRUE(body.is_object() && body.contains("error")) << response;
}

TEST_F(HttpSlowClientsTest, ConnectionsPastThreadsAndQueueGet503AtOnce) {
  ServeChild serve(ServeEnv{{"EVENTLOG_HTTP_THREADS", "2"}, {"EVENTLOG_HTTP_QUEUE", "1"}});
  ASSERT_TRUE(serve.WaitHealthy()) << serve.Output();
  // The first takes the worker that answered WaitHealthy (once it is idle again), then one
  // more worker and the one queue place are filled.
  SlowSenders first(serve.port(), 1, milliseconds(200));
  ASSERT_TRUE(WaitFor([&] { return first.rounds() >= 2; }, milliseconds(5000)));
  SlowSenders more(serve.port(), 2, milliseconds(200));
  ASSERT_EQ(first.connected() + more.connected(), 3);
  ASSERT_TRUE(WaitFor([&] { return more.rounds() >= 2; }, milliseconds(5000)));
  int fd = ConnectTo(serve.port());
  ASSERT_GE(fd, 0);
  SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string response = ReadResponse(fd, milliseconds(1000));
  close(fd);
  EXPECT_EQ(StatusOf(response), 503) << response;
  EXPECT_EQ(nlohmann::json::parse(BodyOf(response), nullptr, false).value("error", ""),
            "server busy, retry later")
      << response;
}

}  // namespace
}  // namespace eventlog::testing
