#include "outbox/outbox_depth.h"

#include <pqxx/pqxx>

#include "outbox/ledger_sql.h"

namespace eventlog {

OutboxDepth ReadOutboxDepth(pqxx::transaction_base& tx) {
  OutboxDepth d;
  pqxx::row r = tx.exec1(ledger_sql::kOutboxDepth);
  d.unclaimed = r["unclaimed"].as<int64_t>();
  d.pending = r["pending"].as<int64_t>();
  d.open_batches = r["open_batches"].as<int64_t>();
  d.retrying_batches = r["retrying_batches"].as<int64_t>();
  d.oldest_pending_age_s = r["oldest_pending_age_s"].as<double>();
  d.dead_letters = r["dead_letters"].as<int64_t>();
  d.delivered = r["delivered"].as<int64_t>();
  d.last_error = r["last_error"].c_str();
  for (const auto& w : tx.exec(ledger_sql::kOldestOpenWriter)) {
    d.oldest_open_writer = w[0].c_str();
    if (!w[1].is_null()) d.oldest_open_writer_age_s = w[1].as<double>();
  }
  return d;
}

}  // namespace eventlog
