#pragma once

#include <string>
#include <vector>

namespace eventlog {

// One numbered schema change, compiled in from migrations/<target>/NNN_name.sql.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

const std::vector<Migration>& PostgresMigrations();
// ClickHouse SQL with placeholders {database}, {table}, {time_type}.
const std::vector<Migration>& ClickHouseMigrations();
// The same for a cluster (CLICKHOUSE_CLUSTER): also {cluster} and {shard_key}; {shard} and
// {replica} are left to the servers' macros.
const std::vector<Migration>& ClickHouseClusterMigrations();

}  // namespace eventlog

#include <set>

#include "eventlog/status.h"

namespace eventlog {

// Where applied migrations are recorded (PostgreSQL's eventlog_schema_migrations holds both
// targets, so the ClickHouse side is versioned under the same lock).
class MigrationLedger {
 public:
  virtual ~MigrationLedger() = default;
  virtual Result<std::set<int>> Applied(const std::string& target) = 0;
  virtual Status Record(const std::string& target, const Migration& migration) = 0;
};

}  // namespace eventlog
