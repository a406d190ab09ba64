#pragma once

#include <chrono>
#include <memory>

namespace eventlog {

// Time and waiting go through here so tests can drive time by hand. Implementations are
// thread-safe: the source threads of one relay process and their outbox stores share one
// clock, and Wake() comes from the signal thread while they sleep.
class Clock {
 public:
  using Duration = std::chrono::milliseconds;
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point Now() = 0;
  // Sleeps up to `d`; returns early (false) when the clock is woken by Wake().
  virtual bool SleepFor(Duration d) = 0;
  // Ends the current and every later SleepFor at once (shutdown).
  virtual void Wake() = 0;
};

// std::chrono::steady_clock, and sleeps a Wake() ends.
std::unique_ptr<Clock> MakeRealClock();

}  // namespace eventlog
