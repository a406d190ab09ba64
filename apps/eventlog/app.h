#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "eventlog/config.h"

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
bool LoadConfigAndLogging(const Globals& globals, Config& config);

// Each subcommand registers itself; its callback stores the exit code in `exit_code`.
void AddMigrateCommand(CLI::App& app, const Globals& globals, int& exit_code);
void AddServeCommand(CLI::App& app, const Globals& globals, int& exit_code);
void AddRelayCommand(CLI::App& app, const Globals& globals, int& exit_code);
void AddStatusCommand(CLI::App& app, const Globals& globals, int& exit_code);
void AddRequeueCommand(CLI::App& app, const Globals& globals, int& exit_code);

}  // namespace eventlog::app
