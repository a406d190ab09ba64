#include "outbox/outbox_gauges.h"

#include <pqxx/pqxx>

namespace eventlog {
namespace {

// The claims' position: rows up to it are claimed (scan_from, or page_after inside a paged
// tick). Pending = ids taken above it (rolled-back ones too: an estimate that errs high) plus
// the events of open batches; the oldest = the first row above it or the oldest open batch.
constexpr const char* kGaugesSql = R"sql(
WITH s AS (SELECT greatest(scan_from, coalesce(page_after, 0)) AS position
             FROM eventlog_claim_state),
     seq AS (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS last_id
               FROM event_outbox_id_seq),
     b AS (SELECT coalesce(sum(event_count), 0) AS events, count(*) AS open,
                  count(*) FILTER (WHERE attempts > 0) AS retrying,
                  min(oldest_created_at) AS oldest
             FROM eventlog_batches)
SELECT greatest(seq.last_id - s.position, 0) + b.events, b.open, b.retrying,
       coalesce(extract(epoch FROM now() - least(
           b.oldest,
           (SELECT o.created_at FROM event_outbox o WHERE o.id > s.position ORDER BY o.id LIMIT 1)
         ))::float8, 0),
       (SELECT count(*) FROM event_dead_letters)
  FROM s, seq, b)sql";

}  // namespace

OutboxGaugeReader::OutboxGaugeReader(std::string database_url)
    : pool_(std::move(database_url), 1) {}

Result<OutboxGauges> OutboxGaugeReader::Read() {
  OutboxGauges g;
  Status s = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::row r = tx.exec1(kGaugesSql);
    g.pending_events = r[0].as<int64_t>();
    g.open_batches = r[1].as<int64_t>();
    g.batches_in_retry = r[2].as<int64_t>();
    g.oldest_pending_age_s = r[3].as<double>();
    g.dead_letters = r[4].as<int64_t>();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return g;
}

}  // namespace eventlog
