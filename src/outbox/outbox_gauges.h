#pragma once

#include <string>

#include "observe/metrics.h"
#include "outbox/pg_pool.h"

namespace eventlog {

// Reads OutboxGauges with one cheap query (no scan of the backlog: ids and a few index
// lookups), on a connection of its own. Thread-safe.
class OutboxGaugeReader {
 public:
  explicit OutboxGaugeReader(std::string database_url);
  Result<OutboxGauges> Read();

 private:
  PgPool pool_;
};

}  // namespace eventlog
