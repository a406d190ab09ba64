#include "outbox/pg_watchdog.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace eventlog {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct PgWatch::Entry {
  int fd = -1;
  Clock::time_point start;
  milliseconds limit{0};
  std::atomic<bool> fired{false};
};

namespace {

// How long the peer has sent nothing, as the kernel saw it; nullopt for non-TCP sockets.
std::optional<milliseconds> SinceLastData(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
  return milliseconds(info.tcpi_last_data_recv);
}

class Watchdog {
 public:
  static Watchdog& Get() {
    // Leaked on purpose: its thread may still run while static destructors do at exit.
    static auto* dog = new Watchdog;
    return *dog;
  }

  void Add(const std::shared_ptr<PgWatch::Entry>& e) {
    std::lock_guard lock(mu_);
    if (aborted_) Fire(*e);
    entries_.insert(e);
    if (!thread_started_) {
      thread_started_ = true;
      std::thread([this] { Loop(); }).detach();
    }
    cv_.notify_one();
  }

  void Remove(const std::shared_ptr<PgWatch::Entry>& e) {
    std::lock_guard lock(mu_);  // after this, the thread never touches e->fd again
    entries_.erase(e);
  }

  void AbortAll() {
    std::lock_guard lock(mu_);
    aborted_ = true;
    for (const auto& e : entries_) Fire(*e);
  }

  bool aborted() {
    std::lock_guard lock(mu_);
    return aborted_;
  }

 private:
  static void Fire(PgWatch::Entry& e) {
    if (!e.fired.exchange(true)) shutdown(e.fd, SHUT_RDWR);  // wakes libpq's poll/recv
  }

  // Fires what fell silent past its limit; returns when to look next.
  Clock::time_point Sweep() {
    Clock::time_point now = Clock::now();
    Clock::time_point next = Clock::time_point::max();
    for (const auto& e : entries_) {
      if (e->limit <= milliseconds(0) || e->fired) continue;
      auto silent = std::chrono::duration_cast<milliseconds>(now - e->start);
      if (auto since = SinceLastData(e->fd))
        silent = std::min(silent, *since);
      else
        continue;  // not TCP
      if (silent > e->limit) {
        Fire(*e);
      } else {
        next = std::min(next, now + (e->limit - silent) + milliseconds(10));
      }
    }
    return next;
  }

  [[noreturn]] void Loop() {
    std::unique_lock lock(mu_);
    while (true) {
      Clock::time_point next = Sweep();
      if (next == Clock::time_point::max()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, next);
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::shared_ptr<PgWatch::Entry>> entries_;  // GUARDED_BY(mu_)
  bool aborted_ = false;                               // GUARDED_BY(mu_)
  bool thread_started_ = false;                        // GUARDED_BY(mu_)
};

}  // namespace

void PgWatch::Start(int fd, milliseconds silence_limit) {
  entry_ = std::make_shared<Entry>();
  // A duplicate of libpq's socket: libpq closes its own fd on EOF, before Stop() runs, and the
  // number could then be reused by another connection that a shutdown() must never hit. The
  // duplicate keeps the socket (and its number) ours; shutting it down still wakes libpq.
  entry_->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  entry_->start = Clock::now();
  entry_->limit = silence_limit;
  Watchdog::Get().Add(entry_);
}

void PgWatch::Stop() {
  if (!entry_) return;
  Watchdog::Get().Remove(entry_);
  if (entry_->fd >= 0) close(entry_->fd);
  entry_->fd = -1;
}

bool PgWatch::fired() const { return entry_ && entry_->fired; }

void AbortPgCalls() { Watchdog::Get().AbortAll(); }

bool PgCallsAborted() { return Watchdog::Get().aborted(); }

}  // namespace eventlog
