#include "eventlog/outbox_writer.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "outbox/pg_errors.h"

namespace eventlog {
namespace {

// Prepared once per connection (libpqxx registers it with the server on first use), so an
// enqueue is neither parsed nor planned again: one round trip that only binds and runs.
constexpr const char* kEnqueueOne = "eventlog_enqueue_one_v1";
constexpr const char* kEnqueueOneSql = R"sql(
INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, event_context,
                          metadata_version)
VALUES ($1::uuid, $2, timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4, $5, $6))sql";

// Several rows in one statement, whatever their number: the rows travel as one JSON array
// parameter (nlohmann-json escapes it), in the caller's order.
constexpr const char* kEnqueueMany = "eventlog_enqueue_many_v1";
constexpr const char* kEnqueueManySql = R"sql(
INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, event_context,
                          metadata_version)
SELECT r.i, r.y, timestamptz 'epoch' + r.t * interval '1 microsecond', r.e, r.c, r.v
  FROM ROWS FROM (json_to_recordset($1::json)
                  AS (i uuid, y text, t bigint, e text, c text, v bigint)) WITH ORDINALITY
       AS r(i, y, t, e, c, v, n)
 ORDER BY r.n)sql";

}  // namespace

OutboxWriter::OutboxWriter(std::string environment, size_t max_event_bytes)
    : environment_(std::move(environment)), max_event_bytes_(max_event_bytes) {}

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
    auto row = ToOutboxRow(e, environment_, max_event_bytes_);
    if (!row.ok()) return row.status();
    if (row->metadata_version > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return {StatusCode::kInvalidArgument, "metadata_version of " + e.type + " is too large"};
    }
    rows.push_back(std::move(row.value()));
  }
  return CatchPg([&] {
    if (rows.size() == 1) {
      const OutboxRow& r = rows.front();
      tx.conn().prepare(kEnqueueOne, kEnqueueOneSql);
      tx.exec_prepared0(kEnqueueOne, r.event_id, r.event_type, r.event_time_us, r.environment,
                        r.event_context, static_cast<int64_t>(r.metadata_version));
      return Status::Ok();
    }
    nlohmann::json array = nlohmann::json::array();
    for (const OutboxRow& r : rows) {
      array.push_back({{"i", r.event_id},
                       {"y", r.event_type},
                       {"t", r.event_time_us},
                       {"e", r.environment},
                       {"c", r.event_context},
                       {"v", static_cast<int64_t>(r.metadata_version)}});
    }
    tx.conn().prepare(kEnqueueMany, kEnqueueManySql);
    tx.exec_prepared0(kEnqueueMany, array.dump());
    return Status::Ok();
  });
}

}  // namespace eventlog
