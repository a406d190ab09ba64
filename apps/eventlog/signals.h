#pragma once

#include <csignal>
#include <functional>
#include <thread>

namespace eventlog::app {

// Runs `on_signal` once, on its own thread, when SIGTERM or SIGINT arrives. Construct before
// starting other threads: they inherit the blocked mask, so only this thread takes the signal.
class ShutdownSignal {
 public:
  explicit ShutdownSignal(std::function<void()> on_signal) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    waiter_ = std::thread([this, cb = std::move(on_signal)] {
      int sig = 0;
      sigwait(&set_, &sig);
      if (!done_) cb();
    });
  }
  // Ends the waiting thread when the program finishes without a signal.
  ~ShutdownSignal() {
    done_ = true;
    pthread_kill(waiter_.native_handle(), SIGTERM);
    waiter_.join();
  }

 private:
  sigset_t set_{};
  volatile bool done_ = false;
  std::thread waiter_;
};

}  // namespace eventlog::app
