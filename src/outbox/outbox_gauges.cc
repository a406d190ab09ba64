#include "outbox/outbox_gauges.h"

#include <pqxx/pqxx>

#include "outbox/open_writers.h"

namespace eventlog {
namespace {

// Pending = the rows no claim has taken (eventlog_unclaimed, the one definition) plus the events
// of open batches; the oldest = the oldest of either.
constexpr const char* kGaugesSql = R"sql(
WITH u AS (SELECT count(*) AS events, min(created_at) AS oldest FROM eventlog_unclaimed),
     b AS (SELECT coalesce(sum(event_count), 0) AS events, count(*) AS open,
                  count(*) FILTER (WHERE attempts > 0) AS retrying,
                  min(oldest_created_at) AS oldest
             FROM eventlog_batches)
SELECT u.events + b.events, b.open, b.retrying,
       coalesce(extract(epoch FROM now() - least(b.oldest, u.oldest))::float8, 0),
       (SELECT count(*) FROM event_dead_letters)
  FROM u, b)sql";

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
    for (const auto& w : tx.exec(kOldestOpenWriterSql)) {
      g.oldest_open_writer_age_s = w[1].is_null() ? 0 : w[1].as<double>();
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return g;
}

}  // namespace eventlog
