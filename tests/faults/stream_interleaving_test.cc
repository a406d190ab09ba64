// Streamed delivery under random interleavings of faults: each seed writes random bursts of
// events (random sizes and contents: control characters, backslashes, multi-byte UTF-8) for 1-2
// relays with random batch caps, behind a proxy that may slow the INSERT bodies, while a random
// schedule, at random moments (often while a COPY runs), terminates COPY backends, SIGKILLs and
// restarts ClickHouse, SIGKILLs or SIGTERMs a relay (and starts another), or pauses one
// (SIGSTOP/SIGCONT, shorter than the lease). Then everything heals and ClickHouse must hold
// every event exactly once, byte for byte, with nothing pending and no dead letter.
//
// Seeded and reproducible in its choices (not in the servers' timing): each seed is printed;
// EVENTLOG_STREAM_FAULT_SEED=<n> replays one, EVENTLOG_STREAM_FAULT_SEEDS (default 2) sets how
// many run, EVENTLOG_STREAM_FAULT_STEPS (default 8) the faults per seed.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "tests/faults/fault_env.h"
#include "tests/faults/stream_faults.h"
#include "tests/faults/tcp_delay_proxy.h"

namespace eventlog::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kShutdownTimeoutMs = 3000;
constexpr int64_t kMaxEventsPerSeed = 320000;  // the final key check reads them all at once

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::stoll(v) : fallback;
}

enum class Fault { kTerminateCopy, kKillClickHouse, kKillRelay, kStopRelay, kPauseRelay, kNone };

const char* FaultName(Fault f) {
  switch (f) {
    case Fault::kTerminateCopy: return "terminate_copy";
    case Fault::kKillClickHouse: return "kill_clickhouse";
    case Fault::kKillRelay: return "kill_relay";
    case Fault::kStopRelay: return "sigterm_relay";
    case Fault::kPauseRelay: return "pause_relay";
    case Fault::kNone: return "none";
  }
  return "?";
}

// One seed's run: every random choice comes from one PRNG, in the test's thread.
class SeedRun {
 public:
  explicit SeedRun(uint64_t seed) : seed_(seed), rng_(seed), proxy_(kChHttpPort) {}

  void Run(int steps) {
    const int relays = 1 + static_cast<int>(rng_() % 2);
    for (int r = 0; r < relays; ++r) {
      caps_.push_back(Pick<int64_t>({20000, 50000, 100000, 150000, 200000}));
      relays_.push_back(Spawn(r));
    }
    proxy_.SetRequestPause(std::chrono::microseconds(Pick<int64_t>({0, 0, 250, 1000})));
    for (int step = 0; step < steps; ++step) {
      // Mostly a burst before each fault, always one when nothing is left to deliver, so most
      // faults find streams to strike.
      if (rng_() % 4 != 0 || PendingRows() == 0) Burst(steps - step);
      WaitRandomMoment();
      Inject(static_cast<Fault>(rng_() % 6));
      if (::testing::Test::HasFatalFailure()) return;
    }
    Heal();
    std::string extra = "seed=" + std::to_string(seed_) + " relays=" + std::to_string(relays) +
                        " caps=" + Join(caps_) + " mid_copy_faults=" + std::to_string(mid_copy_);
    for (const auto& [name, n] : faults_) extra += " " + name + "=" + std::to_string(n);
    ExpectStreamedExactlyOnce(expected_, "stream_interleaving", extra, logs_, seconds(180));
  }

 private:
  template <typename T>
  T Pick(std::initializer_list<T> options) {
    return *(options.begin() + static_cast<std::ptrdiff_t>(rng_() % options.size()));
  }

