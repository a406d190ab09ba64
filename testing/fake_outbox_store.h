#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/outbox_store.h"

namespace eventlog::testing {

// `n` distinct rows with UUID-shaped ids numbered from `first`, in outbox order.
std::vector<OutboxRow> MakeRows(int n, int first = 0);

enum class StoreMethod { kClaim, kRenew, kComplete, kRelease };

// One row of the batch ledger, as the fake holds it.
struct LedgerEntry {
  int64_t batch_id = 0;
  int64_t lease_token = 0;
  bool owned = false;  // leased to a relay (false after Release, as owner = NULL)
  std::chrono::steady_clock::time_point lease_until;
  int attempts = 0;
  int rejections = 0;
  std::string last_error;
  std::vector<OutboxRow> rows;
};

struct StoredDeadLetter {
  OutboxRow row;
  std::string error;
  int attempts = 0;  // the batch's attempts + 1, as PgOutboxStore records it
};

// The outbox and the batch ledger in memory, with the semantics of PgOutboxStore
// (src/outbox/pg_outbox_store.cc): Claim takes over the lowest due batch (lease_until <= now)
// before it moves up to `max_rows` new rows into a fresh batch; every claim draws a new lease
// token, which fences Renew, Complete and Release (kLeaseLost on a mismatch or a missing
// batch). Time comes from `clock` (a ManualClock in tests). The ledger stores each batch as
// EncodeLedgerPayload text, as the real table does. Thread-safe.
class FakeOutboxStore : public OutboxStore {
 public:
  explicit FakeOutboxStore(Clock& clock,
                           std::chrono::milliseconds lease = std::chrono::milliseconds(30000));

  Result<std::optional<Batch>> Claim(const ClaimLimits& limits) override;
  Status Renew(const Batch& batch) override;
  Status Complete(const Batch& batch, int64_t delivered,
                  const std::vector<DeadLetter>& dead) override;
  Status Release(const Batch& batch, const BatchRetry& retry) override;

  // Appends rows to the outbox, as OutboxWriter does.
  void Add(const std::vector<OutboxRow>& rows);
  // Every lease (and every retry wait) ends now: the next Claim takes the batches over.
  void ExpireAllLeases();
  // The next `n` calls of `method` return `status` without touching any state.
  void FailNext(StoreMethod method, int n, Status status);

  std::vector<OutboxRow> outbox_rows() const;   // not yet claimed
  std::vector<OutboxRow> pending_rows() const;  // outbox plus every ledger batch
  std::vector<LedgerEntry> batches() const;     // by batch_id
  std::optional<LedgerEntry> batch(int64_t batch_id) const;
  std::vector<StoredDeadLetter> dead_letters() const;
  int64_t delivered() const;  // the 'delivered' counter
  int calls(StoreMethod method) const;

 private:
  struct Fault {
    int remaining = 0;
    Status status;
  };
  struct StoredBatch {
    int64_t lease_token = 0;
    bool owned = false;
    std::chrono::steady_clock::time_point lease_until;
    int attempts = 0;
    int rejections = 0;
    int timeouts = 0;
    std::string last_error;
    std::string payload;  // EncodeLedgerPayload text
  };

  // REQUIRES: mu_ held. Counts the call and returns the injected fault, if any.
  std::optional<Status> Enter(StoreMethod method);
  // REQUIRES: mu_ held. The batch when `batch` still holds its lease.
  StoredBatch* Owned(const Batch& batch);
  Result<std::optional<Batch>> TakeOverDueBatch();
  Batch ClaimNewRows(const ClaimLimits& limits);
  LedgerEntry ToEntry(int64_t batch_id, const StoredBatch& b) const;

  Clock& clock_;
  const std::chrono::milliseconds lease_;
  mutable std::mutex mu_;
  std::deque<OutboxRow> outbox_;
  std::map<int64_t, StoredBatch> ledger_;
  std::vector<StoredDeadLetter> dead_letters_;
  int64_t delivered_ = 0;
  int64_t next_batch_id_ = 1;
  int64_t next_lease_token_ = 1;
  std::map<StoreMethod, Fault> faults_;
  std::map<StoreMethod, int> calls_;
};

}  // namespace eventlog::testing
