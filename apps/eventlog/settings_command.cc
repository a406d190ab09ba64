#include <iostream>

#include "app.h"
#include "core/settings.h"

namespace eventlog::app {

void AddSettingsCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "settings", "Print every setting (environment variable) as the README's markdown table");
  cmd->callback([&exit_code] {
    std::cout << SettingsMarkdown();
    exit_code = kExitOk;
  });
}

}  // namespace eventlog::app
