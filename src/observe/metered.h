#pragma once

#include <string>

#include "core/event_sink.h"
#include "core/outbox_store.h"
#include "observe/metrics.h"

namespace eventlog {

// An OutboxStore that records what passes through it in `metrics` under the label `source`
// (claims and their time, delivered events, batches, errors by class) and otherwise does what
// `inner` does. The relay stays unaware of metrics. Thread-safe if `inner` is.
class MeteredOutboxStore : public OutboxStore {
 public:
  MeteredOutboxStore(OutboxStore& inner, Metrics& metrics, std::string source)
      : inner_(inner), metrics_(metrics), source_(std::move(source)) {}
  Result<std::optional<Batch>> Claim(const ClaimLimits& limits) override;
  Status Renew(const Batch& batch) override { return inner_.Renew(batch); }
  Status Complete(const Batch& batch, int64_t delivered,
                  const std::vector<DeadLetter>& dead) override;
  Status Release(const Batch& batch, const BatchRetry& retry) override;
  Result<std::unique_ptr<RowStream>> StreamRows(const Batch& batch,
                                                const StreamFormat& format) override {
    return inner_.StreamRows(batch, format);
  }
  Result<std::vector<OutboxRow>> LoadRows(const Batch& batch) override {
    return inner_.LoadRows(batch);
  }

 private:
  OutboxStore& inner_;
  Metrics& metrics_;
  const std::string source_;
};

// Makes `sink` report each INSERT request (its time, rows and bytes, by ClickHouse node) to
// `metrics` under the label `source`. REQUIRES: `metrics` outlives the sink.
void MeterInserts(EventSink& sink, Metrics& metrics, const std::string& source);

}  // namespace eventlog
