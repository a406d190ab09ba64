#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_env.h"
#include "clickhouse/clickhouse_rows.h"
#include "eventlog/event.h"

namespace eventlog::bench {

// The bench's event: a user_created whose context carries its sequence number `seq` and
// `padding_bytes` of filler; the default makes ~210 bytes of context (what issue 8 measured).
inline constexpr size_t kSmallPadding = 64;
Event BenchEvent(int64_t seq, size_t padding_bytes = kSmallPadding);

// Enqueues BenchEvent(0 .. n-1, padding_bytes) into the outbox through the public
// OutboxWriter, in transactions of up to 2,000 events or ~16 MiB, from two connections at once
// (the backlog is filled before the clock starts; its speed is not a figure). Then VACUUM
// ANALYZE, as after a night's load.
Status FillBacklog(const BenchEnv& env, int64_t n, size_t padding_bytes = kSmallPadding);

// The same events as rows for ClickHouse, for the bulk INSERT (the ceiling); encode them with
// EncodeRows (row_formats.h).
std::vector<OutboxRow> BulkRows(int64_t n);

}  // namespace eventlog::bench
