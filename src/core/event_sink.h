#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/row_stream.h"
#include "eventlog/event.h"
#include "eventlog/status.h"

namespace eventlog {

// What a sink holds of some rows, by event id.
struct Presence {
  std::unordered_set<std::string> present;  // these very rows (same type, environment, context)
  std::unordered_set<std::string> reused;   // only a different event under the same id
};

// One INSERT request as the sink that sent it saw it: for metrics.
struct InsertReport {
  std::string node;  // the server that took (or refused) it: host:port
  std::chrono::nanoseconds took{0};
  int64_t rows = 0;
  // Row by row: the event text (type, environment, context) plus kClaimRowOverheadBytes a row;
  // streamed: the rows' text as read from the outbox.
  int64_t bytes = 0;
  bool ok = false;
};
using InsertObserver = std::function<void(const InsertReport&)>;

// Where events go: ClickHouse's event_log (src/clickhouse), or a fake in tests.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // `observer` hears of every INSERT request the sink sends from now on, on the thread that
  // called Insert/InsertStream. A sink that sends no requests of its own ignores it.
  virtual void ObserveInserts(InsertObserver /*observer*/) {}
  // Inserts all rows in one request, all or nothing. kRejected when the server refuses the
  // data; retryable codes for network and server trouble. Requests for one `batch_id` (0: none)
  // never run at once on the server: a request while an earlier one of the same batch still
  // runs (its client gave up, the server did not) fails as kUnavailable.
  virtual Status Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) = 0;
  // Which of `rows` the sink already holds (for recovering a batch that may have been inserted
  // before its relay died, or by a refused INSERT), seen after any INSERT of the batch has
  // finished; and which of their ids it holds for another event (a reused id).
  virtual Result<Presence> FindPresent(int64_t batch_id, const std::vector<OutboxRow>& rows) = 0;

  // Whether this sink takes streamed batches (InsertStream); a cheap answer, no server contact.
  virtual bool Streams() const { return false; }
  // Inserts a batch of `expected_rows` rows, read while they are sent through streams `open`
  // makes in the format the sink needs (one per request: a cluster sends a part per shard), with
  // the guarantees of Insert. A stream that ends in an error makes its request fail, storing
  // nothing of it; the error returned is then the stream's. Rows read that are not exactly
  // `expected_rows` fail the call (kInternal), whatever was stored: a retry checks first.
  virtual Status InsertStream(int64_t /*batch_id*/, const RowStreamOpener& /*open*/,
                              int64_t /*expected_rows*/) {
    return Status(StatusCode::kFailedPrecondition, "this sink does not take streamed rows");
  }
};

}  // namespace eventlog
