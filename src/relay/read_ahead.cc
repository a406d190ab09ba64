#include "relay/read_ahead.h"

namespace eventlog {

ReadAhead::ReadAhead(std::unique_ptr<RowStream> inner, size_t max_bytes)
    : inner_(std::move(inner)), max_bytes_(max_bytes), producer_([this] { Produce(); }) {}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  producer_.join();
}

void ReadAhead::Produce() {
  Chunk chunk;
  for (;;) {
    auto piece = inner_->Next();
    const bool end = !piece.ok() || piece->empty();
    if (!end) {
      chunk.bytes.append(piece->data(), piece->size());
      ++chunk.rows;
      if (chunk.bytes.size() < kChunkBytes) continue;
    }
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return stop_ || bytes_ahead_ < max_bytes_; });
    if (stop_) return;
    if (!chunk.bytes.empty()) {
      bytes_ahead_ += chunk.bytes.size();
      ready_.push_back(std::move(chunk));
      chunk = Chunk();
    }
    if (end) {
      finished_ = true;
      if (!piece.ok()) failure_ = piece.status();
    }
    lock.unlock();
    changed_.notify_all();
    if (end) return;
  }
}

Result<std::string_view> ReadAhead::Next() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  if (!ready_.empty() || finished_) {
    // no wait
  } else {
    changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
    waited_ += std::chrono::steady_clock::now() - start;
  }
  if (ready_.empty()) {
    if (!failure_.ok()) return failure_;
    return std::string_view();
  }
  current_ = std::move(ready_.front());
  ready_.pop_front();
  bytes_ahead_ -= current_.bytes.size();
  rows_ += current_.rows;
  lock.unlock();
  changed_.notify_all();
  return std::string_view(current_.bytes);
}

}  // namespace eventlog
