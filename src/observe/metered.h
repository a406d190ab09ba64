#pragma once

#include "eventlog/event_sink.h"
#include "eventlog/outbox_store.h"
#include "observe/metrics.h"

namespace eventlog {

// An OutboxStore that records what passes through it in `metrics` (claims and their time,
// delivered events, batches, errors by class) and otherwise does what `inner` does. The relay
// stays unaware of metrics. Thread-safe if `inner` is.
class MeteredOutboxStore : public OutboxStore {
 public:
  MeteredOutboxStore(OutboxStore& inner, Metrics& metrics) : inner_(inner), metrics_(metrics) {}
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
};

// An EventSink that times each INSERT and counts its rows and bytes in `metrics`.
class MeteredEventSink : public EventSink {
 public:
  MeteredEventSink(EventSink& inner, Metrics& metrics) : inner_(inner), metrics_(metrics) {}
  Status Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) override;
  Result<Presence> FindPresent(int64_t batch_id, const std::vector<OutboxRow>& rows) override {
    return inner_.FindPresent(batch_id, rows);
  }
  bool Streams() const override { return inner_.Streams(); }
  Status InsertStream(int64_t batch_id, const RowStreamOpener& open,
                      int64_t expected_rows) override;

 private:
  EventSink& inner_;
  Metrics& metrics_;
};

}  // namespace eventlog
