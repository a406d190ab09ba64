#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/row_stream.h"

namespace eventlog {

// Reads a stream ahead on a thread of its own, into chunks of whole rows, at most `max_bytes`
// ahead of the reader: PostgreSQL keeps producing rows while the relay is busy sending to
// ClickHouse, instead of each waiting for the other (a single thread alternates between the two
// sockets). The inner stream is used by that thread only. Destroying it early stops the thread
// (after the inner stream's current wait). Next is not thread-safe: one reader.
class ReadAhead : public RowStream {
 public:
  static constexpr size_t kChunkBytes = size_t{256} << 10;
  static constexpr size_t kMaxBytesAhead = size_t{8} << 20;

  explicit ReadAhead(std::unique_ptr<RowStream> inner, size_t max_bytes = kMaxBytesAhead);
  ~ReadAhead() override;
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  Result<std::string_view> Next() override;
  int64_t rows() const override { return rows_; }
  // Time the reader waited for a chunk (the source was behind).
  std::chrono::nanoseconds read_time() const override { return waited_; }

 private:
  struct Chunk {
    std::string bytes;
    int64_t rows = 0;
  };
  void Produce();

  std::unique_ptr<RowStream> inner_;
  const size_t max_bytes_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Chunk> ready_;  // GUARDED_BY(mu_)
  size_t bytes_ahead_ = 0;   // GUARDED_BY(mu_)
  bool finished_ = false;    // GUARDED_BY(mu_): no more chunks will come
  Status failure_;           // GUARDED_BY(mu_): why the source ended, if it failed
  bool stop_ = false;        // GUARDED_BY(mu_): the reader is gone
  Chunk current_;            // the chunk last handed out (reader side)
  int64_t rows_ = 0;
  std::chrono::nanoseconds waited_{0};
  std::thread producer_;
};

}  // namespace eventlog
