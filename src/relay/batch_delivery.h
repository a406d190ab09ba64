#pragma once

#include <functional>
#include <vector>

#include "eventlog/event_sink.h"
#include "eventlog/outbox_store.h"

namespace eventlog {

// What became of the rows of one delivery.
struct DeliveryReport {
  int64_t delivered = 0;
  int64_t inserts = 0;
  std::vector<DeadLetter> rejected;    // rows ClickHouse refused, each with its own error
  std::vector<OutboxRow> undelivered;  // rows not delivered because of `failure`
  Status failure;                      // a non-data error that stopped the delivery
};

// Inserts `rows` in one request; when the server rejects the data, splits the rows in halves
// and recurses until each rejected row stands alone, delivering every other row.
// `before_insert` runs before each request (lease renewal); its error stops the delivery.
DeliveryReport DeliverIsolatingRejects(EventSink& sink, int64_t batch_id,
                                       const std::vector<OutboxRow>& rows,
                                       const std::function<Status()>& before_insert);

}  // namespace eventlog
