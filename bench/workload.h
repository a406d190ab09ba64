#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_env.h"
#include "core/row_codec.h"
#include "eventlog/event.h"

namespace eventlog::bench {

// The bench's event: a user_created with ~210 bytes of context (the size issue 8 measured),
// carrying its sequence number `seq` in the context.
Event BenchEvent(int64_t seq);

// Enqueues events [first, first + n) into the outbox through the public OutboxWriter, in
// transactions of `per_tx` events, from two connections at once (the backlog is filled before
// the clock starts; its speed is not a figure). Then VACUUM ANALYZE, as after a night's load.
Status FillBacklog(const BenchEnv& env, int64_t n);

// The same events as ClickHouse TabSeparated rows, for the bulk INSERT (the ceiling).
std::string BulkRows(int64_t n, const TimeColumn& time_column);

}  // namespace eventlog::bench
