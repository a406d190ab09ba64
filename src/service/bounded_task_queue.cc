#include "service/bounded_task_queue.h"

namespace eventlog {

BoundedTaskQueue::BoundedTaskQueue(size_t max_threads, size_t max_queued,
                                   std::function<void(Task)> on_full, std::function<void()> on_idle)
    : max_threads_(max_threads),
      max_queued_(max_queued),
      on_full_(std::move(on_full)),
      on_idle_(std::move(on_idle)) {}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(Task fn) {
  std::unique_lock lock(mu_);
  if (!shutdown_) {
    if (idle_ > queue_.size()) {  // a waiting worker takes it now
      queue_.push_back(std::move(fn));
      cv_.notify_one();
      return;
    }
    if (workers_.size() < max_threads_) {  // a new worker, with this as its first task
      workers_.emplace_back([this, first = std::move(fn)] {
        first();
        Work();
      });
      return;
    }
    if (queue_.size() < max_queued_) {
      queue_.push_back(std::move(fn));
      return;
    }
  }
  lock.unlock();
  on_full_(std::move(fn));
}

void BoundedTaskQueue::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutdown_ && workers_.empty()) return;
    shutdown_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

void BoundedTaskQueue::Work() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mu_);
      ++idle_;
      cv_.wait(lock, [this] { return shutdown_ || !queue_.empty(); });
      --idle_;
      if (queue_.empty()) return;  // shut down and nothing left to do
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace eventlog
