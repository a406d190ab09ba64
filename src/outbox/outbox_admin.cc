#include "outbox/outbox_admin.h"

#include <pqxx/pqxx>

#include "outbox/ledger_sql.h"
#include "outbox/outbox_depth.h"
#include "outbox/pg_pool.h"

namespace eventlog {
namespace {

template <typename T>
std::optional<T> Nullable(const pqxx::field& field) {
  return field.is_null() ? std::nullopt : std::optional<T>(field.as<T>());
}

// A row that starts with the columns of ledger_sql::kDeadLetterBriefColumns.
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

Result<OutboxStats> ReadOutboxStats(const std::string& database_url) {
  return OnOwnConnection<OutboxStats>(database_url, [](pqxx::connection& c, OutboxStats& st) {
    pqxx::read_transaction tx(c);
    const OutboxDepth d = ReadOutboxDepth(tx);
    st.outbox_rows = d.unclaimed;
    st.pending = d.pending;
    st.in_flight_batches = d.open_batches;
    st.retrying_batches = d.retrying_batches;
    st.oldest_pending_age_s = d.oldest_pending_age_s;
    st.delivered = d.delivered;
    st.dead_letters = d.dead_letters;
    st.last_error = d.last_error;
    st.oldest_open_writer = d.oldest_open_writer;
    if (!d.oldest_open_writer.empty())
      st.oldest_open_writer_age_s = d.oldest_open_writer_age_s.value_or(-1);
    pqxx::row lag = tx.exec_params1(ledger_sql::kDeliveryLag, OutboxStats::kLagWindowMinutes);
    st.lag_batches = lag[0].as<int64_t>();
    st.lag_events = lag[1].as<int64_t>();
    if (st.lag_batches > 0) {
      st.lag_p50_ms = lag[2].as<double>();
      st.lag_p90_ms = lag[3].as<double>();
      st.lag_p99_ms = lag[4].as<double>();
      st.lag_max_ms = lag[5].as<double>();
    }
    for (const auto& row : tx.exec(ledger_sql::kDeadLettersByType)) {
      st.dead_letters_by_type.emplace_back(row[0].c_str(), row[1].as<int64_t>());
    }
    return Status::Ok();
  });
}

Result<std::vector<DeadLetterInfo>> ListDeadLetters(const std::string& database_url, int limit,
                                                    const std::optional<std::string>& event_type) {
  using List = std::vector<DeadLetterInfo>;
  return OnOwnConnection<List>(database_url, [&](pqxx::connection& c, List& out) {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(ledger_sql::kListDeadLetters, event_type, limit);
    for (const auto& row : r) out.push_back(DeadLetterFrom(row));
    return Status::Ok();
  });
}

Result<std::optional<DeadLetterDetail>> ReadDeadLetter(const std::string& database_url,
                                                       int64_t id) {
  using Found = std::optional<DeadLetterDetail>;
  return OnOwnConnection<Found>(database_url, [&](pqxx::connection& c, Found& out) {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(ledger_sql::kReadDeadLetter, id);
    if (r.empty()) return Status::Ok();
    const pqxx::row row = r[0];
    out =
        DeadLetterDetail{DeadLetterFrom(row),       row[6].c_str(), row[7].c_str(),
                         Nullable<int64_t>(row[8]), row[9].c_str(), Nullable<std::string>(row[10])};
    return Status::Ok();
  });
}

namespace {

// The dead letters `filter` names, as the parameters $1..$3 of ledger_sql::kDeadLetterFilter;
// nullopt unless it names them exactly one way (ids, a type or all): a command that deletes must
// not guess which of two the caller meant.
struct FilterParams {
  bool all = false;
  std::optional<std::string> event_type;
  std::optional<std::string> ids;  // a PostgreSQL array literal
};

std::optional<FilterParams> DeadLetterFilter(const RequeueFilter& filter) {
  const int ways =
      (filter.all ? 1 : 0) + (filter.event_type ? 1 : 0) + (filter.ids.empty() ? 0 : 1);
  if (ways != 1) return std::nullopt;
  FilterParams p{.all = filter.all, .event_type = filter.event_type, .ids = std::nullopt};
  if (!filter.ids.empty()) {
    std::string ids = "{";
    for (size_t i = 0; i < filter.ids.size(); ++i) {
      ids += (i ? "," : "") + std::to_string(filter.ids[i]);
    }
    p.ids = ids + "}";
  }
  return p;
}

}  // namespace

Result<RequeueOutcome> RequeueDeadLetters(const std::string& database_url,
                                          const RequeueFilter& filter) {
  const std::optional<FilterParams> f = DeadLetterFilter(filter);
  if (!f) return Status(StatusCode::kInvalidArgument, "requeue needs one of ids, a type or all");
  return OnOwnConnection<RequeueOutcome>(
      database_url, [&](pqxx::connection& c, RequeueOutcome& out) {
        pqxx::work tx(c);
        out.moved = static_cast<int64_t>(
            tx.exec_params0(ledger_sql::kRequeueDeadLetters, f->all, f->event_type, f->ids)
                .affected_rows());
        out.kept = tx.exec_params1(ledger_sql::kCountDeadLetters, f->all, f->event_type, f->ids)[0]
                       .as<int64_t>();
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
  const std::optional<FilterParams> f = DeadLetterFilter(filter);
  if (!f) return Status(StatusCode::kInvalidArgument, "purge needs one of ids, a type or all");
  return OnOwnConnection<int64_t>(database_url, [&](pqxx::connection& c, int64_t& deleted) {
    pqxx::work tx(c);
    deleted = static_cast<int64_t>(tx.exec_params0(ledger_sql::kPurgeDeadLetters, f->all,
                                                   f->event_type, f->ids, older_than_days)
                                       .affected_rows());
    tx.commit();
    return Status::Ok();
  });
}

}  // namespace eventlog
