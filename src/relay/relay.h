#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "core/clock.h"
#include "core/config.h"
#include "core/event_sink.h"
#include "core/jitter.h"
#include "core/outbox_store.h"
#include "eventlog/status.h"

namespace eventlog {

// The relay's settings (Config's EVENTLOG_* ones, same defaults).
struct RelayPolicy {
  int batch_size = defaults::kBatchMaxRows;            // rows per batch at most
  int64_t batch_max_bytes = defaults::kBatchMaxBytes;  // and bytes (one event more at most)
  int max_attempts = defaults::kMaxAttempts;  // rejected rows go to dead letters on this attempt
  std::chrono::milliseconds retry_base{defaults::kRetryBaseMs};
  std::chrono::milliseconds retry_max{defaults::kRetryMaxMs};
  std::chrono::milliseconds poll_interval{defaults::kPollIntervalMs};  // idle wait between claims
  // floor between INSERTs of part batches
  std::chrono::milliseconds min_insert_interval{defaults::kMinInsertIntervalMs};

  // Fresh batches are streamed from the outbox into their INSERT when the sink can take them.
  bool stream = true;

  // Batches the relay must hold in memory (policy.stream off, or a sink that does not stream;
  // eventlog's ClickHouse sinks all do) stay within the memory bound whatever batch_size and
  // batch_max_bytes say.
  static constexpr int kHeldBatchMaxRows = 50000;
  static constexpr int64_t kHeldBatchMaxBytes = int64_t{4} << 20;
  ClaimLimits claim_limits(const EventSink& sink) const {
    if (stream && sink.Streams()) return {batch_size, batch_max_bytes, true};
    return {std::min(batch_size, kHeldBatchMaxRows), std::min(batch_max_bytes, kHeldBatchMaxBytes)};
  }
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
  int64_t inserts = 0;    // INSERT requests sent
  bool streamed = false;  // sent as it was read from the outbox (one INSERT, no rows held)
  Status error;           // set when the batch was given back for a retry
  // Where the step's time went: waiting for the outbox's rows, sending to the sink (including
  // recovery checks), and marking the batch done or given back in the ledger.
  std::chrono::nanoseconds read_time{0};
  std::chrono::nanoseconds send_time{0};
  std::chrono::nanoseconds mark_time{0};
};

// One batch: claim -> (recover) -> insert -> mark. No scheduling and no sleeping inside, so
// any scheduler or test can call it. Never drops a row: each row ends delivered, dead-lettered
// (rejected on the last allowed attempt) or back in the ledger for a retry.
// Retry delays draw their jitter from `jitter` (a seed of the test's own replays a run).
StepOutcome RunRelayStep(OutboxStore& store, EventSink& sink, const RelayPolicy& policy,
                         Jitter& jitter = ProcessJitter());

// The same step for a claim already made (`claimed`: what OutboxStore::Claim returned).
StepOutcome DeliverClaimed(OutboxStore& store, EventSink& sink, const RelayPolicy& policy,
                           Result<std::optional<Batch>> claimed, Jitter& jitter = ProcessJitter());

// Runs steps until `stop` is set: again at once after a full batch (heavy traffic makes large
// INSERTs by itself); after a part batch, not before min_insert_interval has passed since the
// previous INSERT began (so rows gather into fewer, larger INSERTs); after poll_interval when
// idle (a lone event after a quiet spell goes at once); after a backoff when a step failed.
//
// With `claim_ahead` (a second store: its own PostgreSQL connection, used from another thread),
// a full batch's delivery overlaps the claim of the next one, so a backlog keeps PostgreSQL and
// ClickHouse busy at once. Each claim is exclusive and leased as always, so nothing changes for
// exactly-once; a batch claimed ahead when the relay stops is given back untouched.
//
// Thread-safety: Run on one thread. `stop` and the clock's Wake() may be set from any other
// (the signal thread); `clock` and `jitter` may be shared by several relays (both are
// thread-safe), `store`, `sink` and `claim_ahead` may not.
class Relay {
 public:
  Relay(OutboxStore& store, EventSink& sink, Clock& clock, RelayPolicy policy,
        OutboxStore* claim_ahead = nullptr, Jitter& jitter = ProcessJitter());
  void Run(const std::atomic<bool>& stop);
  int64_t delivered() const { return delivered_; }

  // The relay's time so far, by phase (logged as "relay time split" when Run returns).
  struct TimeSplit {
    int64_t batches = 0;
    int64_t delivered = 0;
    std::chrono::nanoseconds claim{0}, read{0}, send{0}, mark{0};
  };
  const TimeSplit& time_split() const { return split_; }

 private:
  // Releases a batch claimed ahead and never sent (the relay is stopping).
  void GiveBackUnsent(const Result<std::optional<Batch>>& claimed);

  OutboxStore& store_;
  OutboxStore* claim_ahead_;
  EventSink& sink_;
  Clock& clock_;
  Jitter& jitter_;
  RelayPolicy policy_;
  int64_t delivered_ = 0;
  TimeSplit split_;
};

}  // namespace eventlog
