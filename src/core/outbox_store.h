#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/row_stream.h"
#include "eventlog/event.h"
#include "eventlog/status.h"

namespace eventlog {

// A claimed batch: rows moved out of the outbox into the batch ledger, leased to one relay.
struct Batch {
  int64_t batch_id = 0;
  int64_t lease_token = 0;  // fencing token: changes whenever another relay takes over
  int attempts = 0;         // failed tries before this claim
  int rejections = 0;       // tries on which ClickHouse refused some of these rows
  int timeouts = 0;         // tries whose INSERT timed out: past two, send smaller parts
  bool recovered = false;   // taken from the ledger, not fresh: an earlier INSERT may have
                            // landed, so check ClickHouse before sending
  bool full = false;        // the claim stopped at its row or byte cap: more rows wait
  bool taken_over = false;  // recovered from a relay that held it and stopped renewing
  // A fresh slice claimed with ClaimLimits::stream_rows: `rows` is empty, its `event_count` rows
  // stay in the outbox until StreamRows (or LoadRows) reads them.
  bool streamable = false;
  int64_t event_count = 0;
  std::vector<OutboxRow> rows;
};

struct DeadLetter {
  OutboxRow row;
  std::string error;
};

// Why and how a batch goes back to the ledger.
struct BatchRetry {
  std::vector<OutboxRow> remaining;  // rows still to deliver; the others were delivered
  std::vector<DeadLetter> dead;      // rows that leave the batch as dead letters now
  int64_t delivered = 0;             // rows of the batch that reached ClickHouse in this try
  bool attempted = false;  // an INSERT was sent: its outcome is unknown, check before resending
  bool rejected = false;   // ClickHouse refused (some of) `remaining`
  bool timed_out = false;  // the INSERT timed out (the batch may be too heavy as a whole)
  // Every row of the batch remains, whatever `remaining` holds (a streamed batch whose rows were
  // never loaded): the batch stays what it is.
  bool whole_batch = false;
  std::string error;
  std::chrono::milliseconds retry_in{0};
};

// Outbox depth and history, for `eventlog status`.
struct OutboxStats {
  int64_t pending = 0;      // in the outbox or in a batch not yet delivered
  int64_t outbox_rows = 0;  // not yet claimed
  int64_t in_flight_batches = 0;
  int64_t retrying_batches = 0;  // batches with at least one failed attempt
  double oldest_pending_age_s = 0;
  int64_t delivered = 0;  // events delivered since the outbox was created
  int64_t dead_letters = 0;
  std::string last_error;  // newest error recorded on a retrying batch
  // The oldest open transaction that wrote into the outbox (src/outbox/sql/oldest_open_writer.sql):
  // "" when none; its age is negative when this role may not see it.
  std::string oldest_open_writer;
  double oldest_open_writer_age_s = 0;
  // Delivery lag over the last kLagWindowMinutes: how long each delivered batch's oldest event
  // waited (outbox row written -> batch completed), percentiles over those batches.
  static constexpr int kLagWindowMinutes = 5;
  int64_t lag_batches = 0;  // batches delivered in the window (0: no lag figures)
  int64_t lag_events = 0;
  double lag_p50_ms = 0;
  double lag_p90_ms = 0;
  double lag_p99_ms = 0;
  double lag_max_ms = 0;
  std::vector<std::pair<std::string, int64_t>> dead_letters_by_type;  // most first
};

struct RequeueFilter {
  std::vector<int64_t> ids;  // dead-letter ids
  std::optional<std::string> event_type;
  bool all = false;
};

// How much one claim may take: at most `max_rows` rows, and rows while the bytes before each
// stay under `max_bytes` (so a batch exceeds it by one event at most, and a single event larger
// than `max_bytes` still goes, alone). A row counts kClaimRowOverheadBytes plus the bytes of its
// type, environment and context.
inline constexpr int64_t kClaimRowOverheadBytes = 64;
inline int64_t ClaimBytesOf(const OutboxRow& row) {
  return kClaimRowOverheadBytes +
         static_cast<int64_t>(row.event_type.size() + row.environment.size() +
                              row.event_context.size());
}
struct ClaimLimits {
  ClaimLimits(int rows, int64_t bytes = INT64_MAX,  // NOLINT(google-explicit-constructor)
              bool stream = false)
      : max_rows(rows), max_bytes(bytes), stream_rows(stream) {}
  int max_rows;
  int64_t max_bytes;
  // Leave a fresh slice's rows where they are (Batch::streamable): the caller streams them.
  bool stream_rows = false;
};

// The relay's view of the outbox. Implemented over PostgreSQL in src/outbox, and by a fake
// in testing/ for the relay's state-machine tests.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Takes a batch whose lease ran out (its relay died, or it waits for a retry that is due)
  // or else moves new rows within `limits` into a new batch. nullopt: nothing to do.
  virtual Result<std::optional<Batch>> Claim(const ClaimLimits& limits) = 0;

  // Confirms `batch` is still ours and pushes its lease forward. kLeaseLost if not.
  virtual Status Renew(const Batch& batch) = 0;

  // The batch is delivered except `dead`, which go to the dead-letter table. One transaction.
  virtual Status Complete(const Batch& batch, int64_t delivered,
                          const std::vector<DeadLetter>& dead) = 0;

  // Gives the batch back for a later try, without `retry.dead` (dead letters now). The batch
  // becomes claimable again after `retry.retry_in`, by this relay or another. One transaction.
  virtual Status Release(const Batch& batch, const BatchRetry& retry) = 0;

  // A streamable batch's rows (those of `format`'s part), read while the caller sends them, in
  // `format`. Stores that never claim streamable batches need not implement these two.
  virtual Result<std::unique_ptr<RowStream>> StreamRows(const Batch& /*batch*/,
                                                        const StreamFormat& /*format*/) {
    return Status(StatusCode::kFailedPrecondition, "this outbox store does not stream rows");
  }
  // A streamable batch's rows, loaded (to retry a streamed INSERT the server refused row by row).
  virtual Result<std::vector<OutboxRow>> LoadRows(const Batch& /*batch*/) {
    return Status(StatusCode::kFailedPrecondition, "this outbox store does not stream rows");
  }
};

}  // namespace eventlog
