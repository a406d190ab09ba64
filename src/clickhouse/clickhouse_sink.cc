#include "clickhouse/clickhouse_sink.h"

#include <algorithm>
#include <set>

#include "core/uuid7.h"

namespace eventlog {
namespace {

constexpr int64_t kUsPerSecond = 1000000;
// DateTime: UInt32 seconds. DateTime64: 1900-01-01 .. 2299-12-31 on modern servers.
constexpr int64_t kDateTimeMaxUs = 4294967295LL * kUsPerSecond;
constexpr int64_t kDateTime64MinUs = -2208988800LL * kUsPerSecond;
constexpr int64_t kDateTime64MaxUs = 10413791999LL * kUsPerSecond;

// IN lists of a recovery check can be long: lift the 256 KiB default query size limit.
const std::map<std::string, std::string> kLargeQuery = {{"max_query_size", "67108864"}};

}  // namespace

std::string QuoteClickHouse(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

bool FitsTimeColumn(int64_t time_us, const TimeColumn& column) {
  if (column.is_datetime64) return time_us >= kDateTime64MinUs && time_us <= kDateTime64MaxUs;
  return time_us >= 0 && time_us <= kDateTimeMaxUs;
}

ClickHouseSink::ClickHouseSink(ClickHouseOptions options, std::string table)
    : client_(std::move(options)), table_(std::move(table)) {
  qualified_table_ = client_.options().database + "." + table_;
}

Status ClickHouseSink::Probe() {
  time_column_.reset();
  auto t = LearnTimeColumn();
  return t.ok() ? Status::Ok() : t.status();
}

Result<TimeColumn> ClickHouseSink::LearnTimeColumn() {
  if (time_column_) return *time_column_;
  auto r = client_.Execute("SELECT type FROM system.columns WHERE database = " +
                           QuoteClickHouse(client_.options().database) + " AND table = " +
                           QuoteClickHouse(table_) + " AND name = 'event_date_time' FORMAT TSV");
  if (!r.ok()) return r.status();
  std::string type = r.value();
  while (!type.empty() && (type.back() == '\n' || type.back() == '\r')) type.pop_back();
  if (type.empty()) {
    return Status(StatusCode::kFailedPrecondition,
                  "table " + qualified_table_ +
                      " with column event_date_time not found (run `eventlog migrate`)");
  }
  auto parsed = ParseTimeColumnType(type);
  if (parsed.ok()) time_column_ = parsed.value();
  return parsed;
}

Status ClickHouseSink::Remember(Status s) {
  if (s.code() == StatusCode::kFailedPrecondition) time_column_.reset();
  return s;
}

std::map<std::string, std::string> ClickHouseSink::BatchSettings(int64_t batch_id) const {
  std::map<std::string, std::string> settings = kLargeQuery;
  if (batch_id > 0) {
    settings["query_id"] = "eventlog-" + qualified_table_ + "-batch-" + std::to_string(batch_id);
  }
  return settings;
}

Status ClickHouseSink::Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) {
  if (rows.empty()) return Status::Ok();
  auto column = LearnTimeColumn();
  if (!column.ok()) return column.status();
  // A timestamp the column cannot hold would be stored wrapped by old servers: refuse it here.
  for (const OutboxRow& r : rows) {
    if (!FitsTimeColumn(r.event_time_us, column.value())) {
      return {StatusCode::kRejected, "event " + r.event_id + ": event_date_time " +
                                         FormatUtcDateTime(r.event_time_us, 0) +
                                         " is outside the range of event_log.event_date_time"};
    }
  }
  auto r = client_.Execute("INSERT INTO " + qualified_table_ + " (" + std::string(kInsertColumns) +
                               ") FORMAT TabSeparated",
                           EncodeForClickHouse(rows, column.value()), BatchSettings(batch_id));
  return Remember(r.ok() ? Status::Ok() : r.status());
}

Result<std::unordered_set<std::string>> ClickHouseSink::FindPresent(
    int64_t batch_id, const std::vector<OutboxRow>& rows) {
  std::unordered_set<std::string> present;
  if (rows.empty()) return present;
  auto column = LearnTimeColumn();
  if (!column.ok()) return column.status();
  // Bound the search by type and time so the primary key (event_type, event_date_time) and
  // the monthly partitions serve; widen by a second for servers that store whole seconds.
  int64_t lo = rows.front().event_time_us, hi = lo;
  std::set<std::string> types;
  std::string ids;
  for (const OutboxRow& r : rows) {
    lo = std::min(lo, r.event_time_us);
    hi = std::max(hi, r.event_time_us);
    types.insert(r.event_type);
    if (!ids.empty()) ids += ',';
    ids += "toUUID(" + QuoteClickHouse(r.event_id) + ")";
  }
  std::string type_list;
  for (const auto& t : types) type_list += (type_list.empty() ? "" : ",") + QuoteClickHouse(t);
  auto bound = [&](int64_t us) {
    return "toDateTime(" + QuoteClickHouse(FormatUtcDateTime(us, 0)) + ", 'UTC')";
  };
  std::string query = "SELECT toString(event_id) FROM " + qualified_table_ +
                      " WHERE event_date_time >= " + bound(lo - kUsPerSecond) +
                      " AND event_date_time <= " + bound(hi + kUsPerSecond) +
                      " AND event_type IN (" + type_list + ") AND event_id IN (" + ids +
                      ") FORMAT TabSeparated";
  auto r = client_.Execute(query, {}, BatchSettings(batch_id));
  if (!r.ok()) return Remember(r.status());
  std::string_view body = r.value();
  while (!body.empty()) {
    auto nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    if (!IsUuidText(line)) {
      return Status(StatusCode::kUnavailable,
                    "unexpected line in ClickHouse answer: " + std::string(line.substr(0, 200)));
    }
    present.emplace(line);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
  }
  return present;
}

}  // namespace eventlog
