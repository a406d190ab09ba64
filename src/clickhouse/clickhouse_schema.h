#pragma once

#include <string>
#include <vector>

#include "clickhouse/clickhouse_rows.h"
#include "clickhouse/http_client.h"
#include "core/migration.h"

namespace eventlog {

struct ServerVersion {
  int major = 0;
  int minor = 0;
  bool HasDateTime64() const { return major > 20 || (major == 20 && minor >= 1); }
};

Result<ServerVersion> ReadServerVersion(ClickHouseClient& client);
// Parses "18.16.1" or "23.8.2.7".
Result<ServerVersion> ParseServerVersion(const std::string& text);

// Refuses a time column whose type names no UTC time zone ("DateTime64(6)", "DateTime",
// "DateTime('Europe/Berlin')"): ClickHouse reads the UTC times the relay sends, and the bounds
// of a recovery check, in the column's zone, or the server's when the type names none, so
// rows would be stored shifted and every check would miss them. kFailedPrecondition naming
// `column` and the ALTER that fixes it.
Status CheckUtcTimeColumn(const std::string& type, const std::string& column);

// The type of `database`.`table`.event_date_time, parsed and checked (CheckUtcTimeColumn);
// kFailedPrecondition when the table or column does not exist.
Result<TimeColumn> ReadTimeColumn(ClickHouseClient& client, const std::string& database,
                                  const std::string& table);

// Applies the ClickHouse migrations (all idempotent; `applied` gets those new to `ledger`), with
// the event_log time column typed for this server (DateTime64(6, 'UTC') from 20.1 on,
// DateTime('UTC') before). Statements name `database`.`table` and the first creates the
// database, so `client` should be connected to a database that exists (e.g. default). Then
// checks the table's time column (ReadTimeColumn): a table created by hand without 'UTC' is
// refused.
// With a `cluster` (CLICKHOUSE_CLUSTER), the cluster migrations instead, ON CLUSTER:
// `table`_local as ReplicatedMergeTree on every node and `table` as a Distributed table over it
// sharded by the relay's shard key (shard_key.h); a `table` that exists but is not Distributed
// is refused (it was made without the cluster). Recorded in the ledger as "clickhouse_cluster".
Status ApplyClickHouseMigrations(ClickHouseClient& client, const std::string& database,
                                 const std::string& table, const std::string& cluster,
                                 MigrationLedger& ledger, std::vector<std::string>& applied);

}  // namespace eventlog
