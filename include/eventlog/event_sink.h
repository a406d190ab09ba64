#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "eventlog/event.h"
#include "eventlog/status.h"

namespace eventlog {

// Where events go: ClickHouse's event_log (src/clickhouse), or a fake in tests.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Inserts all rows in one request, all or nothing. kRejected when the server refuses the
  // data; retryable codes for network and server trouble.
  virtual Status Insert(const std::vector<OutboxRow>& rows) = 0;
  // The event ids among `rows` the sink already holds (for recovering a batch that may have
  // been inserted before its relay died).
  virtual Result<std::unordered_set<std::string>> FindPresent(
      const std::vector<OutboxRow>& rows) = 0;
};

}  // namespace eventlog
