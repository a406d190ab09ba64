#include "outbox/outbox_admin.h"

#include <pqxx/pqxx>

#include "outbox/outbox_rules.h"
#include "outbox/pg_pool.h"

namespace eventlog {
namespace {

constexpr const char* kStatsSql = R"sql(
SELECT (SELECT count(*) FROM eventlog_unclaimed),
       (SELECT coalesce(sum(event_count), 0) FROM eventlog_batches),
       (SELECT count(*) FROM eventlog_batches),
       (SELECT count(*) FROM eventlog_batches WHERE attempts > 0),
       coalesce(extract(epoch FROM now() - least(
           (SELECT min(created_at) FROM eventlog_unclaimed),
           (SELECT min(oldest_created_at) FROM eventlog_batches)))::float8, 0),
       (SELECT value FROM eventlog_counters WHERE name = 'delivered'),
       (SELECT count(*) FROM event_dead_letters),
       coalesce((SELECT last_error FROM eventlog_batches WHERE last_error IS NOT NULL
                  ORDER BY updated_at DESC LIMIT 1), ''))sql";

}  // namespace

Result<OutboxStats> ReadOutboxStats(const std::string& database_url) {
  OutboxStats st;
  PgPool conn(database_url, 1);
  Status s = conn.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::row r = tx.exec1(kStatsSql);
    st.outbox_rows = r[0].as<int64_t>();
    st.pending = st.outbox_rows + r[1].as<int64_t>();
    st.in_flight_batches = r[2].as<int64_t>();
    st.retrying_batches = r[3].as<int64_t>();
    st.oldest_pending_age_s = r[4].as<double>();
    st.delivered = r[5].as<int64_t>();
    st.dead_letters = r[6].as<int64_t>();
    st.last_error = r[7].c_str();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return st;
}

Result<std::vector<DeadLetterInfo>> ListDeadLetters(const std::string& database_url, int limit) {
  std::vector<DeadLetterInfo> out;
  PgPool conn(database_url, 1);
  Status s = conn.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(
        "SELECT id, event_id, event_type, error, attempts, failed_at FROM event_dead_letters "
        "ORDER BY id LIMIT $1",
        limit);
    for (const auto& row : r) {
      out.push_back({row[0].as<int64_t>(), row[1].c_str(), row[2].c_str(), row[3].c_str(),
                     row[4].as<int>(), row[5].c_str()});
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

namespace {

// The dead letters `filter` names, as an SQL condition; empty when it names none.
std::string DeadLetterCondition(pqxx::work& tx, const RequeueFilter& filter) {
  if (filter.all) return "true";
  if (filter.event_type) return "event_type = " + tx.quote(*filter.event_type);
  if (filter.ids.empty()) return "";
  std::string where = "id IN (";
  for (size_t i = 0; i < filter.ids.size(); ++i) {
    where += (i ? "," : "") + std::to_string(filter.ids[i]);
  }
  return where + ")";
}

// What event_outbox accepts back (its CHECK constraints): an unreadable row (raw_row) or a time
// no ClickHouse type holds stays a dead letter.
std::string Requeueable() {
  return std::string(" AND raw_row IS NULL AND event_type <> '' AND ") + kStorableTimeSql;
}

}  // namespace

Result<RequeueOutcome> RequeueDeadLetters(const std::string& database_url,
                                          const RequeueFilter& filter) {
  RequeueOutcome out;
  PgPool conn(database_url, 1);
  Status s = conn.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    std::string where = DeadLetterCondition(tx, filter);
    if (where.empty()) {
      return Status(StatusCode::kInvalidArgument, "requeue needs ids, a type or all");
    }
    pqxx::result r = tx.exec(
        "WITH moved AS (DELETE FROM event_dead_letters WHERE " + where + Requeueable() +
        " RETURNING id, event_id, event_type, event_date_time, environment, event_context, "
        "metadata_version) INSERT INTO event_outbox (event_id, event_type, event_date_time, "
        "environment, event_context, metadata_version) SELECT event_id, event_type, "
        "event_date_time, environment, event_context, metadata_version FROM moved ORDER BY id");
    out.moved = static_cast<int64_t>(r.affected_rows());
    out.kept = tx.exec1("SELECT count(*) FROM event_dead_letters WHERE " + where)[0].as<int64_t>();
    tx.commit();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace eventlog
