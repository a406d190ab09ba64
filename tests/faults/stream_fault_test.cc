// Faults in the middle of a streamed batch (a COPY from PostgreSQL piped into a chunked INSERT):
// the COPY's backend terminated, ClickHouse SIGKILLed mid-body, the relay SIGKILLed or SIGTERMed
// mid-stream. Each case ends with every event in ClickHouse exactly once and byte for byte,
// nothing pending, no dead letters.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/faults/fault_env.h"
#include "tests/faults/stream_faults.h"
#include "tests/faults/tcp_delay_proxy.h"

namespace eventlog::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kEvents = 300000;
constexpr int64_t kBatchRows = 100000;
constexpr int64_t kContextBytes = 100;
constexpr int64_t kMidBodyBytes = 256 << 10;  // a fault strikes once this much of a body went

class StreamFaultTest : public FaultTest {
 protected:
  std::unique_ptr<ChildProcess> SpawnRelay(const std::string& name, const Env& extra) {
    Env env = StreamRelayEnv(kBatchRows);
    for (const auto& [k, v] : extra) env[k] = v;
    auto relay = SpawnEventlog({"relay"}, name, env);
    logs_.push_back(relay->log_path());
    return relay;
  }

  // Waits until a COPY runs and at least kMidBodyBytes more of a request went through `proxy`
  // while it still runs: a streamed INSERT is on the wire and its body is not complete (its
  // end needs the COPY's end). False after `timeout`.
  static bool WaitMidBody(TcpDelayProxy& proxy, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!WaitCopyActive(timeout)) return false;
      const int64_t start = proxy.request_bytes();
      WaitUntil(
          [&] { return proxy.request_bytes() >= start + kMidBodyBytes || ActiveCopies() == 0; },
          timeout, milliseconds(1));
      if (proxy.request_bytes() >= start + kMidBodyBytes && ActiveCopies() > 0) return true;
    }
    return false;
  }

  std::vector<std::string> logs_;
};

// (a) The PostgreSQL backend running a batch's COPY is terminated mid-stream, three times: the
// body ends unparseable, ClickHouse stores nothing of it, the batch goes back whole and is
// delivered by whoever takes it next.
TEST_F(StreamFaultTest, CopyBackendTerminated) {
  auto expected = EnqueueStreamEvents(kEvents, kContextBytes, "copy-kill");
  ASSERT_EQ(static_cast<int64_t>(expected.size()), kEvents);
  auto relay = SpawnRelay("relay", {});
  int64_t terminated = 0;
  for (int k = 0; k < 3; ++k) {
    if (!WaitCopyActive(seconds(30))) break;
    terminated += TerminateCopies();
  }
  EXPECT_GE(terminated, 1) << "no COPY was ever caught running";
  ExpectStreamedExactlyOnce(expected, "stream_copy_terminated",
                            "terminated=" + std::to_string(terminated), logs_, seconds(120));
  EXPECT_TRUE(relay->IsAlive()) << relay->log_path();
}

// (b) ClickHouse SIGKILLed while a streamed body is on the wire (slowed by the proxy) and
// restarted, in two rounds of 150,000 events (during an outage the relay claims and fails every
// fresh batch at once, so one round has one fresh stream to cut): nothing of a cut body counts,
// the batch is rechecked and sent again.
TEST_F(StreamFaultTest, ClickHouseKilledMidBody) {
  TcpDelayProxy proxy(kChHttpPort);
  proxy.SetRequestPause(std::chrono::microseconds(1000));
  auto relay = SpawnRelay("relay", {{"CLICKHOUSE_PORT", std::to_string(proxy.port())}});
  std::vector<std::string> expected;
  int kills = 0;
  for (int round = 0; round < 2; ++round) {
    auto keys = EnqueueStreamEvents(kEvents / 2, kContextBytes, "ch-kill-" + std::to_string(round));
    ASSERT_EQ(static_cast<int64_t>(keys.size()), kEvents / 2);
    expected.insert(expected.end(), keys.begin(), keys.end());
    if (!WaitMidBody(proxy, seconds(30))) break;
    KillClickHouse();
    ++kills;
    std::this_thread::sleep_for(milliseconds(500));  // the outage, not a wait for a condition
    StartClickHouse();
    double drain_s = 0;
    ASSERT_TRUE(WaitDrained(seconds(120), &drain_s)) << "round " << round;
  }
  EXPECT_EQ(kills, 2) << "no streamed body was caught on the wire";
  proxy.SetRequestPause(std::chrono::microseconds(0));
  ExpectStreamedExactlyOnce(expected, "stream_clickhouse_killed", "kills=" + std::to_string(kills),
                            logs_, seconds(120));
  EXPECT_TRUE(relay->IsAlive()) << relay->log_path();
}

