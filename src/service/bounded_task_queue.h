#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace eventlog {

// httplib's task queue with bounds: up to `max_threads` workers, started as needed (never
// more than the load asks for), and up to `max_queued` tasks waiting for one. A task that
// finds both full is handed to `on_full` on the enqueuing (accept) thread, which must answer
// it at once without blocking (HttpApi answers 503). httplib's own ThreadPool has a fixed 8
// workers and an unbounded queue, so slow clients starve everyone else.
// Thread-safe: enqueue() from the accept thread, on_idle() too; shutdown() once, at the end.
class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  using Task = std::function<void()>;
  BoundedTaskQueue(size_t max_threads, size_t max_queued, std::function<void(Task)> on_full,
                   std::function<void()> on_idle);
  ~BoundedTaskQueue() override;
  BoundedTaskQueue(const BoundedTaskQueue&) = delete;
  BoundedTaskQueue& operator=(const BoundedTaskQueue&) = delete;

  void enqueue(Task fn) override;
  // Runs the queued tasks to their end, then joins the workers.
  void shutdown() override;
  void on_idle() override { on_idle_(); }

 private:
  void Work();

  const size_t max_threads_;
  const size_t max_queued_;
  const std::function<void(Task)> on_full_;
  const std::function<void()> on_idle_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;            // GUARDED_BY(mu_)
  size_t idle_ = 0;                   // GUARDED_BY(mu_): workers waiting for a task
  bool shutdown_ = false;             // GUARDED_BY(mu_)
  std::vector<std::thread> workers_;  // only the accept thread and shutdown() touch it
};

}  // namespace eventlog
