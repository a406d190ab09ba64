#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <vector>

#include "core/clock.h"

namespace eventlog::testing {

// A Clock that moves only when told: SleepFor advances Now() by the requested time at once and
// records the request, so a test sees exactly how long the code under test meant to wait.
// Thread-safe.
class ManualClock : public Clock {
 public:
  ManualClock();

  std::chrono::steady_clock::time_point Now() override;
  // Records `d`, advances Now() by `d` and runs the sleep hook. Returns false without advancing
  // once Wake() was called.
  bool SleepFor(Duration d) override;
  void Wake() override;

  // Moves Now() forward without recording a sleep (time passing while the test waits).
  void Advance(Duration d);
  // Sets `stop` during the `n`-th SleepFor from now on (1 = the next one): the way a test ends
  // Relay::Run after a known number of waits.
  void StopAfterSleeps(std::atomic<bool>& stop, int n);
  // Runs `hook` with the requested duration on every SleepFor, after Now() moved.
  void SetSleepHook(std::function<void(Duration)> hook);

  std::vector<Duration> sleeps() const;

 private:
  mutable std::mutex mu_;
  std::chrono::steady_clock::time_point now_;
  std::vector<Duration> sleeps_;
  bool woken_ = false;
  std::atomic<bool>* stop_ = nullptr;
  int sleeps_until_stop_ = 0;
  std::function<void(Duration)> hook_;
};

}  // namespace eventlog::testing
