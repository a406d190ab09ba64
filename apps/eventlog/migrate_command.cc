#include <iostream>

#include "app.h"
#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/sink_choice.h"
#include "core/migration.h"
#include "observe/logger.h"
#include "outbox/pg_migrator.h"

namespace eventlog::app {
namespace {

// One outbox database: its PostgreSQL schema, then ClickHouse's (idempotent, recorded in this
// database's ledger).
Status MigrateSource(const Config& config, const std::string& url,
                     std::vector<std::string>& applied) {
  PgMigrator migrator(url);
  Status s = migrator.Lock();
  if (s.ok()) s = migrator.ApplyPostgres(PostgresMigrations(), applied);
  if (!s.ok()) return s;
  auto node = MigrationNode(config);
  if (!node.ok()) return node.status();
  ClickHouseClient client(node.value());
  return ApplyClickHouseMigrations(client, config.clickhouse_schema,
                                   config.clickhouse_event_log_table, config.clickhouse_cluster,
                                   migrator, applied);
}

int Migrate(const Config& config) {
  for (const Source& source : RelaySources(config)) {
    std::vector<std::string> applied;
    if (Status s = MigrateSource(config, source.url, applied); !s.ok()) {
      log::Error("eventlog.migrate", "migration failed",
                 {{"database", source.label}, {"error", s.ToString()}});
      return kExitFailure;
    }
    log::Info("eventlog.migrate", "schema up to date",
              {{"database", source.label}, {"applied", applied}});
  }
  return kExitOk;
}

}  // namespace

void AddMigrateCommand(CLI::App& app, const Globals& globals, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "migrate", "Create or upgrade the PostgreSQL tables and the ClickHouse event_log table");
  cmd->callback([&globals, &exit_code] {
    Config config;
    exit_code = LoadConfigAndLogging(globals, config) ? Migrate(config) : kExitUsage;
  });
}

}  // namespace eventlog::app
