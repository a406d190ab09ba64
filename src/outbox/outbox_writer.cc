#include "eventlog/outbox_writer.h"

#include <limits>
#include <pqxx/pqxx>

#include "outbox/pg_errors.h"

namespace eventlog {

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
  std::string sql =
      "INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, "
      "event_context, metadata_version) VALUES ";
  for (size_t i = 0; i < rows.size(); ++i) {
    const OutboxRow& r = rows[i];
    if (i > 0) sql += ',';
    sql += "(" + tx.quote(r.event_id) + "::uuid," + tx.quote(r.event_type) +
           ",timestamptz 'epoch' + " + std::to_string(r.event_time_us) +
           " * interval '1 microsecond'," + tx.quote(r.environment) + "," +
           tx.quote(r.event_context) + "," + std::to_string(r.metadata_version) + ")";
  }
  return CatchPg([&] {
    tx.exec0(sql);
    return Status::Ok();
  });
}

}  // namespace eventlog
