#pragma once

#include <cstdint>
#include <string>

#include "bench/bench_env.h"
#include "bench/row_formats.h"
#include "clickhouse/clickhouse_rows.h"

namespace eventlog::bench {

// What the bench reads from ClickHouse about the bench table, and the server's CPU use.
// Thread-compatible: one per thread (it owns one HTTP client).
class ClickHouseWatch {
 public:
  explicit ClickHouseWatch(const BenchEnv& env);

  Result<int64_t> Count();
  // True when count() == uniqExact(event_id) == expected; `detail` says what was found.
  Result<bool> ExactlyOnce(int64_t expected, std::string* detail);
  // Parts (INSERT blocks) ever written into the table: MergeTree numbers every block it
  // writes from one counter per table, and a merged part keeps the highest number of its
  // sources, so max(max_block_number) over system.parts counts INSERT blocks since the table
  // was created, whatever merges did meanwhile. One INSERT of one partition is one block (up
  // to max_insert_block_size rows).
  Result<int64_t> BlocksWritten();
  // How event_log.event_date_time is typed here (DateTime on 18.16, DateTime64 later).
  Result<TimeColumn> TimeColumnType();
  Result<std::string> Query(const std::string& sql);
  // One INSERT of `body`, rows in `format` with the columns of kInsertColumns.
  Status Insert(const std::string& body, RowFormat format = RowFormat::kTabSeparated);

 private:
  ClickHouseClient client_;
  std::string table_;
};

// utime + stime of the ClickHouse server, in seconds, from /proc/<pid>/stat; the pid is the
// one the server wrote into var/services/clickhouse/data/status (scripts/services.sh).
// Negative when unknown (remote server, or not started by services.sh).
double ClickHouseCpuSeconds(const BenchEnv& env);

// The CPU of the PostgreSQL of scripts/services.sh (PostgresCpuSeconds of the postmaster in
// var/services/pg/data/postmaster.pid), in seconds. Negative when unknown.
double BenchPostgresCpuSeconds(const BenchEnv& env);

// Polls ch.Count() every 20 ms until it reaches `n`: the seconds since `start` it took, or an
// error 10 min after `start`.
Result<double> WaitForCount(ClickHouseWatch& ch, int64_t n, SteadyClock::time_point start);

}  // namespace eventlog::bench
