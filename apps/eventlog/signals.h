#pragma once

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <mutex>
#include <thread>

namespace eventlog::app {

// Runs `on_signal` once, on its own thread, when SIGTERM or SIGINT arrives; then, if the
// program has not finished (this object destroyed) within `grace`, runs `on_overdue` (the relay
// aborts its request in flight there, so it still exits in time). Construct before starting any
// other thread: threads inherit the blocked mask, so only this one takes the signal.
class ShutdownSignal {
 public:
  explicit ShutdownSignal(
      std::function<void()> on_signal,
      std::chrono::milliseconds grace = std::chrono::milliseconds::max(),
      std::function<void()> on_overdue = [] {}) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    waiter_ = std::thread(
        [this, on_signal = std::move(on_signal), grace, on_overdue = std::move(on_overdue)] {
          int sig = 0;
          sigwait(&set_, &sig);
          std::unique_lock lock(mu_);
          if (finished_) return;
          lock.unlock();
          on_signal();
          lock.lock();
          if (grace != std::chrono::milliseconds::max() &&
              !cv_.wait_for(lock, grace, [this] { return finished_; })) {
            on_overdue();
          }
        });
  }

  ~ShutdownSignal() {
    {
      std::lock_guard lock(mu_);
      finished_ = true;
    }
    cv_.notify_all();
    pthread_kill(waiter_.native_handle(), SIGINT);  // ends a sigwait still pending
    waiter_.join();
  }

  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

 private:
  sigset_t set_{};
  std::mutex mu_;
  std::condition_variable cv_;
  bool finished_ = false;
  std::thread waiter_;
};

}  // namespace eventlog::app
