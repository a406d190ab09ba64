#include "core/own_settings.h"

#include "core/clickhouse_hosts.h"
#include "core/config_values.h"
#include "core/control_characters.h"
#include "core/setting_kinds.h"
#include "core/stored_text.h"

namespace eventlog::settings {
namespace {

using config_values::Invalid;
using config_values::ParsePort;

// A setting that reads itself: `read` and `show` written for it alone.
Setting Own(std::string name, std::string values, SettingDoc doc,
            std::function<Status(const EnvMap&, Config&)> read,
            std::function<std::string(const Config&)> show) {
  return {.name = std::move(name),
          .read = std::move(read),
          .show = std::move(show),
          .values = std::move(values),
          .doc = doc};
}

}  // namespace

Setting Sources() {
  return Own(
      "EVENTLOG_SOURCES", "",
      {.summary = "outbox databases of one relay: postgresql:// URLs separated by blanks",
       .meaning = "several outbox databases for one relay: `postgresql://` URLs separated by "
                  "blanks or newlines (commas belong to libpq's multi-host URLs). `relay`, "
                  "`migrate` and `status` then serve every one of them instead of "
                  "`DATABASE_URL`; see [Several outboxes](#several-outboxes-eventlog_sources)",
       .default_note = "(`DATABASE_URL` alone)"},
      [](const EnvMap& env, Config& c) { return ReadUrlList(env, "EVENTLOG_SOURCES", c.sources); },
      [](const Config& c) { return Joined(c.sources, " "); });
}

Setting ClickHouseHost() {
  return Own(
      "CLICKHOUSE_HOST", "",
      {.summary = "ClickHouse host name or IP address, without a port",
       .meaning = "host name, IPv4 address, or IPv6 address (`[::1]` or `::1`); `host:port` is "
                  "refused (exit 2) — the port goes in `CLICKHOUSE_PORT`. Control characters "
                  "are refused here and in `CLICKHOUSE_USER`/`CLICKHOUSE_PASSWORD`"},
      [](const EnvMap& env, Config& c) {
        Status s = ReadText(env, "CLICKHOUSE_HOST", Text::kHeader, c.clickhouse_host);
        return s.ok() ? CheckClickHouseHost(c.clickhouse_host) : s;
      },
      [](const Config& c) { return c.clickhouse_host; });
}

Setting ClickHousePort() {
  return Own(
      "CLICKHOUSE_PORT", "1..65535",
      {.summary = "ClickHouse HTTP port (8443 by default with https)",
       .meaning = "ClickHouse HTTP port — read from `CLICKHOUSE_PORT` only (the seed read it "
                  "from `CLICKHOUSE_HOST`)",
       .default_note = "(`8443` with https)"},
      [](const EnvMap& env, Config& c) {
        if (c.clickhouse_protocol == "https") c.clickhouse_port = 8443;
        auto it = env.find("CLICKHOUSE_PORT");
        if (it != env.end() && !ParsePort(it->second, c.clickhouse_port)) {
          return Invalid("CLICKHOUSE_PORT", it->second, "is not a port number (1..65535)");
        }
        return Status::Ok();
      },
      [](const Config& c) { return std::to_string(c.clickhouse_port); });
}

Setting ClickHouseHosts() {
  return Own(
      "CLICKHOUSE_HOSTS", "",
      {.summary = "several ClickHouse nodes, host:port,host:port,... (replaces HOST and PORT)",
       .meaning =
           "several nodes, `host:port,host:port,…` (a node without `:port` gets 8123, or 8443 "
           "with https; IPv6 in brackets, `[::1]:8123`); an entry with credentials "
           "(`user:pw@host`) is refused without echoing them: use "
           "`CLICKHOUSE_USER`/`CLICKHOUSE_PASSWORD`. When set it replaces "
           "`CLICKHOUSE_HOST`/`CLICKHOUSE_PORT`. Without `CLICKHOUSE_CLUSTER` the nodes must be "
           "replicas of one `Replicated*MergeTree` table (the relay refuses anything else); see "
           "[A ClickHouse cluster](#a-clickhouse-cluster)",
       .default_note = "(the one node `CLICKHOUSE_HOST:CLICKHOUSE_PORT`)"},
      [](const EnvMap& env, Config& c) {
        const int default_port = c.clickhouse_protocol == "https" ? 8443 : 8123;
        c.clickhouse_hosts.clear();
        Status s = ReadClickHouseHosts(env, default_port, c.clickhouse_hosts);
        if (!s.ok()) return s;
        if (c.clickhouse_hosts.empty()) {
          c.clickhouse_hosts.push_back({c.clickhouse_host, c.clickhouse_port});
        } else {
          c.clickhouse_host = c.clickhouse_hosts.front().host;
          c.clickhouse_port = c.clickhouse_hosts.front().port;
        }
        return Status::Ok();
      },
      [](const Config& c) {
        std::vector<std::string> nodes;
        for (const ClickHouseEndpoint& node : c.clickhouse_hosts) nodes.push_back(node.ToString());
        return Joined(nodes, ",");
      });
}

Setting ClickHouseCluster() {
  return Own(
      "CLICKHOUSE_CLUSTER", "a plain name",
      {.summary = "a cluster of the servers' remote_servers: event_log is then Distributed",
       .meaning = "a cluster name from the servers' `remote_servers`: `migrate` creates "
                  "`event_log_local` (ReplicatedMergeTree) and `event_log` (Distributed) `ON "
                  "CLUSTER`, and the relay writes each shard's rows to a replica of that shard",
       .default_note = "(no cluster)"},
      [](const EnvMap& env, Config& c) {
        auto it = env.find("CLICKHOUSE_CLUSTER");
        if (it == env.end() || it->second.empty()) return Status::Ok();  // empty: no cluster
        return ReadText(env, "CLICKHOUSE_CLUSTER", Text::kIdentifier, c.clickhouse_cluster);
      },
      [](const Config& c) { return c.clickhouse_cluster; });
}

Setting EnvironmentName() {
  return Own(
      "ENVIRONMENT", "",
      {.summary = "stored in every event's environment column",
       .meaning = "stored in every event's `environment`"},
      [](const EnvMap& env, Config& c) {
        // Stored in every event: text that PostgreSQL and ClickHouse both take as it is.
        Status s = ReadText(env, "ENVIRONMENT", Text::kNonEmpty, c.environment);
        if (s.ok() && (!IsValidUtf8(c.environment) || HasAsciiControl(c.environment))) {
          return Invalid("ENVIRONMENT", StoredText(c.environment, 64),
                         "must be UTF-8 text without control characters");
        }
        return s;
      },
      [](const Config& c) { return c.environment; });
}

Setting LogLevel() {
  static const std::vector<std::string> kLevels = {"trace",   "debug", "info",     "warn",
                                                   "warning", "error", "critical", "off"};
  return Own(
      "LOG_LEVEL", Joined(kLevels, "|"),
      {.summary = "the least severe level logged",
       .meaning = "the least severe level logged; `warning` is `warn`"},
      [](const EnvMap& env, Config& c) {
        Status s = ReadChoice(env, "LOG_LEVEL", kLevels, c.log_level);
        if (c.log_level == "warning") c.log_level = "warn";
        return s;
      },
      [](const Config& c) { return c.log_level; });
}

Setting LogFormatSetting() {
  return Own(
      "LOG_FORMAT", "json|console",
      {.summary = "json (one object a line) or console",
       .meaning = "`json` (one object a line) or `console`"},
      [](const EnvMap& env, Config& c) {
        std::string format = c.log_format == LogFormat::kJson ? "json" : "console";
        Status s = ReadChoice(env, "LOG_FORMAT", {"json", "console"}, format);
        c.log_format = format == "json" ? LogFormat::kJson : LogFormat::kConsole;
        return s;
      },
      [](const Config& c) {
        return std::string(c.log_format == LogFormat::kJson ? "json" : "console");
      });
}

}  // namespace eventlog::settings
