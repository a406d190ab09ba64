#include "relay/policy_from_config.h"

#include <chrono>

namespace eventlog {

RelayPolicy ToRelayPolicy(const Config& c) {
  RelayPolicy p;
  p.batch_size = c.batch_size;
  p.batch_max_bytes = c.batch_max_bytes;
  p.min_insert_interval = std::chrono::milliseconds(c.min_insert_interval_ms);
  p.max_attempts = c.max_attempts;
  p.retry_base = std::chrono::milliseconds(c.retry_base_ms);
  p.retry_max = std::chrono::milliseconds(c.retry_max_ms);
  p.poll_interval = std::chrono::milliseconds(c.poll_interval_ms);
  return p;
}

}  // namespace eventlog
