#pragma once

#include <chrono>
#include <string>

#include "eventlog/outbox_store.h"
#include "outbox/pg_pool.h"

namespace eventlog {

// The outbox and its batch ledger in PostgreSQL. A claim moves rows from event_outbox into
// one eventlog_batches row in a single transaction (FOR UPDATE SKIP LOCKED, so relays never
// share a row); every later change to the batch is fenced by its lease token.
class PgOutboxStore : public OutboxStore {
 public:
  PgOutboxStore(std::string database_url, std::string owner, std::chrono::milliseconds lease);

  Result<std::optional<Batch>> Claim(const ClaimLimits& limits) override;
  Status Renew(const Batch& batch) override;
  Status Complete(const Batch& batch, int64_t delivered,
                  const std::vector<DeadLetter>& dead) override;
  Status Release(const Batch& batch, const BatchRetry& retry) override;

 private:
  Result<std::optional<Batch>> TakeOverDueBatch(pqxx::connection& conn);
  Result<std::optional<Batch>> ClaimNewRows(pqxx::connection& conn, const ClaimLimits& limits);

  // Remembers when this relay last set a lease (steady clock, read before the transaction that
  // set it began, as PostgreSQL's now() is), so Renew can skip the round trip while most of
  // the lease is surely left.
  void NoteLeaseSet(const Batch& batch, std::chrono::steady_clock::time_point before_tx);

  PgPool conn_;
  std::string owner_;
  std::chrono::milliseconds lease_;
  int64_t leased_token_ = 0;
  std::chrono::steady_clock::time_point leased_at_;
};

}  // namespace eventlog
