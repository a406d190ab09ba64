#pragma once

#include <chrono>

#include "core/jitter.h"

namespace eventlog {

// Delay before retry number `attempt` (1 = first retry): base * 2^(attempt-1), capped at
// `max`, with "equal jitter" (a uniform draw from [d/2, d]) so relays that failed together do
// not retry together, and a delay never drops below half its step. The draw comes from `jitter`.
std::chrono::milliseconds BackoffDelay(int attempt, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, Jitter& jitter);

}  // namespace eventlog
