#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eventlog/event.h"
#include "eventlog/status.h"

namespace eventlog {

// How event_log.event_date_time is typed on the server: DateTime64(p) on ClickHouse >= 20.1,
// DateTime (whole seconds) on older servers.
struct TimeColumn {
  bool is_datetime64 = true;
  int precision = 6;  // fractional digits of DateTime64
};

// Parses a ClickHouse type name ("DateTime64(6, 'UTC')", "DateTime('UTC')", "DateTime").
Result<TimeColumn> ParseTimeColumnType(std::string_view type);

// Rows as ClickHouse TabSeparated in the column order of kInsertColumns.
inline constexpr std::string_view kInsertColumns =
    "event_id, event_type, event_date_time, environment, event_context, metadata_version, "
    "trace_id, span_id";
std::string EncodeForClickHouse(const std::vector<OutboxRow>& rows, const TimeColumn& time_column);

}  // namespace eventlog
