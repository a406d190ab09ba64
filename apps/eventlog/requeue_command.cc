#include <iostream>

#include "app.h"
#include "core/secrets.h"
#include "outbox/outbox_admin.h"

namespace eventlog::app {

void AddRequeueCommand(CLI::App& app, const Globals& globals, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "requeue", "Move dead letters back into the outbox (after fixing what made them fail)");
  static DeadLetterSelector selector;
  AddDeadLetterSelector(cmd, selector);
  cmd->callback([&globals, &exit_code, cmd] {
    std::optional<RequeueFilter> filter = SelectedDeadLetters("eventlog requeue", cmd, selector);
    if (!filter) {
      exit_code = kExitUsage;
      return;
    }
    Config config;
    if (!LoadConfigAndLogging(globals, config)) {
      exit_code = kExitUsage;
      return;
    }
    auto moved = RequeueDeadLetters(config.database_url, *filter);
    if (!moved.ok()) {
      std::cerr << "eventlog requeue: " << ScrubSecrets(moved.status().ToString()) << "\n";
      exit_code = kExitFailure;
      return;
    }
    std::cout << "requeued " << moved->moved << " events\n";
    if (moved->kept > 0) {
      std::cout << moved->kept
                << " matching dead letters stay: unreadable rows or times no ClickHouse type "
                   "holds (see `eventlog status`)\n";
    }
    exit_code = kExitOk;
  });
}

}  // namespace eventlog::app
