#include "clickhouse/clickhouse_schema.h"

#include <cstdio>

#include "clickhouse/clickhouse_sink.h"
#include "clickhouse/shard_key.h"
#include "core/tsv.h"

namespace eventlog {
namespace {

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
}

// ClickHouse's HTTP interface runs one statement per request.
std::vector<std::string> SplitStatements(const std::string& sql) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < sql.size()) {
    size_t end = sql.find(";\n", start);
    if (end == std::string::npos) end = sql.size();
    std::string stmt = sql.substr(start, end - start);
    if (stmt.find_first_not_of(" \n\t;") != std::string::npos) out.push_back(stmt);
    start = end + 2;
  }
  return out;
}

// Zone names that mean UTC (no offset, no daylight saving time) in the tz database.
bool IsUtcZone(std::string_view zone) {
  for (std::string_view utc : {"UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal",
                               "Zulu", "Etc/Zulu", "GMT", "Etc/GMT", "GMT0", "Etc/GMT0"}) {
    if (zone == utc) return true;
  }
  return false;
}

// The zone quoted in a type name ("DateTime64(6, 'UTC')" -> UTC); empty when none.
std::string_view QuotedZone(std::string_view type) {
  auto open = type.find('\'');
  if (open == std::string_view::npos) return {};
  auto close = type.find('\'', open + 1);
  if (close == std::string_view::npos) return {};
  return type.substr(open + 1, close - open - 1);
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

Status CheckUtcTimeColumn(const std::string& type, const std::string& column) {
  auto parsed = ParseTimeColumnType(type);
  if (!parsed.ok()) return {parsed.status().code(), column + ": " + parsed.status().message()};
  if (IsUtcZone(QuotedZone(type))) return Status::Ok();
  const std::string utc_type = parsed->is_datetime64
                                   ? "DateTime64(" + std::to_string(parsed->precision) + ", 'UTC')"
                                   : "DateTime('UTC')";
  return {StatusCode::kFailedPrecondition,
          column + " has type " + type +
              ", without the UTC time zone: ClickHouse would read the relay's UTC times in " +
              (QuotedZone(type).empty() ? "the server's" : "that") +
              " zone, store them shifted and miss them in recovery checks (duplicates). Fix: "
              "ALTER TABLE " +
              column.substr(0, column.rfind('.')) + " MODIFY COLUMN event_date_time " + utc_type +
              " where the server allows it for a key column, else let `eventlog migrate` create "
              "the table anew (another CLICKHOUSE_EVENT_LOG_TABLE) and copy the rows over"};
}

Result<TimeColumn> ReadTimeColumn(ClickHouseClient& client, const std::string& database,
                                  const std::string& table) {
  const std::string column = database + "." + table + ".event_date_time";
  auto r = client.Execute(
      "SELECT type FROM system.columns WHERE database = " + QuoteClickHouse(database) +
      " AND table = " + QuoteClickHouse(table) + " AND name = 'event_date_time' FORMAT TSV");
  if (!r.ok()) return r.status();
  std::string type = Trimmed(r.value());
  if (type.empty()) {
    return Status(StatusCode::kFailedPrecondition,
                  "table " + database + "." + table +
                      " with column event_date_time not found (run `eventlog migrate`)");
  }
  if (Status s = CheckUtcTimeColumn(TsvUnescape(type), column); !s.ok()) return s;
  return ParseTimeColumnType(TsvUnescape(type));
}

namespace {

// Columns event_log gained after its first version (CREATE TABLE IF NOT EXISTS leaves an existing
// table as it was, and 18.16 has no ADD COLUMN IF NOT EXISTS): added where missing.
struct AddedColumn {
  const char* name;
  const char* type;
};
constexpr AddedColumn kAddedColumns[] = {{"trace_id", "String DEFAULT ''"},
                                         {"span_id", "String DEFAULT ''"}};

Status AddMissingColumns(ClickHouseClient& client, const std::string& database,
                         const std::string& table) {
  for (const AddedColumn& c : kAddedColumns) {
    auto r = client.Execute(
        "SELECT count() FROM system.columns WHERE database = " + QuoteClickHouse(database) +
        " AND table = " + QuoteClickHouse(table) + " AND name = '" + c.name + "' FORMAT TSV");
    if (!r.ok()) return r.status();
    if (Trimmed(r.value()) != "0") continue;
    auto added = client.Execute("ALTER TABLE " + database + "." + table + " ADD COLUMN " + c.name +
                                " " + c.type);
    if (!added.ok()) return added.status();
  }
  return Status::Ok();
}

}  // namespace

Result<ServerVersion> ParseServerVersion(const std::string& text) {
  ServerVersion v;
  if (std::sscanf(text.c_str(), "%d.%d", &v.major, &v.minor) != 2) {
    return Status(StatusCode::kInternal, "cannot read ClickHouse version \"" + text + "\"");
  }
  return v;
}

Result<ServerVersion> ReadServerVersion(ClickHouseClient& client) {
  auto r = client.Execute("SELECT version() FORMAT TSV");
  if (!r.ok()) return r.status();
  return ParseServerVersion(r.value());
}

namespace {

// The engine of `database`.`table` ("" when there is no such table).
Result<std::string> TableEngine(ClickHouseClient& client, const std::string& database,
                                const std::string& table) {
  auto r = client.Execute(
      "SELECT engine FROM system.tables WHERE database = " + QuoteClickHouse(database) +
      " AND name = " + QuoteClickHouse(table) + " FORMAT TSV");
  if (!r.ok()) return r.status();
  return Trimmed(r.value());
}

// A table made before CLICKHOUSE_CLUSTER was set stays as it was (IF NOT EXISTS): say so.
Status CheckClusterTables(ClickHouseClient& client, const std::string& database,
                          const std::string& table) {
  auto engine = TableEngine(client, database, table);
  if (!engine.ok()) return engine.status();
  if (engine.value() != "Distributed") {
    return {StatusCode::kFailedPrecondition,
            database + "." + table + " is a " + engine.value() +
                " table, not Distributed: it was created without CLICKHOUSE_CLUSTER. Rename it "
                "(RENAME TABLE), run `eventlog migrate` again and copy its rows into the new "
                "table"};
  }
  auto local = TableEngine(client, database, table + "_local");
  if (!local.ok()) return local.status();
  if (local->rfind("Replicated", 0) != 0) {
    return {StatusCode::kFailedPrecondition, database + "." + table + "_local is " +
                                                 (local->empty() ? "missing" : local.value()) +
                                                 ", not a Replicated*MergeTree table"};
  }
  return Status::Ok();
}

}  // namespace

Status ApplyClickHouseMigrations(ClickHouseClient& client, const std::string& database,
                                 const std::string& table, const std::string& cluster,
                                 MigrationLedger& ledger, std::vector<std::string>& applied) {
  auto version = ReadServerVersion(client);
  if (!version.ok()) return version.status();
  const std::string target = cluster.empty() ? "clickhouse" : "clickhouse_cluster";
  auto done = ledger.Applied(target);
  if (!done.ok()) return done.status();
  const std::string time_type =
      version->HasDateTime64() ? "DateTime64(6, 'UTC')" : "DateTime('UTC')";
  // Every ClickHouse migration is idempotent (IF NOT EXISTS) and runs each time: the ledger
  // lives in PostgreSQL and cannot see a ClickHouse server that was replaced or wiped.
  for (const Migration& m :
       cluster.empty() ? ClickHouseMigrations() : ClickHouseClusterMigrations()) {
    std::string sql = m.sql;
    ReplaceAll(sql, "{database}", database);
    ReplaceAll(sql, "{table}", table);
    ReplaceAll(sql, "{time_type}", time_type);
    ReplaceAll(sql, "{cluster}", cluster);
    ReplaceAll(sql, "{shard_key}", kShardKeySql);
    for (const std::string& stmt : SplitStatements(sql)) {
      auto r = client.Execute(stmt);
      if (!r.ok()) return {r.status().code(), "migration " + m.name + ": " + r.status().message()};
    }
    if (done->count(m.version)) continue;
    if (Status s = ledger.Record(target, m); !s.ok()) return s;
    applied.push_back(m.name);
  }
  if (!cluster.empty()) {
    if (Status s = CheckClusterTables(client, database, table); !s.ok()) return s;
    auto column = ReadTimeColumn(client, database, table + "_local");
    return column.ok() ? Status::Ok() : column.status();
  }
  if (Status s = AddMissingColumns(client, database, table); !s.ok()) {
    return {s.code(), "adding trace columns to " + database + "." + table + ": " + s.message()};
  }
  // CREATE TABLE IF NOT EXISTS keeps a table made by hand: check what the relay will meet.
  auto column = ReadTimeColumn(client, database, table);
  return column.ok() ? Status::Ok() : column.status();
}

}  // namespace eventlog
