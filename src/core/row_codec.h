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

// The fields of one TabSeparated line (still escaped).
std::vector<std::string_view> SplitTsvFields(std::string_view line);

// TabSeparated escaping as ClickHouse reads it: \\ \t \n \r \0.
void AppendTsvEscaped(std::string& out, std::string_view value);
std::string TsvUnescape(std::string_view value);

// "2024-05-01 12:00:00[.ffffff]" in UTC, with `precision` fractional digits (0: none).
std::string FormatUtcDateTime(int64_t time_us, int precision);

// Rows as ClickHouse TabSeparated in the column order of kInsertColumns.
inline constexpr std::string_view kInsertColumns =
    "event_id, event_type, event_date_time, environment, event_context, metadata_version, "
    "trace_id, span_id";
std::string EncodeForClickHouse(const std::vector<OutboxRow>& rows, const TimeColumn& time_column);

// The batch ledger's payload: one TSV line per row with the time as integer microseconds, so
// a batch is stored exactly as it was claimed and re-encoded for whatever server it meets.
std::string EncodeLedgerPayload(const std::vector<OutboxRow>& rows);

// A payload line that holds no well-formed row, with why.
struct UnreadableLine {
  std::string text;  // the line as stored, whole: it is the only copy left
  std::string error;
};
struct DecodedPayload {
  std::vector<OutboxRow> rows;
  std::vector<UnreadableLine> unreadable;
};
// Decodes what it can. A line with the wrong number of fields, a bad number or an event_id that
// is not a UUID is set apart in `unreadable`, so one damaged line cannot stall its batch.
DecodedPayload DecodeLedgerPayload(std::string_view payload);

}  // namespace eventlog
