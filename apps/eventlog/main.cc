// eventlog: one binary, one subcommand per role. Wiring only; the logic lives in src/.
#include <iostream>

#include "app.h"
#include "core/secrets.h"
#include "observe/logger.h"
#include "outbox/pg_dsn.h"

namespace eventlog::app {

bool LoadConfigAndLogging(const Globals& globals, Config& config) {
  std::vector<std::string> warnings;
  const bool required = globals.env_file_option != nullptr && globals.env_file_option->count() > 0;
  auto env = ReadEnvironment(globals.env_file, required, &warnings);
  if (!env.ok()) {
    std::cerr << "eventlog: " << env.status().message() << "\n";
    return false;
  }
  for (const std::string& w : warnings) std::cerr << "eventlog: warning: " << w << "\n";
  auto loaded = LoadConfig(env.value());
  if (!loaded.ok()) {
    std::cerr << "eventlog: invalid configuration: " << loaded.status().message() << "\n";
    return false;
  }
  config = std::move(loaded.value());
  // The one place every subcommand passes: from here on, no output may carry a password, and
  // every connection to PostgreSQL is bounded.
  RegisterSecret(config.clickhouse_password);
  auto dsn =
      BoundedPgDsn(config.database_url, {.connect_timeout_ms = config.db_connect_timeout_ms,
                                         .statement_timeout_ms = config.db_statement_timeout_ms});
  if (!dsn.ok()) {
    std::cerr << "eventlog: invalid configuration: " << dsn.status().message() << "\n";
    return false;
  }
  RegisterPgDsnSecrets(config.database_url);
  config.database_url = std::move(dsn.value());
  log::Init(config.log_format, config.log_level);
  return true;
}

void AddDeadLetterSelector(CLI::App* cmd, DeadLetterSelector& selector) {
  auto* ids = cmd->add_option("--id", selector.filter.ids,
                              "dead-letter ids (see `eventlog dead-letters list`)");
  auto* by_type = cmd->add_option("--type", selector.type, "every dead letter of this event type");
  auto* all = cmd->add_flag("--all", selector.filter.all, "every dead letter");
  ids->excludes(by_type)->excludes(all);
  by_type->excludes(all);
}

std::optional<RequeueFilter> SelectedDeadLetters(const std::string& name, const CLI::App* cmd,
                                                 const DeadLetterSelector& selector) {
  RequeueFilter filter = selector.filter;
  if (!selector.type.empty()) filter.event_type = selector.type;
  if (filter.ids.empty() && !filter.event_type && !filter.all) {
    std::cerr << name << ": give --id, --type or --all\n" << cmd->help();
    return std::nullopt;
  }
  return filter;
}

}  // namespace eventlog::app

int main(int argc, char** argv) {
  using namespace eventlog::app;
  CLI::App app{
      "eventlog: reliable event logging from PostgreSQL to ClickHouse (transactional outbox)"};
  app.require_subcommand(1);
  Globals globals;
  globals.env_file_option =
      app.add_option("--env-file", globals.env_file,
                     "settings file read under the environment (must exist when given)")
          ->capture_default_str();
  int exit_code = kExitOk;
  AddMigrateCommand(app, globals, exit_code);
  AddServeCommand(app, globals, exit_code);
  AddRelayCommand(app, globals, exit_code);
  AddStatusCommand(app, globals, exit_code);
  AddRequeueCommand(app, globals, exit_code);
  AddDeadLettersCommand(app, globals, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
