#pragma once

#include <string>
#include <vector>

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

// Applies the ClickHouse migrations (all idempotent; `applied` gets those new to `ledger`), with
// the event_log time column typed for this server (DateTime64(6, 'UTC') from 20.1 on,
// DateTime('UTC') before). Statements name `database`.`table` and the first creates the
// database, so `client` should be connected to a database that exists (e.g. default).
Status ApplyClickHouseMigrations(ClickHouseClient& client, const std::string& database,
                                 const std::string& table, MigrationLedger& ledger,
                                 std::vector<std::string>& applied);

}  // namespace eventlog
