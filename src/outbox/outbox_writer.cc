#include "eventlog/outbox_writer.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "outbox/pg_errors.h"

namespace eventlog {
namespace {

constexpr const char* kOutboxColumns =
    "event_outbox (event_id, event_type, event_date_time, environment, event_context, "
    "metadata_version, trace_id, span_id)";

// One event's INSERT from parameters $first..$first+7 (event_id, type, time in µs, environment,
// context, metadata_version, trace id, span id), in the order OneRowParams gives them.
std::string InsertOneSql(int first) {
  auto p = [first](int i) { return "$" + std::to_string(first + i); };
  return std::string("INSERT INTO ") + kOutboxColumns + " VALUES (" + p(0) + "::uuid, " + p(1) +
         ", timestamptz 'epoch' + " + p(2) + "::bigint * interval '1 microsecond', " + p(3) + ", " +
         p(4) + ", " + p(5) + "::bigint, " + p(6) + ", " + p(7) + ")";
}

std::vector<std::string> OneRowParams(const OutboxRow& r) {
  return {r.event_id,    r.event_type,    std::to_string(r.event_time_us),
          r.environment, r.event_context, std::to_string(r.metadata_version),
          r.trace_id,    r.span_id};
}

// Prepared once per connection (libpqxx registers it with the server on first use), so an
// enqueue is neither parsed nor planned again: one round trip that only binds and runs.
constexpr const char* kEnqueueOne = "eventlog_enqueue_one_v2";

// Several rows in one statement, whatever their number: the rows travel as one JSON array
// parameter (nlohmann-json escapes it), in the caller's order.
constexpr const char* kEnqueueMany = "eventlog_enqueue_many_v2";
const std::string& EnqueueManySql() {
  static const std::string sql = std::string("INSERT INTO ") + kOutboxColumns + R"sql(
SELECT r.i, r.y, timestamptz 'epoch' + r.t * interval '1 microsecond', r.e, r.c, r.v, r.ti, r.si
  FROM ROWS FROM (json_to_recordset($1::json)
                  AS (i uuid, y text, t bigint, e text, c text, v bigint, ti text, si text))
       WITH ORDINALITY AS r(i, y, t, e, c, v, ti, si, n)
 ORDER BY r.n)sql";
  return sql;
}

}  // namespace

OutboxWriter::OutboxWriter(std::string environment, size_t max_event_bytes)
    : environment_(std::move(environment)), max_event_bytes_(max_event_bytes) {}

Result<OutboxRow> OutboxWriter::ToRow(const Event& event) const {
  auto row = ToOutboxRow(event, environment_, max_event_bytes_);
  if (!row.ok()) return row.status();
  if (row->metadata_version > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status(StatusCode::kInvalidArgument,
                  "metadata_version of " + event.type + " is too large");
  }
  return row;
}

Status OutboxWriter::Enqueue(pqxx::transaction_base& tx, const Event& event) const {
  return EnqueueMany(tx, {event});
}

Status OutboxWriter::EnqueueMany(pqxx::transaction_base& tx,
                                 const std::vector<Event>& events) const {
  if (events.empty()) return Status::Ok();
  // Validate everything first, so a bad event writes nothing at all.
  std::vector<OutboxRow> rows;
  rows.reserve(events.size());
  for (const Event& e : events) {
    auto row = ToRow(e);
    if (!row.ok()) return row.status();
    rows.push_back(std::move(row.value()));
  }
  return CatchPg([&] {
    if (rows.size() == 1) {
      static const std::string one_sql = InsertOneSql(1);
      tx.conn().prepare(kEnqueueOne, one_sql);
      tx.exec_prepared0(kEnqueueOne, pqxx::prepare::make_dynamic_params(OneRowParams(rows[0])));
      return Status::Ok();
    }
    nlohmann::json array = nlohmann::json::array();
    for (const OutboxRow& r : rows) {
      array.push_back({{"i", r.event_id},
                       {"y", r.event_type},
                       {"t", r.event_time_us},
                       {"e", r.environment},
                       {"c", r.event_context},
                       {"v", static_cast<int64_t>(r.metadata_version)},
                       {"ti", r.trace_id},
                       {"si", r.span_id}});
    }
    tx.conn().prepare(kEnqueueMany, EnqueueManySql());
    tx.exec_prepared0(kEnqueueMany, array.dump());
    return Status::Ok();
  });
}

Result<EnqueueInStatement> OutboxWriter::InStatement(const Event& event, int first_param) const {
  if (first_param < 1) {
    return Status(StatusCode::kInvalidArgument, "first_param must be 1 or more");
  }
  auto row = ToRow(event);
  if (!row.ok()) return row.status();
  return EnqueueInStatement{"eventlog_enqueued AS (" + InsertOneSql(first_param) + ")",
                            OneRowParams(row.value())};
}

}  // namespace eventlog
