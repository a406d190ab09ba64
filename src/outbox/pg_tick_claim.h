#pragma once

#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "core/outbox_store.h"

namespace eventlog {

// Claims of new rows in PgQ's manner (migrations 005 and 010): a "tick" takes a snapshot and
// claims the rows whose transaction is visible in it but not in the previous tick's snapshot,
// page by page when they exceed one batch. The tick's transactions are a few ranges of ids
// (eventlog_tick_ranges), each read by an index range scan on (tx_id, id), so a claim reads its
// own rows only. Rows stay in event_outbox; the batch records which rows it holds (a slice: the
// two snapshots and its first and last row), so a claim writes one ledger row, not every event.
//
// Why it is exact: a row belongs to exactly one tick (visibility only grows from one snapshot to
// the next), a page to one batch (pages split the tick's rows in (tx_id, id) order), and every
// claim holds the claim state's row lock, so claims from a fleet of relays are serialized.
//
// Free functions on the caller's connection: as thread-safe as the connection (one thread).

struct SliceClaimOptions {
  std::string owner;
  std::chrono::milliseconds lease;
};

// Claims the next slice within `limits` as a new batch in the ledger. nullopt when no committed
// row is waiting. Read-only (no write, no transaction id) when nothing is waiting.
Result<std::optional<Batch>> ClaimSlice(pqxx::connection& conn, const SliceClaimOptions& options,
                                        const ClaimLimits& limits);

// The readable rows of slice batch `batch_id` again (a batch taken over).
std::vector<OutboxRow> ReadSliceRows(pqxx::transaction_base& tx, int64_t batch_id);

// The outbox's partitions (migration 006), as the schema has them: their names, quoted for SQL.
std::vector<std::string> OutboxPartitions(pqxx::connection& conn);

// Truncates each of `partitions` (OutboxPartitions) whose rows every claim has passed and no
// open slice batch holds (delivered or dead-lettered), unless a transaction uses it right now.
// Returns how many partitions it truncated.
int RecycleClaimedPartitions(pqxx::connection& conn, const std::vector<std::string>& partitions);
// The same over every partition, read from the schema first (one more round trip).
inline int RecycleClaimedPartitions(pqxx::connection& conn) {
  return RecycleClaimedPartitions(conn, OutboxPartitions(conn));
}

}  // namespace eventlog
