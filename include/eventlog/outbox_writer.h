#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "eventlog/event.h"
#include "eventlog/status.h"

namespace eventlog {

// An enqueue that travels inside the caller's own statement, which saves its round trip: `cte`
// is a data-modifying WITH item that inserts the event from parameters $first..$first+5, so the
// caller runs `WITH <cte> <its own INSERT/UPDATE ...>` with `params` after its own parameters.
// PostgreSQL runs the CTE whatever the main statement does (even when it inserts nothing): roll
// the transaction back if the business change did not happen.
struct EnqueueInStatement {
  std::string cte;
  std::vector<std::string> params;  // as text; the CTE casts them
};

// Enqueues events inside the caller's open PostgreSQL transaction, so they commit or roll
// back with the business data. Converts each event to its final row here; the relay converts
// nothing. Never talks to ClickHouse. Thread-compatible (no state but settings).
class OutboxWriter {
 public:
  OutboxWriter(std::string environment, size_t max_event_bytes);

  // REQUIRES: `tx` is open. On error nothing was written and `tx` is still usable.
  Status Enqueue(pqxx::transaction_base& tx, const Event& event) const;
  Status EnqueueMany(pqxx::transaction_base& tx, const std::vector<Event>& events) const;

  // `event` as a part of the caller's next statement (see EnqueueInStatement), validated as
  // Enqueue validates it; `first_param` is the number of its first parameter ($1 is 1).
  Result<EnqueueInStatement> InStatement(const Event& event, int first_param) const;

 private:
  // Validates `event` and converts it to its row.
  Result<OutboxRow> ToRow(const Event& event) const;

  std::string environment_;
  size_t max_event_bytes_;
};

}  // namespace eventlog
