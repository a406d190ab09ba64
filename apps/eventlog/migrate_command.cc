#include <iostream>

#include "app.h"
#include "clickhouse/clickhouse_schema.h"
#include "clickhouse_options.h"
#include "core/migration.h"
#include "observe/logger.h"
#include "outbox/pg_migrator.h"

namespace eventlog::app {
namespace {

int Migrate(const Config& config) {
  PgMigrator migrator(config.database_url);
  std::vector<std::string> applied;
  Status s = migrator.Lock();
  if (s.ok()) s = migrator.ApplyPostgres(PostgresMigrations(), applied);
  if (s.ok()) {
    // Connect to `default`: CLICKHOUSE_SCHEMA may not exist yet; the migration creates it.
    ClickHouseOptions options = ToClickHouseOptions(config);
    options.database = "default";
    ClickHouseClient client(options);
    s = ApplyClickHouseMigrations(client, config.clickhouse_schema,
                                  config.clickhouse_event_log_table, migrator, applied);
  }
  if (!s.ok()) {
    log::Error("eventlog.migrate", "migration failed", {{"error", s.ToString()}});
    return kExitFailure;
  }
  log::Info("eventlog.migrate", "schema up to date", {{"applied", applied}});
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
