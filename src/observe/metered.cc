#include "observe/metered.h"

#include <chrono>

namespace eventlog {

Result<std::optional<Batch>> MeteredOutboxStore::Claim(const ClaimLimits& limits) {
  const auto start = std::chrono::steady_clock::now();
  auto claimed = inner_.Claim(limits);
  if (claimed.ok()) {
    const bool found = claimed->has_value();
    metrics_.ObserveClaim(source_, std::chrono::steady_clock::now() - start, found,
                          found && (*claimed)->recovered, found && (*claimed)->taken_over);
  }
  return claimed;
}

Status MeteredOutboxStore::Complete(const Batch& batch, int64_t delivered,
                                    const std::vector<DeadLetter>& dead) {
  Status s = inner_.Complete(batch, delivered, dead);
  if (s.ok()) {
    metrics_.AddDelivered(source_, delivered);
    metrics_.AddBatchCompleted(source_);
    metrics_.AddErrors(source_, Metrics::ErrorClass::kDeadLettered,
                       static_cast<int64_t>(dead.size()));
  }
  return s;
}

Status MeteredOutboxStore::Release(const Batch& batch, const BatchRetry& retry) {
  Status s = inner_.Release(batch, retry);
  if (s.ok()) {
    metrics_.AddDelivered(source_, retry.delivered);
    metrics_.AddErrors(source_, Metrics::ErrorClass::kDeadLettered,
                       static_cast<int64_t>(retry.dead.size()));
    metrics_.AddErrors(
        source_, retry.rejected ? Metrics::ErrorClass::kRejected : Metrics::ErrorClass::kRetryable);
  }
  return s;
}

void MeterInserts(EventSink& sink, Metrics& metrics, const std::string& source) {
  sink.ObserveInserts(
      [&metrics, source](const InsertReport& insert) { metrics.ObserveInsert(source, insert); });
}

}  // namespace eventlog
