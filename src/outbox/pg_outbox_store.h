#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/outbox_store.h"
#include "outbox/pg_copy_stream.h"
#include "outbox/pg_pool.h"

namespace eventlog {

// The outbox and its batch ledger in PostgreSQL. A claim records a slice of event_outbox (the
// rows of one tick, see pg_tick_claim.h) as one eventlog_batches row; every later change to the
// batch is fenced by its lease token. Rows every claim has passed are deleted in bulk, now and
// then after a claim. Its statements are in src/outbox/sql (ledger_sql.h).
// Not thread-safe: one store per relay thread (the clock it reads may be shared).
class PgOutboxStore : public OutboxStore {
 public:
  // `clock` paces Renew's skipped round trips and the recycling of partitions; it must outlive
  // the store.
  PgOutboxStore(std::string database_url, std::string owner, std::chrono::milliseconds lease,
                Clock& clock);
  // With a real clock.
  PgOutboxStore(std::string database_url, std::string owner, std::chrono::milliseconds lease);

  Result<std::optional<Batch>> Claim(const ClaimLimits& limits) override;
  Status Renew(const Batch& batch) override;
  Status Complete(const Batch& batch, int64_t delivered,
                  const std::vector<DeadLetter>& dead) override;
  Status Release(const Batch& batch, const BatchRetry& retry) override;
  // A fresh slice's rows by COPY on a connection of its own (the batch is claimed and committed:
  // nothing is locked while they stream).
  Result<std::unique_ptr<RowStream>> StreamRows(const Batch& batch,
                                                const StreamFormat& format) override;
  Result<std::vector<OutboxRow>> LoadRows(const Batch& batch) override;

 private:
  Result<std::optional<Batch>> TakeOverDueBatch(pqxx::connection& conn);

  // Remembers when this relay last set a lease (the clock, read before the transaction that
  // set it began, as PostgreSQL's now() is), so Renew can skip the round trip while most of
  // the lease is surely left.
  void NoteLeaseSet(const Batch& batch, std::chrono::steady_clock::time_point before_tx);

  // At most once per kRecycleEvery: truncates the outbox partitions every claim has passed.
  void RecycleClaimedPartitionsNowAndThen();

  Clock& clock_;
  PgPool conn_;
  PgCopyReader copy_;
  std::string owner_;
  std::chrono::milliseconds lease_;
  int64_t leased_token_ = 0;
  std::chrono::steady_clock::time_point leased_at_;
  std::chrono::steady_clock::time_point recycled_at_;
  std::vector<std::string> partitions_;  // the outbox's, read from the schema at the first recycle
};

}  // namespace eventlog
