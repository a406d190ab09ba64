#include "observe/metered.h"

#include <chrono>

namespace eventlog {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Adds the rows and bytes of a stream to `*rows` and `*bytes` as they pass.
class CountedStream : public RowStream {
 public:
  CountedStream(std::unique_ptr<RowStream> inner, int64_t* rows, int64_t* bytes)
      : inner_(std::move(inner)), rows_(rows), bytes_(bytes) {}
  ~CountedStream() override { *rows_ += inner_->rows(); }
  CountedStream(const CountedStream&) = delete;
  CountedStream& operator=(const CountedStream&) = delete;
  Result<std::string_view> Next() override {
    auto piece = inner_->Next();
    if (piece.ok()) *bytes_ += static_cast<int64_t>(piece->size());
    return piece;
  }
  int64_t rows() const override { return inner_->rows(); }
  std::chrono::nanoseconds read_time() const override { return inner_->read_time(); }

 private:
  std::unique_ptr<RowStream> inner_;
  int64_t* rows_;
  int64_t* bytes_;
};

}  // namespace

Result<std::optional<Batch>> MeteredOutboxStore::Claim(const ClaimLimits& limits) {
  const auto start = SteadyClock::now();
  auto claimed = inner_.Claim(limits);
  if (claimed.ok()) {
    const bool found = claimed->has_value();
    metrics_.ObserveClaim(SteadyClock::now() - start, found, found && (*claimed)->recovered,
                          found && (*claimed)->taken_over);
  }
  return claimed;
}

Status MeteredOutboxStore::Complete(const Batch& batch, int64_t delivered,
                                    const std::vector<DeadLetter>& dead) {
  Status s = inner_.Complete(batch, delivered, dead);
  if (s.ok()) {
    metrics_.AddDelivered(delivered);
    metrics_.AddBatchCompleted();
    metrics_.AddErrors(Metrics::ErrorClass::kDeadLettered, static_cast<int64_t>(dead.size()));
  }
  return s;
}

Status MeteredOutboxStore::Release(const Batch& batch, const BatchRetry& retry) {
  Status s = inner_.Release(batch, retry);
  if (s.ok()) {
    metrics_.AddDelivered(retry.delivered);
    metrics_.AddErrors(Metrics::ErrorClass::kDeadLettered, static_cast<int64_t>(retry.dead.size()));
    metrics_.AddErrors(retry.rejected ? Metrics::ErrorClass::kRejected
                                      : Metrics::ErrorClass::kRetryable);
  }
  return s;
}

Status MeteredEventSink::Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) {
  const auto start = SteadyClock::now();
  Status s = inner_.Insert(batch_id, rows);
  int64_t bytes = 0;
  for (const OutboxRow& r : rows) {
    bytes +=
        kClaimRowOverheadBytes +
        static_cast<int64_t>(r.event_type.size() + r.environment.size() + r.event_context.size());
  }
  metrics_.ObserveInsert(SteadyClock::now() - start, static_cast<int64_t>(rows.size()), bytes,
                         s.ok());
  return s;
}

}  // namespace eventlog

namespace eventlog {

Status MeteredEventSink::InsertStream(int64_t batch_id, const RowStreamOpener& open,
                                      int64_t expected_rows) {
  const auto start = SteadyClock::now();
  int64_t rows = 0;
  int64_t bytes = 0;
  const RowStreamOpener counted = [&](const StreamFormat& f) -> Result<std::unique_ptr<RowStream>> {
    auto stream = open(f);
    if (!stream.ok()) return stream.status();
    return std::unique_ptr<RowStream>(
        std::make_unique<CountedStream>(std::move(stream.value()), &rows, &bytes));
  };
  Status s = inner_.InsertStream(batch_id, counted, expected_rows);
  metrics_.ObserveInsert(SteadyClock::now() - start, rows, bytes, s.ok());
  return s;
}

}  // namespace eventlog