  static std::string Join(const std::vector<int64_t>& v) {
    std::string out;
    for (int64_t x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
    return out;
  }

  std::unique_ptr<ChildProcess> Spawn(int r) {
    Env env = StreamRelayEnv(caps_[static_cast<size_t>(r)]);
    env["CLICKHOUSE_PORT"] = std::to_string(proxy_.port());
    env["EVENTLOG_SHUTDOWN_TIMEOUT_MS"] = std::to_string(kShutdownTimeoutMs);
    auto relay = SpawnEventlog(
        {"relay"},
        "s" + std::to_string(seed_) + "-r" + std::to_string(r) + "-" + std::to_string(spawned_++),
        env);
    logs_.push_back(relay->log_path());
    return relay;
  }

  // A transaction of a random size (a few big ones fill the streams), random context sizes;
  // at most twice an even share of what is left for the `steps_left` steps.
  void Burst(int steps_left) {
    const int64_t left = kMaxEventsPerSeed - static_cast<int64_t>(expected_.size());
    int64_t count = Pick<int64_t>({1, 7, 1000, 20000, 60000, 120000, 200000});
    count = std::min({count, left, 2 * left / steps_left});
    if (count <= 0) return;
    const int64_t context_bytes = Pick<int64_t>({60, 60, 200, 1500});
    auto keys = EnqueueStreamEvents(count, context_bytes,
                                    std::to_string(seed_) + "-" + std::to_string(bursts_++));
    ASSERT_EQ(static_cast<int64_t>(keys.size()), count);
    expected_.insert(expected_.end(), keys.begin(), keys.end());
  }

  // Either any moment, or shortly after a COPY was seen running (most faults should land in a
  // stream, which a plain random moment often misses).
  void WaitRandomMoment() {
    if (rng_() % 3 != 0) WaitCopyActive(seconds(5));
    std::this_thread::sleep_for(milliseconds(rng_() % 400));  // the random moment
  }

  void Inject(Fault fault) {
    const size_t r = rng_() % relays_.size();
    const bool mid_copy = ActiveCopies() > 0;
    mid_copy_ += mid_copy ? 1 : 0;
    ++faults_[FaultName(fault)];
    std::cout << "  seed " << seed_ << ": " << FaultName(fault) << " relay=" << r
              << " mid_copy=" << mid_copy << " events=" << expected_.size() << std::endl;
    switch (fault) {
      case Fault::kTerminateCopy: TerminateCopies(); break;
      case Fault::kKillClickHouse:
        KillClickHouse();
        std::this_thread::sleep_for(milliseconds(rng_() % 1500));  // the outage
        StartClickHouse();
        break;
      case Fault::kKillRelay:
        relays_[r]->Kill();
        relays_[r] = Spawn(static_cast<int>(r));
        break;
      case Fault::kStopRelay: {
        const auto signalled = std::chrono::steady_clock::now();
        relays_[r]->Signal(SIGTERM);
        ASSERT_TRUE(relays_[r]->WaitFor(milliseconds(kShutdownTimeoutMs + 5000)))
            << "seed " << seed_ << ": relay did not exit on SIGTERM: " << relays_[r]->log_path();
        const auto took = std::chrono::steady_clock::now() - signalled;
        EXPECT_EQ(relays_[r]->exit_code(), 0) << "seed " << seed_ << ": " << relays_[r]->log_path();
        EXPECT_LE(took, milliseconds(kShutdownTimeoutMs))
            << "seed " << seed_ << ": " << relays_[r]->log_path();
        relays_[r] = Spawn(static_cast<int>(r));
        break;
      }
      case Fault::kPauseRelay:
        // Shorter than the lease: the relay must carry on (or fail cleanly) when it wakes.
        relays_[r]->Signal(SIGSTOP);
        std::this_thread::sleep_for(milliseconds(200 + rng_() % 2800));  // the pause
        relays_[r]->Signal(SIGCONT);
        break;
      case Fault::kNone: break;
    }
  }

  // Servers up, bodies at full speed, every relay running.
  void Heal() {
    proxy_.SetRequestPause(std::chrono::microseconds(0));
    if (ChQuery("SELECT 1") != "1") StartClickHouse();
    for (size_t r = 0; r < relays_.size(); ++r) {
      EXPECT_TRUE(relays_[r]->IsAlive())
          << "seed " << seed_ << ": a relay died by itself: " << relays_[r]->log_path();
      if (!relays_[r]->IsAlive()) relays_[r] = Spawn(static_cast<int>(r));
    }
  }

  const uint64_t seed_;
  std::mt19937_64 rng_;
  TcpDelayProxy proxy_;
  std::vector<int64_t> caps_;
  std::vector<std::unique_ptr<ChildProcess>> relays_;
  std::vector<std::string> logs_;
  std::vector<std::string> expected_;
  std::map<std::string, int64_t> faults_;
  int64_t mid_copy_ = 0;
  int spawned_ = 0;
  int bursts_ = 0;
};

class StreamInterleavingTest : public FaultTest {};

TEST_F(StreamInterleavingTest, RandomFaultsAroundStreams) {
  std::vector<uint64_t> seeds;
  if (const char* one = std::getenv("EVENTLOG_STREAM_FAULT_SEED"); one != nullptr && *one) {
    seeds.push_back(std::stoull(one));
  } else {
    const int64_t n = EnvInt("EVENTLOG_STREAM_FAULT_SEEDS", 2);
    std::random_device device;
    for (int64_t i = 0; i < n; ++i) seeds.push_back((uint64_t{device()} << 20) ^ device());
  }
  const int steps = static_cast<int>(EnvInt("EVENTLOG_STREAM_FAULT_STEPS", 8));
  for (size_t i = 0; i < seeds.size(); ++i) {
    std::cout << "stream interleaving: seed " << seeds[i]
              << " (replay: EVENTLOG_STREAM_FAULT_SEED=" << seeds[i] << ")" << std::endl;
    if (i > 0) ResetState();
    SeedRun(seeds[i]).Run(steps);
    if (HasFailure()) {
      ADD_FAILURE() << "failing seed: EVENTLOG_STREAM_FAULT_SEED=" << seeds[i];
      return;
    }
  }
}

}  // namespace
}  // namespace eventlog::faults
