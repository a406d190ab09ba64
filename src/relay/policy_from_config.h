#pragma once

#include "core/config.h"
#include "relay/relay.h"

namespace eventlog {

// The relay's policy from the EVENTLOG_BATCH_*, EVENTLOG_RETRY_*, EVENTLOG_MAX_ATTEMPTS,
// EVENTLOG_MIN_INSERT_INTERVAL_MS and EVENTLOG_POLL_INTERVAL_MS settings.
RelayPolicy ToRelayPolicy(const Config& config);

}  // namespace eventlog
