#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app.h"
#include "core/secrets.h"
#include "outbox/outbox_admin.h"

namespace eventlog::app {
namespace {

// The status of one outbox; `label` heads it when the relay serves several (EVENTLOG_SOURCES).
int PrintStatus(const std::string& url, const std::string& label, bool json,
                int dead_letter_limit) {
  auto stats = ReadOutboxStats(url);
  if (!stats.ok()) {
    std::cerr << "eventlog status: " << ScrubSecrets(stats.status().ToString()) << "\n";
    return kExitFailure;
  }
  auto dead = ListDeadLetters(url, dead_letter_limit);
  if (!dead.ok()) {
    std::cerr << "eventlog status: " << ScrubSecrets(dead.status().ToString()) << "\n";
    return kExitFailure;
  }
  const OutboxStats& s = stats.value();
  if (json) {
    nlohmann::json out = {{"pending", s.pending},
                          {"outbox_rows", s.outbox_rows},
                          {"in_flight_batches", s.in_flight_batches},
                          {"retrying_batches", s.retrying_batches},
                          {"oldest_pending_age_s", s.oldest_pending_age_s},
                          {"delivered", s.delivered},
                          {"dead_letters", s.dead_letters},
                          {"last_error", ScrubSecrets(s.last_error)},
                          {"delivery_lag_ms",
                           {{"window_minutes", OutboxStats::kLagWindowMinutes},
                            {"batches", s.lag_batches},
                            {"events", s.lag_events},
                            {"p50", s.lag_p50_ms},
                            {"p90", s.lag_p90_ms},
                            {"p99", s.lag_p99_ms},
                            {"max", s.lag_max_ms}}},
                          {"dead_letters_by_type", nlohmann::json::object()},
                          {"dead_letter_sample", nlohmann::json::array()}};
    for (const auto& [type, n] : s.dead_letters_by_type) out["dead_letters_by_type"][type] = n;
    for (const auto& d : dead.value()) out["dead_letter_sample"].push_back(DeadLetterJson(d));
    if (!s.oldest_open_writer.empty()) {
      out["oldest_open_writer"] = {{"who", s.oldest_open_writer},
                                   {"open_s", s.oldest_open_writer_age_s}};
    }
    if (!label.empty()) out["source"] = label;
    // Several sources: JSON lines, one object per source.
    std::cout << (label.empty() ? out.dump(2) : out.dump()) << "\n";
    return kExitOk;
  }
  if (!label.empty()) std::cout << "source:                " << label << "\n";
  std::cout << "pending events:        " << s.pending << " (" << s.outbox_rows << " in the outbox, "
            << s.in_flight_batches << " batches in flight, " << s.retrying_batches << " retrying)\n"
            << "oldest pending age:    " << std::fixed << std::setprecision(1)
            << s.oldest_pending_age_s << " s\n"
            << "delivered (processed): " << s.delivered << "\n"
            << "dead letters (failed): " << s.dead_letters << "\n";
  if (!s.oldest_open_writer.empty()) {
    std::cout << "oldest open writer:    " << s.oldest_open_writer;
    if (s.oldest_open_writer_age_s >= 0)
      std::cout << ", open " << s.oldest_open_writer_age_s << " s";
    std::cout << " (its events wait for it; its outbox partition cannot be truncated)\n";
  }
  if (s.lag_batches > 0) {
    std::cout << "delivery lag, last " << OutboxStats::kLagWindowMinutes << " min: p50 "
              << std::setprecision(0) << s.lag_p50_ms << " ms, p90 " << s.lag_p90_ms << " ms, p99 "
              << s.lag_p99_ms << " ms, max " << s.lag_max_ms << " ms (" << s.lag_events
              << " events in " << s.lag_batches << " batches; each batch's oldest event)\n";
  } else {
    std::cout << "delivery lag, last " << OutboxStats::kLagWindowMinutes
              << " min: no batch delivered\n";
  }
  for (const auto& [type, n] : s.dead_letters_by_type) {
    std::cout << "  dead letters of " << type << ": " << n << "\n";
  }
  if (!s.last_error.empty())
    std::cout << "last error:            " << ScrubSecrets(s.last_error) << "\n";
  for (const auto& d : dead.value()) {
    std::cout << "  dead letter " << d.id << "  " << d.event_type << "  " << d.event_id << "  "
              << ScrubSecrets(d.error).substr(0, 160) << "\n";
  }
  return kExitOk;
}

// Every outbox's status: with EVENTLOG_SOURCES one after the other, each headed by its source
// (JSON: one object per source, one per line).
int PrintStatuses(const Config& config, bool json, int dead_letter_limit) {
  int worst = kExitOk;
  for (const Source& source : RelaySources(config)) {
    const std::string label = config.sources.empty() ? std::string() : source.label;
    int rc = PrintStatus(source.url, label, json, dead_letter_limit);
    if (rc != kExitOk) worst = rc;
  }
  return worst;
}

}  // namespace

void AddStatusCommand(CLI::App& app, const Globals& globals, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "status", "Outbox depth, age of the oldest pending event, delivered and dead-letter counts");
  static bool json = false;
  static int limit = 20;
  cmd->add_flag("--json", json, "print JSON for machines");
  cmd->add_option("--dead-letters", limit, "how many dead letters to list")->capture_default_str();
  cmd->callback([&globals, &exit_code] {
    Config config;
    exit_code =
        LoadConfigAndLogging(globals, config) ? PrintStatuses(config, json, limit) : kExitUsage;
  });
}

}  // namespace eventlog::app
