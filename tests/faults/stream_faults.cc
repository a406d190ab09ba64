#include "tests/faults/stream_faults.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "tests/faults/fault_env.h"

namespace eventlog::faults {
namespace {

// $1 count, $2 salt, $3 padding bytes, $4 span id bytes. Each row's special part is chosen by its
// number, so every batch of a few rows holds all of them. PostgreSQL text cannot hold NUL.
constexpr const char* kEnqueueSql = R"sql(
INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, event_context,
                          metadata_version, trace_id, span_id)
SELECT gen_random_uuid(), 'StreamFault', now() - (g % 3600) * interval '1 second', 'Faults',
       '{"n":' || g || ',"s":"' ||
       CASE g % 9 WHEN 0 THEN E'back\\slash\\\\' WHEN 1 THEN E'tab\there' WHEN 2 THEN E'line\nbreak'
                  WHEN 3 THEN E'cr\r\x01\x02\x1f' WHEN 4 THEN E'del\x7f esc\x1b'
                  WHEN 5 THEN 'é ß 漢字 😀' WHEN 6 THEN E'\\N' WHEN 7 THEN E'\\' ELSE 'plain' END ||
       '","p":"' || repeat('x', $3) || '"}',
       1 + g % 3, md5($2 || 't' || g), left(repeat(md5($2 || 's' || g), $4 / 32 + 1), $4)
FROM generate_series(1, $1::bigint) AS g
RETURNING event_id::text || ' ' || trace_id || ' ' || md5(span_id) || ' ' || md5(event_context)
)sql";

constexpr const char* kActiveCopiesWhere =
    "FROM pg_stat_activity WHERE query LIKE 'COPY (%' AND state = 'active' "
    "AND pid <> pg_backend_pid()";

}  // namespace

std::vector<std::string> EnqueueStreamEvents(int64_t count, int64_t context_bytes,
                                             const std::string& salt, int64_t span_bytes) {
  std::vector<std::string> keys;
  keys.reserve(static_cast<size_t>(count));
  try {
    pqxx::connection conn(kDatabaseUrl);
    pqxx::work tx(conn);
    const int64_t padding = std::max<int64_t>(0, context_bytes - 60);
    for (const auto& row : tx.exec_params(kEnqueueSql, count, salt, padding, span_bytes)) {
      keys.emplace_back(row[0].c_str());
    }
    tx.commit();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "enqueue of " << count << " events failed: " << e.what();
    keys.clear();
  }
  return keys;
}

Env StreamRelayEnv(int64_t max_rows) {
  return {{"EVENTLOG_BATCH_SIZE", std::to_string(max_rows)},
          {"EVENTLOG_BATCH_MAX_ROWS", std::to_string(max_rows)},
          {"EVENTLOG_BATCH_MAX_BYTES", std::to_string(64 << 20)},
          {"CLICKHOUSE_TIMEOUT_MS", "3000"},
          {"EVENTLOG_LEASE_MS", std::to_string(kStreamLease.count())}};
}

int64_t ActiveCopies() { return PgCount(std::string("SELECT count(*) ") + kActiveCopiesWhere); }

bool WaitCopyActive(std::chrono::milliseconds timeout) {
  return WaitUntil([] { return ActiveCopies() > 0; }, timeout, std::chrono::milliseconds(1));
}

int64_t TerminateCopies() {
  return PgCount(std::string("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) ") +
                 kActiveCopiesWhere);
}

int64_t CountInLogs(const std::vector<std::string>& paths, const std::string& needle) {
  int64_t n = 0;
  for (const auto& p : paths) n += CountLogLines(p, needle);
  return n;
}

void ExpectStreamedExactlyOnce(const std::vector<std::string>& expected,
                               const std::string& case_name, const std::string& extra,
                               const std::vector<std::string>& logs,
                               std::chrono::milliseconds timeout) {
  Figures f;
  f.case_name = case_name;
  EXPECT_TRUE(WaitDrained(timeout, &f.drain_s)) << "pending: " << PendingRows();
  f.extra = extra + " given_back=" + std::to_string(CountInLogs(logs, "batch given back")) +
            " found_present=" + std::to_string(CountInLogs(logs, "already_present")) +
            " refused_streams=" + std::to_string(CountInLogs(logs, "streamed batch refused"));
  ExpectExactlyOnce(expected, kStreamKeyCh, f);
  ExpectStatusDrained(f);
  EXPECT_EQ(f.dead_letters, 0) << "dead letters after " << case_name;
  EXPECT_EQ(PgCount("SELECT count(*) FROM event_dead_letters"), 0);
  RecordFigures(f);
}

}  // namespace eventlog::faults
