#include "clickhouse/presence_check.h"

#include <openssl/evp.h>

#include <set>
#include <unordered_set>

#include "clickhouse/clickhouse_sink.h"
#include "core/tsv.h"

namespace eventlog {
namespace {

constexpr int64_t kUsPerSecond = 1000000;
constexpr size_t kAnswerSlackBytes = size_t{64} << 10;
constexpr size_t kPresenceLineBytes = 36 + 1 + 1 + 1;  // id, tab, 0 or 1, newline

}  // namespace

std::string RowDigest(const OutboxRow& row) {
  std::string text =
      row.event_id + '\t' + row.event_type + '\t' + row.environment + '\t' + row.event_context;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 15];
  }
  return hex;
}

std::string PresenceQuery(const std::string& qualified_table, const std::vector<OutboxRow>& rows,
                          const TimeColumn& column) {
  // Bound the search by type and time so the primary key (event_type, event_date_time) and
  // the monthly partitions serve; widen by a second for servers that store whole seconds.
  int64_t lo = rows.front().event_time_us, hi = lo;
  std::set<std::string> types;
  std::string ids, digests;
  for (const OutboxRow& r : rows) {
    lo = std::min(lo, r.event_time_us);
    hi = std::max(hi, r.event_time_us);
    types.insert(r.event_type);
    if (!ids.empty()) ids += ',', digests += ',';
    ids += "toUUID(" + QuoteClickHouse(r.event_id) + ")";
    digests += "'" + RowDigest(r) + "'";
  }
  std::string type_list;
  for (const auto& t : types) type_list += (type_list.empty() ? "" : ",") + QuoteClickHouse(t);
  // One line per id found: whether a stored row is ours (its digest of id, type, environment
  // and context is one we sent), compared on the server so the answer stays one short line
  // per id whatever the stored rows hold. toStringCutToZero drops FixedString padding.
  // The type bound only narrows the scan: a reused id under another type is not found here.
  return "SELECT toString(event_id), max(hex(MD5(concat(toString(event_id), '\\t', "
         "toStringCutToZero(event_type), '\\t', toStringCutToZero(environment), '\\t', "
         "toStringCutToZero(event_context)))) IN (" +
         digests + ")) FROM " + qualified_table +
         " WHERE event_date_time >= " + TimeBoundLiteral(lo - kUsPerSecond, column) +
         " AND event_date_time <= " + TimeBoundLiteral(hi + kUsPerSecond, column) +
         " AND event_type IN (" + type_list + ") AND event_id IN (" + ids +
         ") GROUP BY event_id FORMAT TabSeparated";
}

size_t PresenceAnswerCap(const std::vector<OutboxRow>& rows) {
  return kAnswerSlackBytes + rows.size() * kPresenceLineBytes;
}

Status ReadPresenceAnswer(std::string_view answer, const std::vector<OutboxRow>& rows,
                          Presence& out) {
  std::unordered_set<std::string_view> ours;
  for (const OutboxRow& r : rows) ours.insert(r.event_id);
  while (!answer.empty()) {
    auto nl = answer.find('\n');
    std::string_view line = answer.substr(0, nl);
    answer = nl == std::string_view::npos ? std::string_view() : answer.substr(nl + 1);
    auto fields = SplitTsvFields(line);
    bool well_formed =
        fields.size() == 2 && ours.count(fields[0]) > 0 && (fields[1] == "0" || fields[1] == "1");
    if (!well_formed) {
      return Status(StatusCode::kUnavailable,
                    "unexpected line in ClickHouse answer: " + std::string(line.substr(0, 64)));
    }
    (fields[1] == "1" ? out.present : out.reused).emplace(fields[0]);
  }
  return Status::Ok();
}

}  // namespace eventlog
