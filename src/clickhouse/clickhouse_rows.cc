#include "clickhouse/clickhouse_rows.h"

#include "core/tsv.h"
#include "core/utc_time.h"

namespace eventlog {

Result<TimeColumn> ParseTimeColumnType(std::string_view type) {
  if (type.starts_with("DateTime64")) {
    TimeColumn c{true, 3};  // DateTime64 without arguments has precision 3
    auto open = type.find('(');
    if (open != std::string_view::npos) {
      int p = 0;
      auto digits = type.substr(open + 1);
      auto end = digits.find_first_not_of("0123456789");
      if (!ParseInt(digits.substr(0, end), p) || p < 0 || p > 9) {
        return Status(StatusCode::kFailedPrecondition,
                      "cannot read the precision of " + std::string(type));
      }
      c.precision = p;
    }
    return c;
  }
  if (type.starts_with("DateTime")) return TimeColumn{false, 0};
  return Status(StatusCode::kFailedPrecondition, "event_date_time has type " + std::string(type) +
                                                     ", expected DateTime64 or DateTime");
}

std::string EncodeForClickHouse(const std::vector<OutboxRow>& rows, const TimeColumn& time_column) {
  std::string out;
  out.reserve(rows.size() * 160);
  int precision = time_column.is_datetime64 ? time_column.precision : 0;
  for (const OutboxRow& r : rows) {
    AppendEventTsvLine(out, r, FormatUtcDateTime(r.event_time_us, precision));
  }
  return out;
}

}  // namespace eventlog
