#pragma once

#include <string>

#include "observe/metrics.h"
#include "outbox/pg_pool.h"

namespace eventlog {

// Reads OutboxGauges (ReadOutboxDepth: no scan of the backlog), on a connection of its own.
// Thread-safe.
class OutboxGaugeReader {
 public:
  explicit OutboxGaugeReader(std::string database_url);
  Result<OutboxGauges> Read();

 private:
  PgPool pool_;
};

}  // namespace eventlog
