#pragma once

#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <thread>

#include "observe/logger.h"

namespace eventlog::app {

// What a second SIGTERM/SIGINT does by default: an operator who asks twice wants the process
// gone now, not after the graceful shutdown. Exits 128 + signal, as a shell reports it.
inline void ExitOnSecondSignal(int signo) {
  log::Error("eventlog", "second signal: exiting now, work in flight is abandoned",
             {{"signal", signo}});
  std::_Exit(128 + signo);
}

// Runs `on_signal` once, on its own thread, when SIGTERM or SIGINT arrives; then, if the
// program has not finished (this object destroyed) within `grace`, runs `on_overdue` (the relay
// aborts its request in flight there, so it still exits in time; serve exits). A second signal
// before the end runs `on_second_signal` (by default: exit at once). Construct before starting
// any other thread: threads inherit the blocked mask, so only this one takes the signal.
class ShutdownSignal {
 public:
  explicit ShutdownSignal(
      std::function<void()> on_signal,
      std::chrono::milliseconds grace = std::chrono::milliseconds::max(),
      std::function<void()> on_overdue = [] {},
      std::function<void(int)> on_second_signal = ExitOnSecondSignal) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    waiter_ = std::thread([this, on_signal = std::move(on_signal), grace,
                           on_overdue = std::move(on_overdue),
                           on_second_signal = std::move(on_second_signal)] {
      if (WaitSignal(nullptr) <= 0 || finished_) return;
      on_signal();
      using Clock = std::chrono::steady_clock;
      bool overdue_pending = grace != std::chrono::milliseconds::max();
      auto overdue_at = overdue_pending ? Clock::now() + grace : Clock::time_point::max();
      for (;;) {
        auto left = overdue_at - Clock::now();
        if (overdue_pending && left <= Clock::duration::zero()) {
          overdue_pending = false;
          on_overdue();
          continue;
        }
        timespec wait{};
        if (overdue_pending) {
          auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
          wait.tv_sec = static_cast<time_t>(ns / 1000000000);
          wait.tv_nsec = static_cast<long>(ns % 1000000000);
        }
        int sig = WaitSignal(overdue_pending ? &wait : nullptr);
        if (finished_) return;
        if (sig > 0) {
          on_second_signal(sig);
          return;
        }
      }
    });
  }

  ~ShutdownSignal() {
    finished_ = true;
    pthread_kill(waiter_.native_handle(), SIGINT);  // ends a wait still pending
    waiter_.join();
  }

  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

 private:
  // The signal number, or -1 when `timeout` (nullptr: none) passed first. Linux ends a
  // sigtimedwait with EINTR when the process is stopped and continued (SIGSTOP and SIGCONT, a
  // paused container or VM, a debugger): an untimed wait starts again, or the waiter would end
  // and SIGTERM would never be heard. A timed one returns: its caller recomputes what is left.
  int WaitSignal(const timespec* timeout) {
    int sig = sigtimedwait(&set_, nullptr, timeout);
    while (sig < 0 && errno == EINTR && timeout == nullptr) {
      sig = sigtimedwait(&set_, nullptr, nullptr);
    }
    return sig;
  }

  sigset_t set_{};
  std::atomic<bool> finished_{false};
  std::thread waiter_;
};

}  // namespace eventlog::app
