#include "clickhouse/pinned_settings.h"

#include <utility>
#include <vector>

namespace eventlog {
namespace {

using Setting = std::pair<const char*, const char*>;

// Known to every server we support (18.16 on).
constexpr Setting kAlways[] = {
    {"input_format_allow_errors_num", "0"},
    {"input_format_allow_errors_ratio", "0"},
    {"replace_running_query", "0"},
};

// Sent only where system.settings lists them: an unknown setting fails the query (code 115).
constexpr Setting kWhereKnown[] = {
    {"async_insert", "0"},
    {"wait_for_async_insert", "1"},
    {"max_insert_block_size", "1048576"},
    {"input_format_parallel_parsing", "0"},
    {"date_time_input_format", "basic"},
    {"read_overflow_mode", "throw"},
    {"result_overflow_mode", "throw"},
    {"set_overflow_mode", "throw"},
    {"timeout_overflow_mode", "throw"},
    {"skip_unavailable_shards", "0"},
    {"send_progress_in_http_headers", "0"},  // keeps X-ClickHouse-Summary one final header
    {"insert_deduplicate", "1"},             // a re-sent block on a replicated table: a no-op
};

// insert_distributed_sync was renamed distributed_foreground_insert (23.11; the old name
// stays as an alias): send one of them, the new name where it exists.
constexpr const char* kForegroundNew = "distributed_foreground_insert";
constexpr const char* kForegroundOld = "insert_distributed_sync";

}  // namespace

std::string KnownSettingsQuery() {
  std::string names;
  for (const auto& [name, value] : kWhereKnown) names += std::string(",'") + name + "'";
  names += std::string(",'") + kForegroundNew + "','" + kForegroundOld + "'";
  return "SELECT name FROM system.settings WHERE name IN (" + names.substr(1) + ") FORMAT TSV";
}

std::map<std::string, std::string> PinnedSettings(const std::set<std::string>& known) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : kAlways) out[name] = value;
  for (const auto& [name, value] : kWhereKnown) {
    if (known.count(name)) out[name] = value;
  }
  if (known.count(kForegroundNew)) {
    out[kForegroundNew] = "1";
  } else if (known.count(kForegroundOld)) {
    out[kForegroundOld] = "1";
  }
  return out;
}

}  // namespace eventlog
