// `eventlog dead-letters list | show | purge`: what failed for good, read and cleared by an
// operator. Wiring only: the queries are in src/outbox/outbox_admin.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "app.h"
#include "core/secrets.h"
#include "core/stored_text.h"
#include "outbox/outbox_admin.h"

namespace eventlog::app {

nlohmann::json DeadLetterJson(const DeadLetterInfo& dead) {
  return {{"id", dead.id},
          {"event_id", dead.event_id},
          {"event_type", dead.event_type},
          {"error", ScrubSecrets(dead.error)},
          {"attempts", dead.attempts},
          {"failed_at", dead.failed_at}};
}

namespace {

constexpr size_t kListErrorBytes = 120;

// Prints `status` under the subcommand's name: the exit code of a runtime failure.
int Failed(const char* command, const Status& status) {
  std::cerr << "eventlog dead-letters " << command << ": " << ScrubSecrets(status.ToString())
            << "\n";
  return kExitFailure;
}

// A column of a list line: "-" for one an unreadable ledger line does not have.
std::string Column(const std::string& text) { return text.empty() ? "-" : text; }

// The error as the last column of a list line: secrets masked, cut short, on one line.
std::string ErrorColumn(const std::string& error) {
  std::string text = StoredText(error, kListErrorBytes);
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return text;
}

int List(const Config& config, int limit, const std::optional<std::string>& event_type, bool json) {
  auto dead = ListDeadLetters(config.database_url, limit, event_type);
  if (!dead.ok()) return Failed("list", dead.status());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : dead.value()) out.push_back(DeadLetterJson(d));
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  if (dead->empty()) std::cout << "no dead letters\n";
  for (const auto& d : dead.value()) {
    std::cout << d.id << "  " << d.failed_at << "  " << Column(d.event_type) << "  "
              << Column(d.event_id) << "  " << d.attempts << "  " << ErrorColumn(d.error) << "\n";
  }
  return kExitOk;
}

int Show(const Config& config, int64_t id) {
  auto found = ReadDeadLetter(config.database_url, id);
  if (!found.ok()) return Failed("show", found.status());
  if (!found.value()) {
    std::cerr << "eventlog dead-letters show: no dead letter with id " << id << "\n";
    return kExitFailure;
  }
  const DeadLetterDetail& d = **found;
  std::vector<std::pair<std::string, std::string>> columns = {
      {"id", std::to_string(d.info.id)},
      {"event_id", d.info.event_id},
      {"event_type", d.info.event_type},
      {"event_date_time", d.event_date_time},
      {"environment", d.environment},
      {"metadata_version", d.metadata_version ? std::to_string(*d.metadata_version) : ""},
      {"attempts", std::to_string(d.info.attempts)},
      {"failed_at", d.info.failed_at},
      {"error", d.info.error},
      {"event_context", d.event_context}};
  if (d.raw_row) columns.emplace_back("raw_row", *d.raw_row);
  for (const auto& [name, value] : columns) {
    std::cout << std::left << std::setw(18) << name + ":" << ScrubSecrets(value) << "\n";
  }
  return kExitOk;
}

int Purge(const Config& config, const RequeueFilter& filter, std::optional<int> older_than_days) {
  auto purged = PurgeDeadLetters(config.database_url, filter, older_than_days);
  if (!purged.ok()) return Failed("purge", purged.status());
  std::cout << "purged " << purged.value() << " dead letters\n";
  return kExitOk;
}

void AddList(CLI::App* parent, const Globals& globals, int& exit_code) {
  auto* cmd = parent->add_subcommand("list", "Dead letters, newest first");
  static std::string type;
  static int limit = 50;
  static bool json = false;
  cmd->add_option("--type", type, "only dead letters of this event type");
  cmd->add_option("--limit", limit, "how many to list")
      ->check(CLI::Range(1, std::numeric_limits<int>::max()))
      ->capture_default_str();
  cmd->add_flag("--json", json, "print a JSON array for machines");
  cmd->callback([&globals, &exit_code] {
    auto event_type = type.empty() ? std::nullopt : std::optional(type);
    Config config;
    exit_code =
        LoadConfigAndLogging(globals, config) ? List(config, limit, event_type, json) : kExitUsage;
  });
}

void AddShow(CLI::App* parent, const Globals& globals, int& exit_code) {
  auto* cmd = parent->add_subcommand("show", "Every column of one dead letter");
  static int64_t id = 0;
  cmd->add_option("id", id, "dead-letter id (see `eventlog dead-letters list`)")->required();
  cmd->callback([&globals, &exit_code] {
    Config config;
    exit_code = LoadConfigAndLogging(globals, config) ? Show(config, id) : kExitUsage;
  });
}

void AddPurge(CLI::App* parent, const Globals& globals, int& exit_code) {
  auto* cmd = parent->add_subcommand("purge", "Delete dead letters for good");
  static DeadLetterSelector selector;
  static int days = 0;
  AddDeadLetterSelector(cmd, selector);
  auto* older = cmd->add_option("--older-than-days", days,
                                "only those that failed more than this many days ago")
                    ->check(CLI::Range(0, std::numeric_limits<int>::max()));
  cmd->callback([&globals, &exit_code, cmd, older] {
    auto filter = SelectedDeadLetters("eventlog dead-letters purge", cmd, selector);
    Config config;
    if (!filter || !LoadConfigAndLogging(globals, config)) {
      exit_code = kExitUsage;
      return;
    }
    exit_code = Purge(config, *filter, older->count() > 0 ? std::optional(days) : std::nullopt);
  });
}

}  // namespace

void AddDeadLettersCommand(CLI::App& app, const Globals& globals, int& exit_code) {
  auto* cmd = app.add_subcommand("dead-letters",
                                 "List, show or purge dead letters (events the relay gave up on)");
  cmd->require_subcommand(1);
  AddList(cmd, globals, exit_code);
  AddShow(cmd, globals, exit_code);
  AddPurge(cmd, globals, exit_code);
}

}  // namespace eventlog::app
