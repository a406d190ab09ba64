#include "testing/manual_clock.h"

#include <utility>

namespace eventlog::testing {

// Starts far from zero so code that subtracts durations from Now() stays positive.
ManualClock::ManualClock() : now_(std::chrono::hours(24 * 365)) {}

std::chrono::steady_clock::time_point ManualClock::Now() {
  std::lock_guard lock(mu_);
  return now_;
}

bool ManualClock::SleepFor(Duration d) {
  std::function<void(Duration)> hook;
  {
    std::lock_guard lock(mu_);
    sleeps_.push_back(d);
    if (woken_) return false;
    now_ += d;
    if (stop_ != nullptr && --sleeps_until_stop_ == 0) {
      stop_->store(true);
      stop_ = nullptr;
    }
    hook = hook_;
  }
  if (hook) hook(d);
  return true;
}

void ManualClock::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
}

void ManualClock::Advance(Duration d) {
  std::lock_guard lock(mu_);
  now_ += d;
}

void ManualClock::StopAfterSleeps(std::atomic<bool>& stop, int n) {
  std::lock_guard lock(mu_);
  stop_ = &stop;
  sleeps_until_stop_ = n;
}

void ManualClock::SetSleepHook(std::function<void(Duration)> hook) {
  std::lock_guard lock(mu_);
  hook_ = std::move(hook);
}

std::vector<Clock::Duration> ManualClock::sleeps() const {
  std::lock_guard lock(mu_);
  return sleeps_;
}

}  // namespace eventlog::testing
