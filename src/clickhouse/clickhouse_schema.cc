#include "clickhouse/clickhouse_schema.h"

#include <cstdio>

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

Status ApplyClickHouseMigrations(ClickHouseClient& client, const std::string& database,
                                 const std::string& table, MigrationLedger& ledger,
                                 std::vector<std::string>& applied) {
  auto version = ReadServerVersion(client);
  if (!version.ok()) return version.status();
  auto done = ledger.Applied("clickhouse");
  if (!done.ok()) return done.status();
  const std::string time_type =
      version->HasDateTime64() ? "DateTime64(6, 'UTC')" : "DateTime('UTC')";
  // Every ClickHouse migration is idempotent (IF NOT EXISTS) and runs each time: the ledger
  // lives in PostgreSQL and cannot see a ClickHouse server that was replaced or wiped.
  for (const Migration& m : ClickHouseMigrations()) {
    std::string sql = m.sql;
    ReplaceAll(sql, "{database}", database);
    ReplaceAll(sql, "{table}", table);
    ReplaceAll(sql, "{time_type}", time_type);
    for (const std::string& stmt : SplitStatements(sql)) {
      auto r = client.Execute(stmt);
      if (!r.ok()) return {r.status().code(), "migration " + m.name + ": " + r.status().message()};
    }
    if (done->count(m.version)) continue;
    if (Status s = ledger.Record("clickhouse", m); !s.ok()) return s;
    applied.push_back(m.name);
  }
  return Status::Ok();
}

}  // namespace eventlog
