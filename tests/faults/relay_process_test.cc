// Faults of the relay process itself: SIGKILL at random moments, SIGTERM under load.
#include <gtest/gtest.h>

#include <csignal>
#include <random>
#include <thread>

#include "tests/faults/fault_checks.h"
#include "tests/faults/fault_env.h"
#include "tests/faults/tcp_delay_proxy.h"
#include "tests/faults/user_traffic.h"

namespace eventlog::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class RelayProcessTest : public FaultTest {
 protected:
  // serve on a free port, ready.
  void StartServe() {
    port_ = FreePort();
    serve_ = SpawnEventlog({"serve"}, "serve", {{"PORT", std::to_string(port_)}});
    ASSERT_TRUE(WaitServeReady(port_, seconds(15))) << "serve did not come up";
  }

  int port_ = 0;
  std::unique_ptr<ChildProcess> serve_;
};

// Case 3: three relays, one SIGKILLed at a random moment 50 times (0-300 ms apart, so kills
// land in claim, INSERT and mark) and restarted; the leases of the dead pass to the living.
TEST_F(RelayProcessTest, RelaysKilledAtRandom) {
  ASSERT_NO_FATAL_FAILURE(StartServe());
  const Env small_batches = {{"EVENTLOG_BATCH_SIZE", "10"}};
  std::vector<std::unique_ptr<ChildProcess>> relays;
  std::vector<std::string> logs;
  for (int r = 0; r < 3; ++r) {
    relays.push_back(SpawnEventlog({"relay"}, "relay" + std::to_string(r) + "-0", small_batches));
    logs.push_back(relays.back()->log_path());
  }
  UserTraffic traffic(port_, 50, "relay-kill");
  ASSERT_TRUE(WaitUntil([] { return ChCount() >= 20; }, seconds(15))) << "nothing delivered";

  std::mt19937_64 rng(20261125);
  constexpr int kKills = 50;
  int64_t died_by_themselves = 0;
  for (int k = 1; k <= kKills; ++k) {
    // The random moment of the fault, not a wait for a condition.
    std::this_thread::sleep_for(milliseconds(rng() % 301));
    size_t r = rng() % relays.size();
    if (!relays[r]->IsAlive()) ++died_by_themselves;
    relays[r]->Kill();
    relays[r] = SpawnEventlog({"relay"}, "relay" + std::to_string(r) + "-" + std::to_string(k),
                              small_batches);
    logs.push_back(relays[r]->log_path());
  }
  traffic.Stop();

  Figures f;
  f.case_name = "relay_kill";
  ASSERT_TRUE(WaitDrained(seconds(60), &f.drain_s)) << "pending: " << PendingRows();
  for (auto& relay : relays) EXPECT_TRUE(relay->IsAlive()) << relay->log_path();
  EXPECT_EQ(died_by_themselves, 0) << "a relay exited without being killed";
  auto statuses = traffic.statuses();
  EXPECT_EQ(statuses[201], traffic.sent()) << FormatStatuses(statuses);
  ExpectUsersDeliveredOnce(f);
  ExpectStatusDrained(f);
  int64_t found_present = 0;
  for (const auto& log : logs) found_present += CountLogLines(log, "already_present");
  f.extra = "kills=" + std::to_string(kKills) +
            " relays=3 batch_size=10 http=" + FormatStatuses(statuses) +
            " batches_found_present=" + std::to_string(found_present);
  RecordFigures(f);
}

// SIGTERM to a relay under load exits 0 within EVENTLOG_SHUTDOWN_TIMEOUT_MS and loses
// nothing. Every other stop lands while an INSERT is held 900 ms by the proxy, past half of
// the shutdown timeout: the relay must abort it and give the batch back (its rows may have
// been committed: the next relay's presence check must then skip them).
TEST_F(RelayProcessTest, GracefulShutdownUnderLoad) {
  ASSERT_NO_FATAL_FAILURE(StartServe());
  constexpr int kShutdownTimeoutMs = 1000;
  TcpDelayProxy proxy(kChHttpPort);
  const Env env = {{"EVENTLOG_BATCH_SIZE", "5"},
                   {"CLICKHOUSE_PORT", std::to_string(proxy.port())},
                   {"EVENTLOG_SHUTDOWN_TIMEOUT_MS", std::to_string(kShutdownTimeoutMs)}};
  UserTraffic traffic(port_, 50, "graceful");
  constexpr int kStops = 6;
  double slowest_exit_s = 0;
  std::vector<std::string> logs;
  for (int k = 0; k < kStops; ++k) {
    auto relay = SpawnEventlog({"relay"}, "relay-" + std::to_string(k), env);
    logs.push_back(relay->log_path());
    int64_t before = ChCount();
    ASSERT_TRUE(WaitUntil([&] { return ChCount() >= before + 20; }, seconds(15)))
        << "relay " << k << " delivered nothing";
    bool slow = k % 2 == 1;
    if (slow) {
      proxy.SetResponseDelay(milliseconds(900));
      ASSERT_TRUE(
          WaitUntil([&] { return proxy.awaiting_responses() > 0; }, seconds(5), milliseconds(1)));
    }
    auto signalled = std::chrono::steady_clock::now();
    relay->Signal(SIGTERM);
    bool exited = relay->WaitFor(milliseconds(kShutdownTimeoutMs + 5000));
    double took_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
    proxy.SetResponseDelay(milliseconds(0));
    slowest_exit_s = std::max(slowest_exit_s, took_s);
    ASSERT_TRUE(exited) << "relay did not exit after SIGTERM: " << relay->log_path();
    EXPECT_EQ(relay->exit_code(), 0) << relay->log_path();
    EXPECT_LE(took_s, kShutdownTimeoutMs / 1000.0) << (slow ? "slow " : "") << relay->log_path();
  }
  traffic.Stop();
  auto last = SpawnEventlog({"relay"}, "relay-final", env);
  logs.push_back(last->log_path());

  Figures f;
  f.case_name = "graceful_shutdown";
  ASSERT_TRUE(WaitDrained(seconds(60), &f.drain_s)) << "pending: " << PendingRows();
  EXPECT_TRUE(serve_->IsAlive());
  ExpectUsersDeliveredOnce(f);
  ExpectStatusDrained(f);
  int64_t found_present = 0;
  for (const auto& log : logs) found_present += CountLogLines(log, "already_present");
  f.extra = "sigterms=" + std::to_string(kStops) +
            " shutdown_timeout_ms=" + std::to_string(kShutdownTimeoutMs) +
            " slowest_exit_ms=" + std::to_string(static_cast<int>(slowest_exit_s * 1000)) +
            " batches_found_present=" + std::to_string(found_present);
  RecordFigures(f);
}

}  // namespace
}  // namespace eventlog::faults
