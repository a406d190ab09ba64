#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/outbox_store.h"
#include "eventlog/status.h"

namespace eventlog {

// A dead letter in brief. Text columns that are NULL (an unreadable ledger line keeps none of the
// event's columns) read as "".
struct DeadLetterInfo {
  int64_t id = 0;
  std::string event_id;
  std::string event_type;
  std::string error;
  int attempts = 0;
  std::string failed_at;
};

// A dead letter with every column.
struct DeadLetterDetail {
  DeadLetterInfo info;
  std::string event_date_time;
  std::string environment;
  std::optional<int64_t> metadata_version;  // nullopt: an unreadable ledger line
  std::string event_context;
  std::optional<std::string> raw_row;  // set only for an unreadable ledger line (migration 003)
};

// Operator views of the outbox: depth, dead letters, requeue, purge. Each call opens its own
// connection (these are rare, interactive commands).
Result<OutboxStats> ReadOutboxStats(const std::string& database_url);
// At most `limit` dead letters, only those of `event_type` when given; newest first (ids grow
// in the order rows fail).
Result<std::vector<DeadLetterInfo>> ListDeadLetters(
    const std::string& database_url, int limit,
    const std::optional<std::string>& event_type = std::nullopt);
// nullopt when there is no dead letter `id`.
Result<std::optional<DeadLetterDetail>> ReadDeadLetter(const std::string& database_url, int64_t id);

// Requeue and purge act on the dead letters `filter` names exactly one way (ids, a type or all);
// a filter that names none, or several ways at once, is kInvalidArgument.
struct RequeueOutcome {
  int64_t moved = 0;  // back in event_outbox
  int64_t kept = 0;   // matched but cannot go back: unreadable rows, impossible times
};
// Moves the matching dead letters back into event_outbox, except those the outbox would refuse.
Result<RequeueOutcome> RequeueDeadLetters(const std::string& database_url,
                                          const RequeueFilter& filter);
// Deletes the matching dead letters, only those that failed more than `older_than_days` days
// ago when given. Returns how many it deleted.
Result<int64_t> PurgeDeadLetters(const std::string& database_url, const RequeueFilter& filter,
                                 std::optional<int> older_than_days = std::nullopt);

}  // namespace eventlog
