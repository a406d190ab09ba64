#pragma once

#include <cstdint>

#include "eventlog/event.h"

namespace eventlog::testing {

// 2024-02-29 12:34:56 UTC (a leap day), in microseconds.
inline constexpr int64_t kLeapDayUs = int64_t{1709210096} * 1000000;

// A row whose context holds what TabSeparated must escape, with a trace context.
inline OutboxRow SampleRow() {
  return {.event_id = "01890a5d-ac96-774b-bcce-b302099a8057",
          .event_type = "user_created",
          .event_time_us = kLeapDayUs + 123456,
          .environment = "Test",
          .event_context = "{\"note\":\"a\\tb\"}\t\n",
          .metadata_version = 2,
          .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
          .span_id = "00f067aa0ba902b7"};
}

}  // namespace eventlog::testing