// (c) The relay SIGKILLed mid-stream, twice, and a new one started: the batch (and the one it
// claimed ahead) are taken over after the lease and rechecked. Also records what ClickHouse
// made of the cut body (rows of the killed stream stored: a cut taken as the body's end).
TEST_F(StreamFaultTest, RelayKilledMidStream) {
  auto expected = EnqueueStreamEvents(kEvents, kContextBytes, "relay-kill");
  ASSERT_EQ(static_cast<int64_t>(expected.size()), kEvents);
  TcpDelayProxy proxy(kChHttpPort);
  proxy.SetRequestPause(std::chrono::microseconds(1000));
  const Env env = {{"CLICKHOUSE_PORT", std::to_string(proxy.port())}};
  auto relay = SpawnRelay("relay-0", env);
  int kills = 0;
  std::string cut_rows;
  for (int k = 1; k <= 2; ++k) {
    if (!WaitMidBody(proxy, seconds(30))) break;
    const int64_t before = ChCount();
    relay->Kill();
    ++kills;
    // The cut body's INSERT ends (one way or the other) before anyone looks.
    ASSERT_TRUE(WaitUntil([] { return ActiveCopies() == 0; }, seconds(10)));
    std::this_thread::sleep_for(milliseconds(500));
    cut_rows += (cut_rows.empty() ? "" : ",") + std::to_string(ChCount() - before);
    relay = SpawnRelay("relay-" + std::to_string(k), env);
  }
  EXPECT_EQ(kills, 2) << "no streamed body was caught on the wire";
  proxy.SetRequestPause(std::chrono::microseconds(0));
  ExpectStreamedExactlyOnce(
      expected, "stream_relay_killed",
      "kills=" + std::to_string(kills) + " rows_stored_by_cut_bodies=" + cut_rows, logs_,
      seconds(120));
  EXPECT_TRUE(relay->IsAlive()) << relay->log_path();
}

// Batches that a recovery check found partly in ClickHouse, from the relays' `logs` (a whole
// batch found present is an INSERT that landed but whose answer was lost; a part of one can
// only come from a body stored cut).
std::vector<std::string> PartlyPresentBatches(const std::vector<std::string>& logs) {
  std::vector<std::string> found;
  for (const auto& path : logs) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("already_present") == std::string::npos) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) continue;
      if (j.value("already_present", int64_t{0}) != j.value("batch_size", int64_t{-1})) {
        found.push_back("batch " + std::to_string(j.value("batch_id", int64_t{0})) + ": " +
                        std::to_string(j.value("already_present", int64_t{0})) + " of " +
                        std::to_string(j.value("batch_size", int64_t{-1})));
      }
    }
  }
  return found;
}

// A body cut by the relay's death must store nothing: ClickHouse 18.16 takes a body that ends
// early in a FIN (chunked or not) as complete and stores the rows before the cut, the last one
// cut short if the cut falls in its last field. The recovery check then counts that row as
// delivered, cut. Spans of 1 KiB make most cuts fall in the last field. The relay is SIGKILLed
// mid-body up to 6 times (a new one starts at once); then every event must be there byte for
// byte, and no recovered batch may find part of its rows already in ClickHouse.
TEST_F(StreamFaultTest, RelayKilledMidBodyStoresNothing) {
  constexpr int64_t kRows = 25000;  // bodies of ~30 MB, more than the sockets between can hold
  constexpr int kKills = 6;
  std::vector<std::string> expected;
  for (int t = 0; t < kKills + 6; ++t) {
    auto keys = EnqueueStreamEvents(kRows, 60, "cut-" + std::to_string(t), 1024);
    ASSERT_EQ(static_cast<int64_t>(keys.size()), kRows);
    expected.insert(expected.end(), keys.begin(), keys.end());
  }
  TcpDelayProxy proxy(kChHttpPort);
  proxy.SetRequestPause(std::chrono::microseconds(500));
  const Env env = {{"CLICKHOUSE_PORT", std::to_string(proxy.port())},
                   {"EVENTLOG_BATCH_MAX_ROWS", std::to_string(kRows)}};
  auto relay = SpawnRelay("relay-0", env);
  int kills = 0;
  for (int k = 1; k <= kKills; ++k) {
    if (!WaitMidBody(proxy, seconds(30))) break;
    relay->Kill();
    ++kills;
    relay = SpawnRelay("relay-" + std::to_string(k), env);
  }
  EXPECT_GE(kills, kKills - 2) << "too few streamed bodies were caught on the wire";
  proxy.SetRequestPause(std::chrono::microseconds(0));
  ExpectStreamedExactlyOnce(expected, "stream_cut_bodies", "kills=" + std::to_string(kills), logs_,
                            seconds(120));
  auto partly = PartlyPresentBatches(logs_);
  EXPECT_TRUE(partly.empty()) << "a body cut by a SIGKILL left rows in ClickHouse: "
                              << ::testing::PrintToString(partly);
  EXPECT_TRUE(relay->IsAlive()) << relay->log_path();
}

