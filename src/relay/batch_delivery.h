#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "core/event_sink.h"
#include "core/outbox_store.h"

namespace eventlog {

// What became of the rows of one delivery.
struct DeliveryReport {
  int64_t delivered = 0;        // inserted by this delivery
  int64_t already_present = 0;  // found in ClickHouse after a failed INSERT had written them
  int64_t inserts = 0;
  std::vector<DeadLetter> rejected;    // rows ClickHouse refused, each with its own error
  std::vector<DeadLetter> reused;      // rows whose id ClickHouse holds for another event
  std::vector<OutboxRow> undelivered;  // rows not delivered because of `failure`
  Status failure;                      // a non-data error that stopped the delivery
};

// The server, not the data, is struggling (the sink says so: FailureCause::kServerStrain for a
// whole-request timeout, the server's memory or time limit). Such a batch is retried later in
// smaller parts (see RunRelayStep), never split into a storm of one-row INSERTs against a server in
// trouble, never dead-lettered.
bool IsServerStrain(const Status& s);

// Asks the sink which of `rows` it already holds and removes them (returns how many). Rows whose
// id it holds for a different event (a reused id) are removed too and appended to `reused` as
// dead letters: sending them would put two events under one id, skipping them would lose one.
Result<int64_t> RemoveHeldRows(EventSink& sink, int64_t batch_id, std::vector<OutboxRow>& rows,
                               std::vector<DeadLetter>& reused);

// Inserts `rows` in requests of at most `max_rows_per_insert` rows. When the server rejects
// the data (kRejected) or the request as too big (kTooLarge), first asks the sink which rows
// the failed INSERT wrote anyway (a materialized view that throws, a partial write) and drops
// them, then splits the rest in halves and recurses until each rejected row stands alone,
// delivering every other row. `before_insert` runs before each request (lease renewal); its
// error stops the delivery.
DeliveryReport DeliverIsolatingRejects(EventSink& sink, int64_t batch_id,
                                       const std::vector<OutboxRow>& rows,
                                       const std::function<Status()>& before_insert,
                                       size_t max_rows_per_insert = SIZE_MAX);

}  // namespace eventlog
