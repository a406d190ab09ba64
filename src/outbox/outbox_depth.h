#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>

namespace eventlog {

// What waits for delivery, as `eventlog status` and the metrics both report it: one definition
// of pending and of its age (ledger_sql::kOutboxDepth), and the oldest open writer
// (ledger_sql::kOldestOpenWriter).
struct OutboxDepth {
  int64_t unclaimed = 0;  // outbox rows no claim has taken
  int64_t pending = 0;    // those and the events of open batches
  int64_t open_batches = 0;
  int64_t retrying_batches = 0;  // open batches with at least one failed attempt
  double oldest_pending_age_s = 0;
  int64_t dead_letters = 0;
  int64_t delivered = 0;   // since the outbox was created
  std::string last_error;  // the newest error recorded on a retrying batch, "" when none
  // The oldest open transaction that wrote into the outbox, "" when none; its age is nullopt
  // when this role may not see it.
  std::string oldest_open_writer;
  std::optional<double> oldest_open_writer_age_s;
};

// Reads it in `tx` (two statements, no scan of the backlog). As thread-safe as `tx`.
OutboxDepth ReadOutboxDepth(pqxx::transaction_base& tx);

}  // namespace eventlog
