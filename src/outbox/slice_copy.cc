#include "outbox/slice_copy.h"

#include "core/utc_time.h"
#include "outbox/ledger_sql.h"
#include "outbox/tick_rows.h"

namespace eventlog {
namespace {

// A time as ClickHouse reads it from TabSeparated (RowStream's StreamFormat): UTC, `digits`
// fractional digits, truncated like FormatUtcDateTime; outside the column's range a text no
// server parses as a time, so that the INSERT is refused and the row isolated. Whole seconds
// (DateTime) are a timestamp's own text (the COPY session's DateStyle is ISO): to_char costs
// PostgreSQL a quarter more per row.
std::string StreamTimeSql(const StreamFormat& f) {
  const std::string utc = "(o.event_date_time AT TIME ZONE 'UTC')";
  const std::string full = "to_char(" + utc + ", 'YYYY-MM-DD HH24:MI:SS.US')";
  std::string text;
  if (f.time_digits <= 0) {
    text = "date_trunc('second', " + utc + ")::text";
  } else if (f.time_digits < 6) {
    text = "left(" + full + ", " + std::to_string(20 + f.time_digits) + ")";
  } else {
    text = full + (f.time_digits > 6 ? " || '" + std::string(f.time_digits - 6, '0') + "'" : "");
  }
  return "CASE WHEN o.event_date_time BETWEEN timestamptz '" + FormatUtcDateTime(f.min_time_us, 6) +
         "+00' AND timestamptz '" + FormatUtcDateTime(f.max_time_us, 6) + "+00' THEN " + text +
         " ELSE 'out of range' END";
}

// A snapshot or number read back from the ledger, checked before it becomes a literal.
Result<std::string> LedgerLiteral(const pqxx::field& f) {
  std::string v = f.c_str();
  if (v.empty() || v.find_first_not_of("0123456789:,-") != std::string::npos) {
    return Status(StatusCode::kInternal, "unexpected ledger value '" + v.substr(0, 40) + "'");
  }
  return "'" + v + "'";
}

}  // namespace

// In two 32-bit halves (bigint is signed): key mod n = (hi * (2^32 mod n) + lo) mod n, each half
// put together from the id's bytes (4x cheaper than parsing its text as hex).
std::string ShardSlotSql(const std::string& event_id, int slots) {
  auto half = [&](int first_byte) {
    std::string out = "(";
    for (int i = 0; i < 4; ++i) {
      // Parenthesized: PostgreSQL gives | and << the same precedence.
      out += std::string(i ? " | " : "") + "(get_byte(uuid_send(" + event_id + "), " +
             std::to_string(first_byte + i) + ")::bigint << " + std::to_string(24 - 8 * i) + ")";
    }
    return out + ")";
  };
  const int64_t wrap = (int64_t{1} << 32) % slots;
  return "((" + half(8) + " * " + std::to_string(wrap) + " + " + half(12) + ") % " +
         std::to_string(slots) + ")";
}

Result<std::string> SliceCopySql(pqxx::transaction_base& tx, const Batch& batch,
                                 const StreamFormat& format) {
  pqxx::result r = tx.exec_params(std::string(ledger_sql::kSliceBounds) + " AND lease_token = $2",
                                  batch.batch_id, batch.lease_token);
  if (r.empty()) {
    return Status(StatusCode::kLeaseLost,
                  "batch " + std::to_string(batch.batch_id) + " was taken over by another relay");
  }
  if (r[0][2].is_null()) {
    return Status(StatusCode::kFailedPrecondition, "a slice of before migration 010: load it");
  }
  TickBounds b;
  std::string* parts[] = {&b.done, &b.tick, &b.after_tx, &b.after_id, &b.last_tx, &b.last_id};
  for (int i = 0; i < 6; ++i) {
    auto v = LedgerLiteral(r[0][i]);
    if (!v.ok()) return v.status();
    *parts[i] = *v;
  }
  // The bound before the first row is the same transaction, one id lower (ids are integers).
  b.done += "::pg_snapshot";
  b.tick += "::pg_snapshot";
  b.after_tx += "::xid8";
  b.after_id = "(" + b.after_id + "::bigint - 1)";
  b.last_tx += "::xid8";
  b.last_id += "::bigint";
  const std::string columns = "o.event_id, o.event_type, " + StreamTimeSql(format) +
                              ", o.environment, o.event_context, o.metadata_version, o.trace_id, "
                              "o.span_id";
  std::string where = ledger_sql::kStorableTime;
  if (format.shard_slots > 0) {  // a cluster's part: this shard's slots only
    std::string slots;
    for (int slot : format.slots) slots += (slots.empty() ? "" : ",") + std::to_string(slot);
    where += " AND " + ShardSlotSql("o.event_id", format.shard_slots) + " IN (" + slots + ")";
  }
  // Unordered: the planner may read each range's heap pages in their order (a bitmap scan).
  return "COPY (" + TickRowsSql(columns, b, /*ordered=*/false) + " WHERE " + where + ") TO STDOUT";
}

}  // namespace eventlog
