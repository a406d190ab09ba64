#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/row_stream.h"

namespace eventlog {

// Passes a streamed batch through unchanged while it checks that no event_id (each line's first
// field) comes twice: a batch with a reused id ends in an error instead of its end, so its INSERT
// is refused whole and the batch is delivered row by row, where the reused rows become dead
// letters (relay_step.cc). Ids are compared by a 64-bit hash, sorted at the end: a collision only
// sends a good batch the slow way. (A cluster's parts are checked each alone: an id always falls
// in the same part.) Adds the time it waited for rows to `*read_time` when it goes.
class UniqueIdCheck : public RowStream {
 public:
  UniqueIdCheck(std::unique_ptr<RowStream> inner, std::chrono::nanoseconds* read_time)
      : inner_(std::move(inner)), read_total_(read_time) {}
  ~UniqueIdCheck() override { *read_total_ += inner_->read_time(); }
  UniqueIdCheck(const UniqueIdCheck&) = delete;
  UniqueIdCheck& operator=(const UniqueIdCheck&) = delete;

  Result<std::string_view> Next() override;
  int64_t rows() const override { return inner_->rows(); }
  std::chrono::nanoseconds read_time() const override { return inner_->read_time(); }

 private:
  std::unique_ptr<RowStream> inner_;
  std::chrono::nanoseconds* read_total_;
  std::vector<uint64_t> hashes_;
};

}  // namespace eventlog
