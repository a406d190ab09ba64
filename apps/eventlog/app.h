#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/outbox_store.h"

namespace eventlog {
struct DeadLetterInfo;
}  // namespace eventlog

namespace eventlog::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Set by main from the global options before a subcommand runs.
struct Globals {
  std::string env_file = ".env";
  const CLI::Option* env_file_option = nullptr;  // given on the command line: must exist
};

// Loads the configuration (environment over .env) and sets up logging. On an invalid setting
// prints the error naming the variable and returns false: the caller exits kExitUsage.
// Afterwards both passwords are registered secrets (ScrubSecrets) and config.database_url is
// the bounded connection string (BoundedPgDsn) every subcommand connects with.
// Each URL of config.sources is checked and its password registered too, but kept as written.
bool LoadConfigAndLogging(const Globals& globals, Config& config);

// `url` with every PostgreSQL wait bounded (BoundedPgDsn with the config's limits).
Result<std::string> Bounded(const Config& config, const std::string& url);

// An outbox the relay serves and `migrate` migrates: EVENTLOG_SOURCES, else DATABASE_URL.
struct Source {
  std::string label;  // its URL without the password, for logs
  std::string url;    // bounded (see Bounded)
  std::string name;   // host:port/dbname (PgSourceName): the metrics' `source` label
};
std::vector<Source> RelaySources(const Config& config);

// Each subcommand registers itself; its callback stores the exit code in `exit_code`.
void AddMigrateCommand(CLI::App& app, const Globals& globals, int& exit_code);
void AddServeCommand(CLI::App& app, const Globals& globals, int& exit_code);
void AddRelayCommand(CLI::App& app, const Globals& globals, int& exit_code);
void AddStatusCommand(CLI::App& app, const Globals& globals, int& exit_code);
void AddRequeueCommand(CLI::App& app, const Globals& globals, int& exit_code);
void AddDeadLettersCommand(CLI::App& app, const Globals& globals, int& exit_code);
void AddSettingsCommand(CLI::App& app, int& exit_code);

// The dead letters a command acts on: --id N..., --type T or --all, which exclude each other.
struct DeadLetterSelector {
  RequeueFilter filter;  // --id, --all
  std::string type;      // --type ("" when not given)
};
void AddDeadLetterSelector(CLI::App* cmd, DeadLetterSelector& selector);
// After parsing: the filter the options name. nullopt when they name none, after printing on
// stderr, under `name` ("eventlog requeue"), which to give and `cmd`'s help: exit kExitUsage.
std::optional<RequeueFilter> SelectedDeadLetters(const std::string& name, const CLI::App* cmd,
                                                 const DeadLetterSelector& selector);

// A dead letter in brief as `status --json` and `dead-letters list --json` print it.
nlohmann::json DeadLetterJson(const DeadLetterInfo& dead);

}  // namespace eventlog::app
