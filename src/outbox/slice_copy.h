#pragma once

#include <pqxx/pqxx>
#include <string>

#include "core/outbox_store.h"
#include "core/row_stream.h"

namespace eventlog {

// A streamed batch's rows as PostgreSQL hands them to the relay (pg_copy_stream.h reads them).

// The COPY ... TO STDOUT that streams the readable rows of slice batch `batch` in `format`
// (RowStream's contract), with the slice's bounds read from the ledger. kLeaseLost when the batch
// is no longer `batch`'s lease; kFailedPrecondition for a slice written before migration 010.
Result<std::string> SliceCopySql(pqxx::transaction_base& tx, const Batch& batch,
                                 const StreamFormat& format);

// SQL for the shard slot of an event (`event_id`: a uuid expression) as ClickHouse's Distributed
// table computes it (src/clickhouse/shard_key.h): the low 64 bits of the id, big-endian, modulo
// `slots`.
std::string ShardSlotSql(const std::string& event_id, int slots);

}  // namespace eventlog
