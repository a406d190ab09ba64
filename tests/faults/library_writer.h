#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eventlog::faults {

// Business writes through the library (eventlog::OutboxWriter in the caller's transaction),
// against the suite's PostgreSQL. Each returns the event ids whose transaction committed.

// `count` UserCreated events (with their users rows), `per_tx` to a transaction; each context
// is padded to about `context_bytes` when that is larger than the natural size.
std::vector<std::string> EnqueueUsers(const std::string& prefix, int count, int per_tx,
                                      size_t context_bytes = 0);

// `transactions` transactions of one user row and one or two events each, committed or
// rolled back at random (explicit abort, abandoned, or failed by an SQL error).
struct RollbackMix {
  std::vector<std::string> committed_ids;
  std::vector<std::string> aborted_ids;
  int64_t committed_users = 0;
};
RollbackMix WriteWithRandomRollbacks(const std::string& prefix, int transactions, uint64_t seed);

}  // namespace eventlog::faults
