// PostgreSQL silent: a proxy in front of it stops forwarding without closing anything, as a
// stuck balancer or a network that drops packets would. Every wait on PostgreSQL must end:
// serve answers 503 within a few seconds, and SIGTERM ends serve and relay within
// EVENTLOG_SHUTDOWN_TIMEOUT_MS.
#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>
#include <future>
#include <nlohmann/json.hpp>

#include "tests/faults/fault_checks.h"
#include "tests/faults/fault_env.h"
#include "tests/faults/tcp_delay_proxy.h"
#include "tests/faults/user_traffic.h"

namespace eventlog::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr int kShutdownTimeoutMs = 5000;
constexpr milliseconds kShutdownSlack{2000};
// statement_timeout 1.5 s (+1 s grace), connect 2 s (libpq may try twice: with and without
// TLS), pool wait 1 s: an answer within a few seconds, measured about 4.5 s at worst.
constexpr milliseconds kAnswerBound{8000};

struct Answer {
  int status = 0;  // 0: no HTTP answer at all
  milliseconds took{0};
};

Answer Call(int port, const std::string& path, int n) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(seconds(2));
  client.set_read_timeout(seconds(30));  // far past the bound: a hang shows as a late answer
  auto started = Clock::now();
  httplib::Result res =
      path == "/healthz"
          ? client.Get("/healthz")
          : client.Post("/users",
                        nlohmann::json{{"email", "blackhole-" + std::to_string(n) + "@faults.test"},
                                       {"first_name", "Black"},
                                       {"last_name", "Hole"}}
                            .dump(),
                        "application/json");
  return {res ? res->status : 0, std::chrono::duration_cast<milliseconds>(Clock::now() - started)};
}

// `users` POSTs and `health` GET /healthz, all at once.
std::vector<Answer> Burst(int port, int users, int health, int first_id) {
  std::vector<std::future<Answer>> calls;
  for (int i = 0; i < users; ++i) {
    calls.push_back(std::async(std::launch::async, Call, port, "/users", first_id + i));
  }
  for (int i = 0; i < health; ++i) {
    calls.push_back(std::async(std::launch::async, Call, port, "/healthz", 0));
  }
  std::vector<Answer> out;
  for (auto& c : calls) out.push_back(c.get());
  return out;
}

void ExpectAll503InTime(const std::vector<Answer>& answers, const std::string& what,
                        milliseconds& slowest) {
  for (const Answer& a : answers) {
    EXPECT_EQ(a.status, 503) << what << " after " << a.took.count() << " ms";
    EXPECT_LT(a.took, kAnswerBound) << what << " answered " << a.status;
    slowest = std::max(slowest, a.took);
  }
}

class PgBlackholeTest : public FaultTest {};

TEST_F(PgBlackholeTest, ServeAnswers503AndBothExitInTime) {
  TcpDelayProxy proxy(kPgPort);
  int port = FreePort();
  Env env = {{"DATABASE_URL", "postgresql://eventlog:eventlog@127.0.0.1:" +
                                  std::to_string(proxy.port()) + "/eventlog"},
             {"PORT", std::to_string(port)},
             {"EVENTLOG_DB_CONNECT_TIMEOUT_MS", "2000"},
             {"EVENTLOG_DB_STATEMENT_TIMEOUT_MS", "1500"},
             {"EVENTLOG_DB_POOL_WAIT_MS", "1000"},
             {"EVENTLOG_SHUTDOWN_TIMEOUT_MS", std::to_string(kShutdownTimeoutMs)}};
  auto serve = SpawnEventlog({"serve"}, "serve", env);
  ASSERT_TRUE(WaitServeReady(port, seconds(15))) << serve->log_path();
  auto relay = SpawnEventlog({"relay"}, "relay", env);
  // Traffic flows through the proxy first, so both hold live connections when it goes silent.
  for (const Answer& a : Burst(port, 10, 0, 0)) ASSERT_EQ(a.status, 201);
  ASSERT_TRUE(WaitUntil([] { return ChCount() >= 10; }, seconds(20))) << relay->log_path();

  proxy.SetBlackhole(true);
  milliseconds slowest{0};
  // More requests than the pool's 8 connections: some wait for one, the rest hang on the wire.
  ExpectAll503InTime(Burst(port, 12, 4, 100), "during the blackhole", slowest);
  // Again: the pool has dropped its silent connections; new ones hang while connecting.
  ExpectAll503InTime(Burst(port, 4, 2, 200), "with the pool reconnecting", slowest);
  EXPECT_TRUE(serve->IsAlive());
  EXPECT_TRUE(relay->IsAlive());

  // SIGTERM with requests in flight and the relay waiting on PostgreSQL.
  auto in_flight = std::async(std::launch::async, Burst, port, 4, 1, 300);
  auto signalled = Clock::now();
  serve->Signal(SIGTERM);
  relay->Signal(SIGTERM);
  milliseconds deadline = milliseconds(kShutdownTimeoutMs) + kShutdownSlack;
  EXPECT_TRUE(serve->WaitFor(deadline)) << serve->log_path();
  EXPECT_TRUE(relay->WaitFor(deadline)) << relay->log_path();
  auto exit_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - signalled);
  EXPECT_EQ(serve->exit_code(), 0) << serve->log_path();
  EXPECT_EQ(relay->exit_code(), 0) << relay->log_path();
  in_flight.wait();
  proxy.SetBlackhole(false);

  Figures f;
  f.case_name = "pg_blackhole";
  f.extra = "slowest_503_ms=" + std::to_string(slowest.count()) +
            " both_exited_ms=" + std::to_string(exit_ms.count());
  RecordFigures(f);
}

}  // namespace
}  // namespace eventlog::faults
