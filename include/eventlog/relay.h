#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "eventlog/clock.h"
#include "eventlog/event_sink.h"
#include "eventlog/outbox_store.h"
#include "eventlog/status.h"

namespace eventlog {

struct RelayPolicy {
  int batch_size = 50000;             // rows per batch at most (EVENTLOG_BATCH_MAX_ROWS)
  int64_t batch_max_bytes = 8 << 20;  // and bytes (one event more at most)
  int max_attempts = 5;               // rejected rows go to dead letters on this attempt
  std::chrono::milliseconds retry_base{200};
  std::chrono::milliseconds retry_max{10000};
  std::chrono::milliseconds poll_interval{50};         // idle wait between claims
  std::chrono::milliseconds min_insert_interval{200};  // floor between INSERTs of part batches
};

// What one step did.
struct StepOutcome {
  bool claimed = false;     // a batch was found
  bool full_batch = false;  // it stopped at a cap (rows or bytes): more are likely waiting
  int64_t batch_id = 0;
  int64_t rows = 0;
  int64_t delivered = 0;        // inserted by this step
  int64_t already_present = 0;  // found in ClickHouse from an earlier, interrupted try
  int64_t dead_lettered = 0;
  int64_t inserts = 0;  // INSERT requests sent
  Status error;         // set when the batch was given back for a retry
};

// One batch: claim -> (recover) -> insert -> mark. No scheduling and no sleeping inside, so
// any scheduler or test can call it. Never drops a row: each row ends delivered, dead-lettered
// (rejected on the last allowed attempt) or back in the ledger for a retry.
StepOutcome RunRelayStep(OutboxStore& store, EventSink& sink, const RelayPolicy& policy);

// Runs steps until `stop` is set: again at once after a full batch (heavy traffic makes large
// INSERTs by itself); after a part batch, not before min_insert_interval has passed since the
// previous INSERT began (so rows gather into fewer, larger INSERTs); after poll_interval when
// idle (a lone event after a quiet spell goes at once); after a backoff when a step failed.
class Relay {
 public:
  Relay(OutboxStore& store, EventSink& sink, Clock& clock, RelayPolicy policy);
  void Run(const std::atomic<bool>& stop);
  int64_t delivered() const { return delivered_; }

 private:
  OutboxStore& store_;
  EventSink& sink_;
  Clock& clock_;
  RelayPolicy policy_;
  int64_t delivered_ = 0;
};

}  // namespace eventlog
