// A fleet stopped in the middle of a burst: every relay exits 0 within its shutdown timeout,
// whatever it was doing (claiming ahead, paging a big tick, inserting, waiting on PostgreSQL).
#include <gtest/gtest.h>

#include <csignal>
#include <mutex>
#include <thread>

#include "tests/faults/fault_checks.h"
#include "tests/faults/fault_env.h"

namespace eventlog::faults {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kRelays = 4;
constexpr int kEvents = 20000;
constexpr int kEventsPerTx = 1000;
constexpr int kShutdownTimeoutMs = 3000;
constexpr milliseconds kExitMargin{1000};

// Writes kEvents events through eventlog_enqueue, kEventsPerTx to a transaction, on its own
// thread; ids() are the committed events.
class Burst {
 public:
  Burst() : thread_([this] { Write(); }) {}
  ~Burst() { Join(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  std::vector<std::string> ids() {
    std::lock_guard lock(mu_);
    return ids_;
  }

 private:
  void Write() {
    for (int first = 0; first < kEvents; first += kEventsPerTx) {
      auto ids = PgStrings(
          "SELECT eventlog_enqueue('burst_event', jsonb_build_object('n', g, 'pad', "
          "repeat('x', 1000)))::text FROM generate_series(" +
          std::to_string(first) + ", " + std::to_string(first + kEventsPerTx - 1) + ") g");
      std::lock_guard lock(mu_);
      ids_.insert(ids_.end(), ids.begin(), ids.end());
    }
  }

  std::mutex mu_;
  std::vector<std::string> ids_;  // GUARDED_BY(mu_)
  std::thread thread_;
};

// Seconds from `since` until each process ended (-1: still running at `deadline`).
std::vector<double> ExitTimes(std::vector<std::unique_ptr<ChildProcess>>& relays,
                              Clock::time_point since, Clock::time_point deadline) {
  std::vector<double> took(relays.size(), -1);
  WaitUntil(
      [&] {
        bool all = true;
        for (size_t i = 0; i < relays.size(); ++i) {
          if (took[i] < 0 && !relays[i]->IsAlive()) {
            took[i] = std::chrono::duration<double>(Clock::now() - since).count();
          }
          all = all && took[i] >= 0;
        }
        return all;
      },
      std::chrono::duration_cast<milliseconds>(deadline - Clock::now()), milliseconds(5));
  return took;
}

class RelayShutdownTest : public FaultTest {};

// Four relays SIGTERMed 0.15 s into a 20,000-event burst (EVENTLOG_SHUTDOWN_TIMEOUT_MS=3000):
// the burst is committed first, so at the signal every relay is busy with it (claims paging
// through 1,000-row ticks, claims ahead, INSERTs in flight). Each must exit 0 within the timeout
// (plus a margin for process exit), and a fresh relay then delivers every committed event
// exactly once.
TEST_F(RelayShutdownTest, FleetStoppedDuringBurstExitsInTime) {
  // The defaults a new user runs with (the suite's are tuned for quick retries): big batches.
  const Env env = {{"EVENTLOG_SHUTDOWN_TIMEOUT_MS", std::to_string(kShutdownTimeoutMs)},
                   {"EVENTLOG_BATCH_MAX_ROWS", "50000"},
                   {"EVENTLOG_LEASE_MS", "30000"},
                   {"CLICKHOUSE_TIMEOUT_MS", "10000"},
                   {"CLICKHOUSE_CONNECT_TIMEOUT_MS", "2000"},
                   {"EVENTLOG_RETRY_BASE_MS", "200"},
                   {"EVENTLOG_RETRY_MAX_MS", "10000"}};
  Burst burst;
  burst.Join();
  std::vector<std::unique_ptr<ChildProcess>> relays;
  for (int r = 0; r < kRelays; ++r) {
    relays.push_back(SpawnEventlog({"relay"}, "relay" + std::to_string(r), env));
  }
  for (auto& relay : relays) {
    ASSERT_TRUE(WaitUntil([&] { return CountLogLines(relay->log_path(), "relay started") > 0; },
                          seconds(15)))
        << "relay did not start: " << relay->log_path();
  }
  // The moment of the fault, not a wait for a condition.
  std::this_thread::sleep_for(milliseconds(150));
  auto signalled = Clock::now();
  for (auto& relay : relays) relay->Signal(SIGTERM);
  std::vector<double> took =
      ExitTimes(relays, signalled, signalled + milliseconds(kShutdownTimeoutMs) + seconds(5));
  std::string times;
  for (size_t i = 0; i < relays.size(); ++i) {
    times += (i > 0 ? "," : "") + std::to_string(static_cast<int>(took[i] * 1000));
    EXPECT_GE(took[i], 0) << "relay still running 8 s after SIGTERM: " << relays[i]->log_path();
    EXPECT_LE(took[i], (milliseconds(kShutdownTimeoutMs) + kExitMargin).count() / 1000.0)
        << relays[i]->log_path();
    if (took[i] >= 0) {
      EXPECT_EQ(relays[i]->exit_code(), 0) << relays[i]->log_path();
    }
  }
  for (auto& relay : relays) relay->Kill();  // those that overstayed, so the check below is fair
  burst.Join();

  auto fresh = SpawnEventlog({"relay"}, "relay-fresh", env);
  Figures f;
  f.case_name = "fleet_sigterm_burst";
  ASSERT_TRUE(WaitDrained(seconds(120), &f.drain_s)) << "pending: " << PendingRows();
  ExpectExactlyOnce(burst.ids(), "toString(event_id)", f);
  ExpectStatusDrained(f);
  f.extra = "relays=" + std::to_string(kRelays) +
            " shutdown_timeout_ms=" + std::to_string(kShutdownTimeoutMs) + " exit_ms=" + times;
  RecordFigures(f);
}

}  // namespace
}  // namespace eventlog::faults
