#include "bench/clickhouse_watch.h"

#include <sstream>
#include <thread>

#include "bench/proc_cpu.h"

namespace eventlog::bench {
namespace {

constexpr auto kDrainDeadline = std::chrono::minutes(10);
constexpr auto kDrainPoll = std::chrono::milliseconds(20);

}  // namespace

ClickHouseWatch::ClickHouseWatch(const BenchEnv& env)
    : client_(env.ch), table_(env.ch.database + ".event_log") {}

Result<std::string> ClickHouseWatch::Query(const std::string& sql) { return client_.Execute(sql); }

Status ClickHouseWatch::Insert(const std::string& body, RowFormat format) {
  return client_
      .Execute("INSERT INTO " + table_ + " (" + std::string(kInsertColumns) + ") FORMAT " +
                   FormatName(format),
               body)
      .status();
}

Result<int64_t> ClickHouseWatch::Count() {
  auto r = Query("SELECT count() FROM " + table_);
  if (!r.ok()) return r.status();
  return std::stoll(r.value());
}

Result<bool> ClickHouseWatch::ExactlyOnce(int64_t expected, std::string* detail) {
  auto r = Query("SELECT count(), uniqExact(event_id) FROM " + table_ + " FORMAT TSV");
  if (!r.ok()) return r.status();
  std::istringstream in(r.value());
  int64_t count = -1;
  int64_t unique = -1;
  in >> count >> unique;
  *detail = "count()=" + std::to_string(count) + " uniqExact(event_id)=" + std::to_string(unique) +
            " enqueued=" + std::to_string(expected);
  return count == expected && unique == expected;
}

Result<int64_t> ClickHouseWatch::BlocksWritten() {
  auto r = Query("SELECT max(max_block_number) FROM system.parts WHERE database = '" +
                 client_.options().database + "' AND table = 'event_log'");
  if (!r.ok()) return r.status();
  return std::stoll(r.value());
}

Result<TimeColumn> ClickHouseWatch::TimeColumnType() {
  auto r = Query("SELECT type FROM system.columns WHERE database = '" + client_.options().database +
                 "' AND table = 'event_log' AND name = 'event_date_time'");
  if (!r.ok()) return r.status();
  std::string type = r.value();
  while (!type.empty() && type.back() == '\n') type.pop_back();
  return ParseTimeColumnType(type);
}

double ClickHouseCpuSeconds(const BenchEnv& env) {
  return ProcessCpuSeconds(PidFromFile(env.source_dir + "/var/services/clickhouse/data/status"));
}

double BenchPostgresCpuSeconds(const BenchEnv& env) {
  return PostgresCpuSeconds(PidFromFile(env.source_dir + "/var/services/pg/data/postmaster.pid"));
}

Result<double> WaitForCount(ClickHouseWatch& ch, int64_t n, SteadyClock::time_point start) {
  for (;;) {
    auto count = ch.Count();
    if (!count.ok()) return count.status();
    if (count.value() >= n) return SecondsSince(start);
    if (SteadyClock::now() - start > kDrainDeadline) {
      return Status(StatusCode::kUnavailable, "drain: " + std::to_string(count.value()) + " of " +
                                                  std::to_string(n) + " delivered in 10 min");
    }
    std::this_thread::sleep_for(kDrainPoll);
  }
}

}  // namespace eventlog::bench