// (d) The relay SIGTERMed mid-stream, twice, with a body slow enough to outlast half the
// shutdown timeout: it exits 0 within the timeout (the stream aborted), and a new relay
// delivers everything exactly once.
TEST_F(StreamFaultTest, RelayTerminatedMidStream) {
  constexpr int kShutdownTimeoutMs = 3000;
  auto expected = EnqueueStreamEvents(kEvents, kContextBytes, "relay-term");
  ASSERT_EQ(static_cast<int64_t>(expected.size()), kEvents);
  TcpDelayProxy proxy(kChHttpPort);
  proxy.SetRequestPause(std::chrono::microseconds(2000));
  const Env env = {{"CLICKHOUSE_PORT", std::to_string(proxy.port())},
                   {"EVENTLOG_SHUTDOWN_TIMEOUT_MS", std::to_string(kShutdownTimeoutMs)}};
  auto relay = SpawnRelay("relay-0", env);
  int stops = 0;
  double slowest_exit_s = 0;
  for (int k = 1; k <= 2; ++k) {
    if (!WaitMidBody(proxy, seconds(30))) break;
    const auto signalled = std::chrono::steady_clock::now();
    relay->Signal(SIGTERM);
    ASSERT_TRUE(relay->WaitFor(milliseconds(kShutdownTimeoutMs + 5000))) << relay->log_path();
    const double took_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
    slowest_exit_s = std::max(slowest_exit_s, took_s);
    ++stops;
    EXPECT_EQ(relay->exit_code(), 0) << relay->log_path();
    EXPECT_LE(took_s, kShutdownTimeoutMs / 1000.0) << relay->log_path();
    relay = SpawnRelay("relay-" + std::to_string(k), env);
  }
  EXPECT_EQ(stops, 2) << "no streamed body was caught on the wire";
  proxy.SetRequestPause(std::chrono::microseconds(0));
  ExpectStreamedExactlyOnce(expected, "stream_relay_sigterm",
                            "sigterms=" + std::to_string(stops) + " slowest_exit_ms=" +
                                std::to_string(static_cast<int>(slowest_exit_s * 1000)),
                            logs_, seconds(120));
  EXPECT_TRUE(relay->IsAlive()) << relay->log_path();
}

// (e) The relay paused mid-stream (SIGSTOP, then SIGCONT 1 s later, well inside the lease), then
// SIGTERMed mid-stream: it must still exit 0 within the shutdown timeout. (Found by the
// interleaving test: Linux ends the signal waiter's sigtimedwait with EINTR on SIGCONT, the
// waiter gave up, and SIGTERM went unheard until SIGKILL.)
TEST_F(StreamFaultTest, RelayPausedThenTerminatedMidStream) {
  constexpr int kShutdownTimeoutMs = 3000;
  auto expected = EnqueueStreamEvents(kEvents, kContextBytes, "pause-term");
  ASSERT_EQ(static_cast<int64_t>(expected.size()), kEvents);
  TcpDelayProxy proxy(kChHttpPort);
  proxy.SetRequestPause(std::chrono::microseconds(1000));
  const Env env = {{"CLICKHOUSE_PORT", std::to_string(proxy.port())},
                   {"EVENTLOG_SHUTDOWN_TIMEOUT_MS", std::to_string(kShutdownTimeoutMs)}};
  auto relay = SpawnRelay("relay-0", env);
  ASSERT_TRUE(WaitMidBody(proxy, seconds(30)));
  relay->Signal(SIGSTOP);
  std::this_thread::sleep_for(seconds(1));  // the pause, not a wait for a condition
  relay->Signal(SIGCONT);
  ASSERT_TRUE(WaitMidBody(proxy, seconds(30)));
  const auto signalled = std::chrono::steady_clock::now();
  relay->Signal(SIGTERM);
  const bool exited = relay->WaitFor(milliseconds(kShutdownTimeoutMs + 5000));
  const double took_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  EXPECT_TRUE(exited) << "SIGTERM unheard after a pause: " << relay->log_path();
  EXPECT_EQ(exited ? relay->exit_code() : -1, 0) << relay->log_path();
  EXPECT_LE(took_s, kShutdownTimeoutMs / 1000.0) << relay->log_path();
  relay = SpawnRelay("relay-1", env);
  proxy.SetRequestPause(std::chrono::microseconds(0));
  ExpectStreamedExactlyOnce(expected, "stream_pause_then_sigterm",
                            "exit_ms=" + std::to_string(static_cast<int>(took_s * 1000)), logs_,
                            seconds(120));
  EXPECT_TRUE(relay->IsAlive()) << relay->log_path();
}

}  // namespace
}  // namespace eventlog::faults
