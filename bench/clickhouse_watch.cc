#include "bench/clickhouse_watch.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace eventlog::bench {

ClickHouseWatch::ClickHouseWatch(const BenchEnv& env)
    : client_(env.ch), table_(env.ch.database + ".event_log") {}

Result<std::string> ClickHouseWatch::Query(const std::string& sql) { return client_.Execute(sql); }

Status ClickHouseWatch::Insert(const std::string& tsv) {
  return client_
      .Execute(
          "INSERT INTO " + table_ + " (" + std::string(kInsertColumns) + ") FORMAT TabSeparated",
          tsv)
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
  std::ifstream status(env.source_dir + "/var/services/clickhouse/data/status");
  std::string key;
  long pid = -1;
  status >> key >> pid;  // "PID: 1234"
  if (key != "PID:" || pid <= 0) return -1;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return -1;
  // Fields after the command name, which is in parentheses and may hold blanks.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  double utime = 0;
  double stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace eventlog::bench
