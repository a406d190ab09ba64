#include "outbox/outbox_admin.h"

#include <pqxx/pqxx>

#include "outbox/open_writers.h"
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

// The columns DeadLetterFrom reads, first in a row; the detail's follow them.
constexpr const char* kDeadLetterColumns = "id, event_id, event_type, error, attempts, failed_at";
constexpr const char* kDetailColumns =
    ", event_date_time, environment, metadata_version, event_context, raw_row";

template <typename T>
std::optional<T> Nullable(const pqxx::field& field) {
  return field.is_null() ? std::nullopt : std::optional<T>(field.as<T>());
}

DeadLetterInfo DeadLetterFrom(const pqxx::row& row) {
  return {row[0].as<int64_t>(), row[1].c_str(),   row[2].c_str(),
          row[3].c_str(),       row[4].as<int>(), row[5].c_str()};
}

// Runs `fn(connection, value)` on a connection of its own; the value it filled in, or its error.
template <typename T, typename Fn>
Result<T> OnOwnConnection(const std::string& database_url, Fn fn) {
  T value{};
  PgPool conn(database_url, 1);
  Status s = conn.Run([&](pqxx::connection& c) { return fn(c, value); });
  if (!s.ok()) return s;
  return value;
}

}  // namespace

// Percentiles of the batches' lags over the last $1 minutes.
constexpr const char* kLagSql = R"sql(
SELECT count(*), coalesce(sum(events), 0),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_ms),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY lag_ms),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY lag_ms), max(lag_ms)::float8
  FROM eventlog_delivery_lag WHERE delivered_at > now() - $1 * interval '1 minute')sql";

constexpr const char* kDeadLettersByTypeSql = R"sql(
SELECT coalesce(event_type, '(unreadable ledger line)'), count(*)
  FROM event_dead_letters GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20)sql";

Result<OutboxStats> ReadOutboxStats(const std::string& database_url) {
  return OnOwnConnection<OutboxStats>(database_url, [](pqxx::connection& c, OutboxStats& st) {
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
    pqxx::row lag = tx.exec_params1(kLagSql, OutboxStats::kLagWindowMinutes);
    st.lag_batches = lag[0].as<int64_t>();
    st.lag_events = lag[1].as<int64_t>();
    if (st.lag_batches > 0) {
      st.lag_p50_ms = lag[2].as<double>();
      st.lag_p90_ms = lag[3].as<double>();
      st.lag_p99_ms = lag[4].as<double>();
      st.lag_max_ms = lag[5].as<double>();
    }
    for (const auto& row : tx.exec(kDeadLettersByTypeSql)) {
      st.dead_letters_by_type.emplace_back(row[0].c_str(), row[1].as<int64_t>());
    }
    for (const auto& row : tx.exec(kOldestOpenWriterSql)) {
      st.oldest_open_writer = row[0].c_str();
      st.oldest_open_writer_age_s = row[1].is_null() ? -1 : row[1].as<double>();
    }
    return Status::Ok();
  });
}

Result<std::vector<DeadLetterInfo>> ListDeadLetters(const std::string& database_url, int limit,
                                                    const std::optional<std::string>& event_type) {
  using List = std::vector<DeadLetterInfo>;
  return OnOwnConnection<List>(database_url, [&](pqxx::connection& c, List& out) {
    pqxx::read_transaction tx(c);
    pqxx::result r =
        tx.exec_params(std::string("SELECT ") + kDeadLetterColumns +
                           " FROM event_dead_letters WHERE $1::text IS NULL OR event_type = $1 "
                           "ORDER BY id DESC LIMIT $2",
                       event_type, limit);
    for (const auto& row : r) out.push_back(DeadLetterFrom(row));
    return Status::Ok();
  });
}

Result<std::optional<DeadLetterDetail>> ReadDeadLetter(const std::string& database_url,
                                                       int64_t id) {
  using Found = std::optional<DeadLetterDetail>;
  return OnOwnConnection<Found>(database_url, [&](pqxx::connection& c, Found& out) {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(std::string("SELECT ") + kDeadLetterColumns + kDetailColumns +
                                        " FROM event_dead_letters WHERE id = $1",
                                    id);
    if (r.empty()) return Status::Ok();
    const pqxx::row row = r[0];
    out =
        DeadLetterDetail{DeadLetterFrom(row),       row[6].c_str(), row[7].c_str(),
                         Nullable<int64_t>(row[8]), row[9].c_str(), Nullable<std::string>(row[10])};
    return Status::Ok();
  });
}

namespace {

// The dead letters `filter` names, as an SQL condition; empty unless it names them exactly one
// way (ids, a type or all): a command that deletes must not guess which of two the caller meant.
std::string DeadLetterCondition(pqxx::work& tx, const RequeueFilter& filter) {
  const int ways =
      (filter.all ? 1 : 0) + (filter.event_type ? 1 : 0) + (filter.ids.empty() ? 0 : 1);
  if (ways != 1) return "";
  if (filter.all) return "true";
  if (filter.event_type) return "event_type = " + tx.quote(*filter.event_type);
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
  return OnOwnConnection<RequeueOutcome>(database_url, [&](pqxx::connection& c,
                                                           RequeueOutcome& out) {
    pqxx::work tx(c);
    std::string where = DeadLetterCondition(tx, filter);
    if (where.empty()) {
      return Status(StatusCode::kInvalidArgument, "requeue needs one of ids, a type or all");
    }
    pqxx::result r = tx.exec(
        "WITH moved AS (DELETE FROM event_dead_letters WHERE " + where + Requeueable() +
        " RETURNING id, event_id, event_type, event_date_time, environment, event_context, "
        "metadata_version, trace_id, span_id) INSERT INTO event_outbox (event_id, event_type, "
        "event_date_time, environment, event_context, metadata_version, trace_id, span_id) "
        "SELECT event_id, event_type, event_date_time, environment, event_context, "
        "metadata_version, trace_id, span_id FROM moved ORDER BY id");
    out.moved = static_cast<int64_t>(r.affected_rows());
    out.kept = tx.exec1("SELECT count(*) FROM event_dead_letters WHERE " + where)[0].as<int64_t>();
    tx.commit();
    return Status::Ok();
  });
}

Result<int64_t> PurgeDeadLetters(const std::string& database_url, const RequeueFilter& filter,
                                 std::optional<int> older_than_days) {
  if (older_than_days && *older_than_days < 0) {
    return Status(StatusCode::kInvalidArgument,
                  "older than " + std::to_string(*older_than_days) + " days is not an age");
  }
  return OnOwnConnection<int64_t>(database_url, [&](pqxx::connection& c, int64_t& deleted) {
    pqxx::work tx(c);
    std::string where = DeadLetterCondition(tx, filter);
    if (where.empty()) {
      return Status(StatusCode::kInvalidArgument, "purge needs one of ids, a type or all");
    }
    if (older_than_days) {
      where += " AND failed_at < now() - interval '1 day' * " + std::to_string(*older_than_days);
    }
    deleted = static_cast<int64_t>(
        tx.exec0("DELETE FROM event_dead_letters WHERE " + where).affected_rows());
    tx.commit();
    return Status::Ok();
  });
}

}  // namespace eventlog
