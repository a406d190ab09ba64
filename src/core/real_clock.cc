#include <condition_variable>
#include <mutex>

#include "core/clock.h"

namespace eventlog {
namespace {

class RealClock : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() override { return std::chrono::steady_clock::now(); }

  bool SleepFor(Duration d) override {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, d, [this] { return woken_; });
  }

  void Wake() override {
    {
      std::lock_guard lock(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
};

}  // namespace

std::unique_ptr<Clock> MakeRealClock() { return std::make_unique<RealClock>(); }

}  // namespace eventlog
