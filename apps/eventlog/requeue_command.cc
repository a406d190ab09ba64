#include <iostream>

#include "app.h"
#include "core/secrets.h"
#include "outbox/outbox_admin.h"

namespace eventlog::app {

void AddRequeueCommand(CLI::App& app, const Globals& globals, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "requeue", "Move dead letters back into the outbox (after fixing what made them fail)");
  static RequeueFilter filter;
  static std::string type;
  auto* ids = cmd->add_option("--id", filter.ids, "dead-letter ids (see `eventlog status`)");
  auto* by_type = cmd->add_option("--type", type, "every dead letter of this event type");
  auto* all = cmd->add_flag("--all", filter.all, "every dead letter");
  ids->excludes(by_type)->excludes(all);
  by_type->excludes(all);
  cmd->callback([&globals, &exit_code, cmd] {
    if (!type.empty()) filter.event_type = type;
    if (filter.ids.empty() && !filter.event_type && !filter.all) {
      std::cerr << "eventlog requeue: give --id, --type or --all\n" << cmd->help();
      exit_code = kExitUsage;
      return;
    }
    Config config;
    if (!LoadConfigAndLogging(globals, config)) {
      exit_code = kExitUsage;
      return;
    }
    auto moved = RequeueDeadLetters(config.database_url, filter);
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
