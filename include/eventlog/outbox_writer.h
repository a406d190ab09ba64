#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "eventlog/event.h"
#include "eventlog/status.h"

namespace eventlog {

// Enqueues events inside the caller's open PostgreSQL transaction, so they commit or roll
// back with the business data. Converts each event to its final row here; the relay converts
// nothing. Never talks to ClickHouse. Thread-compatible (no state but settings).
class OutboxWriter {
 public:
  OutboxWriter(std::string environment, size_t max_event_bytes);

  // REQUIRES: `tx` is open. On error nothing was written and `tx` is still usable.
  Status Enqueue(pqxx::transaction_base& tx, const Event& event) const;
  Status EnqueueMany(pqxx::transaction_base& tx, const std::vector<Event>& events) const;

 private:
  std::string environment_;
  size_t max_event_bytes_;
};

}  // namespace eventlog
