#include "outbox/outbox_gauges.h"

#include <pqxx/pqxx>

#include "outbox/outbox_depth.h"

namespace eventlog {

OutboxGaugeReader::OutboxGaugeReader(std::string database_url)
    : pool_(std::move(database_url), 1) {}

Result<OutboxGauges> OutboxGaugeReader::Read() {
  OutboxGauges g;
  Status s = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    const OutboxDepth d = ReadOutboxDepth(tx);
    g.pending_events = d.pending;
    g.open_batches = d.open_batches;
    g.batches_in_retry = d.retrying_batches;
    g.oldest_pending_age_s = d.oldest_pending_age_s;
    g.dead_letters = d.dead_letters;
    g.oldest_open_writer_age_s = d.oldest_open_writer_age_s.value_or(0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return g;
}

}  // namespace eventlog
