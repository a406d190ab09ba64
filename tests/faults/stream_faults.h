#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/faults/fault_checks.h"
#include "tests/faults/process.h"

namespace eventlog::faults {

// What the streamed-delivery fault cases share: events written straight into the outbox (the
// table contract) in big transactions, relays with big batches, ways to find a COPY in flight,
// and the final exactly-once check.

// An event's identity as both servers compute it: event_id, trace and span ids (the last
// columns of a row: a body cut inside them would still parse) and the MD5 of the context, so a
// row stored cut short or escaped wrongly does not pass as delivered.
inline constexpr const char* kStreamKeyCh =
    "concat(toString(event_id), ' ', trace_id, ' ', lower(hex(MD5(span_id))), ' ', "
    "lower(hex(MD5(event_context))))";

// Commits `count` events in one transaction; returns their keys (kStreamKeyCh, as PostgreSQL
// computes it). Contexts are about `context_bytes` long (at least ~60) and, row by row, hold a
// backslash, a tab, a newline, CR and other control characters, DEL, ESC, multi-byte UTF-8
// (2, 3 and 4 bytes), the TSV NULL marker `\N`, or nothing special. `salt` keeps ids, traces
// and spans of different calls apart. Span ids are 16 hex digits, or `span_bytes` long if more
// (the row's last field: a long one makes a body cut inside it likely).
std::vector<std::string> EnqueueStreamEvents(int64_t count, int64_t context_bytes,
                                             const std::string& salt, int64_t span_bytes = 16);

// The relay settings of these cases: batches of up to `max_rows` rows and 64 MiB, a request
// timeout long enough for such a stream, and a lease that the timeout allows.
Env StreamRelayEnv(int64_t max_rows);
inline constexpr std::chrono::milliseconds kStreamLease{8000};

// COPYs of a relay's stream currently running in PostgreSQL.
int64_t ActiveCopies();
// Waits (polling every millisecond or so) until a COPY runs; false after `timeout`.
bool WaitCopyActive(std::chrono::milliseconds timeout);
// pg_terminate_backend on every running COPY; returns how many it ended.
int64_t TerminateCopies();

// Lines of the logs at `paths` containing `needle`.
int64_t CountInLogs(const std::vector<std::string>& paths, const std::string& needle);

// The end of every case: waits for the outbox and the ledger to empty (within `timeout`), then
// ClickHouse must hold each of `expected` exactly once, byte for byte (kStreamKeyCh), `status`
// must say nothing is pending, and there must be no dead letter. Records the case's figures,
// with what the relays' `logs` say happened (batches given back, found present, refused).
void ExpectStreamedExactlyOnce(const std::vector<std::string>& expected,
                               const std::string& case_name, const std::string& extra,
                               const std::vector<std::string>& logs,
                               std::chrono::milliseconds timeout);

}  // namespace eventlog::faults
