#include "clickhouse/presence_check.h"

#include <set>
#include <unordered_map>

#include "clickhouse/clickhouse_sink.h"
#include "core/uuid7.h"

namespace eventlog {
namespace {

constexpr int64_t kUsPerSecond = 1000000;
constexpr size_t kAnswerSlackBytes = size_t{64} << 10;

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

}  // namespace

std::string PresenceQuery(const std::string& qualified_table, const std::vector<OutboxRow>& rows,
                          const TimeColumn& column) {
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
  // The id alone decides presence; the type bound only narrows the scan. A reused id under
  // another type is not found here (and such a row is sent): see the README's limits.
  return "SELECT toString(event_id), event_type, environment, event_context FROM " +
         qualified_table +
         " WHERE event_date_time >= " + TimeBoundLiteral(lo - kUsPerSecond, column) +
         " AND event_date_time <= " + TimeBoundLiteral(hi + kUsPerSecond, column) +
         " AND event_type IN (" + type_list + ") AND event_id IN (" + ids + ") FORMAT TabSeparated";
}

size_t PresenceAnswerCap(const std::vector<OutboxRow>& rows) {
  size_t bytes = kAnswerSlackBytes;
  for (const OutboxRow& r : rows) {
    // TabSeparated escapes at most double a value's bytes.
    bytes += 40 + 2 * (r.event_type.size() + r.environment.size() + r.event_context.size());
  }
  return bytes;
}

Status ReadPresenceAnswer(std::string_view answer, const std::vector<OutboxRow>& rows,
                          Presence& out) {
  std::unordered_map<std::string_view, const OutboxRow*> ours;
  for (const OutboxRow& r : rows) ours.emplace(r.event_id, &r);
  while (!answer.empty()) {
    auto nl = answer.find('\n');
    std::string_view line = answer.substr(0, nl);
    answer = nl == std::string_view::npos ? std::string_view() : answer.substr(nl + 1);
    auto fields = SplitTabs(line);
    auto it = fields.size() == 4 && IsUuidText(fields[0]) ? ours.find(fields[0]) : ours.end();
    if (it == ours.end()) {
      return Status(StatusCode::kUnavailable,
                    "unexpected line in ClickHouse answer: " + std::string(line.substr(0, 64)));
    }
    const OutboxRow& r = *it->second;
    bool same = TsvUnescape(fields[1]) == r.event_type && TsvUnescape(fields[2]) == r.environment &&
                TsvUnescape(fields[3]) == r.event_context;
    (same ? out.present : out.reused).insert(r.event_id);
  }
  // A copy of our row makes the id present, whatever else shares it.
  for (const std::string& id : out.present) out.reused.erase(id);
  return Status::Ok();
}

}  // namespace eventlog
