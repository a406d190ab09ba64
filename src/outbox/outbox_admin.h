#pragma once

#include <string>
#include <vector>

#include "eventlog/outbox_store.h"
#include "eventlog/status.h"

namespace eventlog {

struct DeadLetterInfo {
  int64_t id = 0;
  std::string event_id;
  std::string event_type;
  std::string error;
  int attempts = 0;
  std::string failed_at;
};

// Operator views of the outbox: depth, dead letters, requeue. Each call opens its own
// connection (these are rare, interactive commands).
Result<OutboxStats> ReadOutboxStats(const std::string& database_url);
Result<std::vector<DeadLetterInfo>> ListDeadLetters(const std::string& database_url, int limit);
struct RequeueOutcome {
  int64_t moved = 0;  // back in event_outbox
  int64_t kept = 0;   // matched but cannot go back: unreadable rows, impossible times
};
// Moves the matching dead letters back into event_outbox, except those the outbox would refuse.
Result<RequeueOutcome> RequeueDeadLetters(const std::string& database_url,
                                          const RequeueFilter& filter);

}  // namespace eventlog
