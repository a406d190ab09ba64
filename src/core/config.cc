#include "eventlog/config.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <optional>
#include <regex>

#include "core/clickhouse_hosts.h"
#include "core/config_values.h"
#include "core/secrets.h"
#include "core/stored_text.h"

namespace eventlog {
namespace {

using config_values::HasControlChar;
using config_values::Invalid;
using config_values::IsHostName;
using config_values::ParsePort;
using config_values::SplitOn;

// Reads an integer variable within [lo, hi] into `out`; unset keeps the default.
template <typename T>
Status ReadInt(const EnvMap& env, const std::string& var, T lo, T hi, T& out) {
  auto it = env.find(var);
  if (it == env.end()) return Status::Ok();
  const std::string& s = it->second;
  T value{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
    return Invalid(var, s, "is not an integer");
  }
  if (value < lo || value > hi) {
    return Invalid(var, s, "is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  out = value;
  return Status::Ok();
}

Status ReadString(const EnvMap& env, const std::string& var, std::string& out,
                  bool allow_empty = false) {
  auto it = env.find(var);
  if (it == env.end()) return Status::Ok();
  if (it->second.empty() && !allow_empty) return Invalid(var, "", "must not be empty");
  out = it->second;
  return Status::Ok();
}

Status ReadChoice(const EnvMap& env, const std::string& var,
                  const std::vector<std::string>& choices, std::string& out) {
  auto it = env.find(var);
  if (it == env.end()) return Status::Ok();
  for (const auto& c : choices) {
    if (it->second == c) {
      out = c;
      return Status::Ok();
    }
  }
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : "|") + c;
  return Invalid(var, it->second, "is not one of " + list);
}

// ClickHouse identifiers are sent inside queries: allow only plain names.
Status ReadIdentifier(const EnvMap& env, const std::string& var, std::string& out) {
  if (Status s = ReadString(env, var, out); !s.ok()) return s;
  static const std::regex kIdent("[A-Za-z_][A-Za-z0-9_]*");
  if (!std::regex_match(out, kIdent)) {
    return Invalid(var, out, "is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
  }
  return Status::Ok();
}

// A value sent in an HTTP header or URL: a CR or LF would add headers of its own. The message
// never shows the value (it may be a password).
Status ReadHeaderValue(const EnvMap& env, const std::string& var, std::string& out,
                       bool allow_empty = false) {
  if (Status s = ReadString(env, var, out, allow_empty); !s.ok()) return s;
  if (HasControlChar(out)) {
    return {StatusCode::kInvalidArgument,
            var + " contains a control character (CR, LF, tab, ...): not allowed in a header"};
  }
  return Status::Ok();
}

// CLICKHOUSE_HOST: a name, an IPv4 address, or an IPv6 address (in brackets or bare). The port
// comes from CLICKHOUSE_PORT only.
Status CheckClickHouseHost(const std::string& host) {
  static const std::regex kHostPort("(\\[.*\\]|[^:]*):[0-9]*");
  if (IsHostName(host)) return Status::Ok();
  if (std::regex_match(host, kHostPort)) {
    return Invalid("CLICKHOUSE_HOST", host,
                   "is host:port; set the host alone in CLICKHOUSE_HOST and the port in "
                   "CLICKHOUSE_PORT (or list nodes in CLICKHOUSE_HOSTS)");
  }
  return Invalid("CLICKHOUSE_HOST", host,
                 "is not a host name, an IPv4 address or an IPv6 address in brackets ([::1])");
}

bool IsPostgresUrl(const std::string& item) {
  return item.rfind("postgresql://", 0) == 0 || item.rfind("postgres://", 0) == 0;
}

// A list for an error message: each item without its password; an item of `separators`-split
// text that is no URL may be part of a key=value string with a password: not shown at all.
std::string ShownList(const std::string& value, const std::string& separators,
                      const std::function<bool(const std::string&)>& is_url) {
  std::string out;
  for (const std::string& item : SplitOn(value, separators)) {
    if (item.empty()) continue;
    out += (out.empty() ? "" : separators.substr(0, 1)) +
           (is_url(item) ? RedactUrl(item) : std::string("(not shown)"));
  }
  return out;
}

// Each URL of a blank-separated list without its password.
// EVENTLOG_SOURCES: PostgreSQL URLs separated by blanks (a URL may hold commas: libpq's
// multi-host form). Errors show the URLs without their passwords.
Status ReadSources(const EnvMap& env, std::vector<std::string>& out) {
  auto it = env.find("EVENTLOG_SOURCES");
  if (it == env.end()) return Status::Ok();
  const std::string shown = ShownList(it->second, " \t\r\n", IsPostgresUrl);
  std::vector<std::string> sources;
  for (const std::string& url : SplitOn(it->second, " \t\r\n")) {
    if (url.empty()) continue;
    if (!IsPostgresUrl(url)) {
      return Invalid("EVENTLOG_SOURCES", shown,
                     "has item " + std::to_string(sources.size() + 1) +
                         ", which is not a postgresql:// URL (sources are separated by blanks)");
    }
    if (std::find(sources.begin(), sources.end(), url) != sources.end()) {
      return Invalid("EVENTLOG_SOURCES", shown, "names \"" + RedactUrl(url) + "\" twice");
    }
    sources.push_back(url);
  }
  out = std::move(sources);  // empty (blank): not set, DATABASE_URL serves
  return Status::Ok();
}

Status ReadClickHouse(const EnvMap& env, Config& c) {
  std::vector<std::function<Status()>> steps = {
      [&] {
        Status s = ReadHeaderValue(env, "CLICKHOUSE_HOST", c.clickhouse_host);
        return s.ok() ? CheckClickHouseHost(c.clickhouse_host) : s;
      },
      [&] {
        return ReadChoice(env, "CLICKHOUSE_PROTOCOL", {"http", "https"}, c.clickhouse_protocol);
      },
      [&] {
        return ReadChoice(env, "CLICKHOUSE_COMPRESSION", {"auto", "on", "off"},
                          c.clickhouse_compression);
      },
      [&] {
        if (c.clickhouse_protocol == "https") c.clickhouse_port = 8443;
        // The seed read the port from CLICKHOUSE_HOST; the port comes from CLICKHOUSE_PORT only.
        auto it = env.find("CLICKHOUSE_PORT");
        if (it != env.end() && !ParsePort(it->second, c.clickhouse_port)) {
          return Invalid("CLICKHOUSE_PORT", it->second, "is not a port number (1..65535)");
        }
        return Status::Ok();
      },
      [&] {
        const int default_port = c.clickhouse_protocol == "https" ? 8443 : 8123;
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
      [&] {
        auto it = env.find("CLICKHOUSE_CLUSTER");
        if (it == env.end() || it->second.empty()) return Status::Ok();  // empty: no cluster
        return ReadIdentifier(env, "CLICKHOUSE_CLUSTER", c.clickhouse_cluster);
      },
      [&] {
        return ReadInt(env, "CLICKHOUSE_HEALTH_CHECK_MS", 100, 3600000,
                       c.clickhouse_health_check_ms);
      },
      [&] { return ReadHeaderValue(env, "CLICKHOUSE_USER", c.clickhouse_user); },
      [&] { return ReadHeaderValue(env, "CLICKHOUSE_PASSWORD", c.clickhouse_password, true); },
      [&] { return ReadHeaderValue(env, "CLICKHOUSE_PROXY", c.clickhouse_proxy, true); },
      [&] { return ReadIdentifier(env, "CLICKHOUSE_SCHEMA", c.clickhouse_schema); },
      [&] {
        return ReadIdentifier(env, "CLICKHOUSE_EVENT_LOG_TABLE", c.clickhouse_event_log_table);
      },
      [&] {
        return ReadInt(env, "CLICKHOUSE_CONNECT_TIMEOUT_MS", 1, 600000,
                       c.clickhouse_connect_timeout_ms);
      },
      [&] { return ReadInt(env, "CLICKHOUSE_TIMEOUT_MS", 1, 3600000, c.clickhouse_timeout_ms); },
  };
  for (auto& step : steps) {
    if (Status s = step(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ReadRelay(const EnvMap& env, Config& c) {
  std::vector<std::function<Status()>> steps = {
      // Keep a batch inside one ClickHouse insert block (max_insert_block_size), so an
      // INSERT is all or nothing.
      [&] { return ReadInt(env, "EVENTLOG_BATCH_SIZE", 1, 1000000, c.batch_size); },
      // The newer name wins where both are set.
      [&] { return ReadInt(env, "EVENTLOG_BATCH_MAX_ROWS", 1, 1000000, c.batch_size); },
      [&] {
        // Below PostgreSQL's 1 GB value limit with room for escaping in the ledger payload.
        return ReadInt<int64_t>(env, "EVENTLOG_BATCH_MAX_BYTES", 1024, int64_t{256} << 20,
                                c.batch_max_bytes);
      },
      [&] {
        return ReadInt(env, "EVENTLOG_MIN_INSERT_INTERVAL_MS", 0, 60000, c.min_insert_interval_ms);
      },
      [&] { return ReadInt(env, "EVENTLOG_POLL_INTERVAL_MS", 1, 3600000, c.poll_interval_ms); },
      [&] { return ReadString(env, "EVENTLOG_METRICS_HOST", c.metrics_host); },
      [&] { return ReadInt(env, "EVENTLOG_METRICS_PORT", 0, 65535, c.metrics_port); },
      [&] { return ReadInt(env, "EVENTLOG_LEASE_MS", 1000, 86400000, c.lease_ms); },
      [&] { return ReadInt(env, "EVENTLOG_RETRY_BASE_MS", 1, 3600000, c.retry_base_ms); },
      [&] { return ReadInt(env, "EVENTLOG_RETRY_MAX_MS", 1, 86400000, c.retry_max_ms); },
      [&] { return ReadInt(env, "EVENTLOG_MAX_ATTEMPTS", 1, 1000, c.max_attempts); },
      [&] {
        return ReadInt(env, "EVENTLOG_SHUTDOWN_TIMEOUT_MS", 100, 3600000, c.shutdown_timeout_ms);
      },
      [&] {
        return ReadInt<int64_t>(env, "EVENTLOG_MAX_EVENT_BYTES", 2, int64_t{1} << 30,
                                c.max_event_bytes);
      },
  };
  for (auto& step : steps) {
    if (Status s = step(); !s.ok()) return s;
  }
  if (c.retry_max_ms < c.retry_base_ms) {
    return Invalid("EVENTLOG_RETRY_MAX_MS", std::to_string(c.retry_max_ms),
                   "is below EVENTLOG_RETRY_BASE_MS=" + std::to_string(c.retry_base_ms));
  }
  // An INSERT must end (or time out) well before its lease can pass to another relay.
  if (c.lease_ms < 2 * c.clickhouse_timeout_ms + 1000) {
    return Invalid("EVENTLOG_LEASE_MS", std::to_string(c.lease_ms),
                   "must be at least 2 x CLICKHOUSE_TIMEOUT_MS + 1000 (" +
                       std::to_string(2 * c.clickhouse_timeout_ms + 1000) + ")");
  }
  return Status::Ok();
}

Status ReadService(const EnvMap& env, Config& c) {
  std::string format = c.log_format == LogFormat::kJson ? "json" : "console";
  std::vector<std::function<Status()>> steps = {
      [&] { return ReadString(env, "DATABASE_URL", c.database_url); },
      [&] { return ReadSources(env, c.sources); },
      [&] {
        // Stored in every event: text that PostgreSQL and ClickHouse both take as it is.
        Status s = ReadString(env, "ENVIRONMENT", c.environment);
        if (s.ok() && (!IsValidUtf8(c.environment) || HasControlChar(c.environment))) {
          return Invalid("ENVIRONMENT", StoredText(c.environment, 64),
                         "must be UTF-8 text without control characters");
        }
        return s;
      },
      [&] {
        return ReadChoice(env, "LOG_LEVEL",
                          {"trace", "debug", "info", "warn", "warning", "error", "critical", "off"},
                          c.log_level);
      },
      [&] {
        return ReadChoice(env, "LOG_FORMAT", {"json", "console"}, format);
      },
      [&] { return ReadString(env, "HOST", c.host); },
      [&] { return ReadInt(env, "PORT", 1, 65535, c.port); },
      [&] { return ReadInt(env, "EVENTLOG_DB_POOL_SIZE", 1, 1000, c.db_pool_size); },
      [&] {
        return ReadInt(env, "EVENTLOG_DB_CONNECT_TIMEOUT_MS", 1, 600000, c.db_connect_timeout_ms);
      },
      [&] {
        return ReadInt(env, "EVENTLOG_DB_STATEMENT_TIMEOUT_MS", 0, 86400000,
                       c.db_statement_timeout_ms);
      },
      [&] { return ReadInt(env, "EVENTLOG_DB_POOL_WAIT_MS", 1, 600000, c.db_pool_wait_ms); },
      [&] { return ReadInt(env, "EVENTLOG_HTTP_THREADS", 1, 4096, c.http_threads); },
      [&] { return ReadInt(env, "EVENTLOG_HTTP_QUEUE", 0, 65536, c.http_queue); },
      [&] {
        return ReadInt(env, "EVENTLOG_HTTP_REQUEST_TIMEOUT_MS", 100, 600000,
                       c.http_request_timeout_ms);
      },
      [&] {
        std::string mask = c.log_mask_pii ? "true" : "false";
        Status s = ReadChoice(env, "EVENTLOG_LOG_MASK_PII", {"true", "false", "1", "0"}, mask);
        c.log_mask_pii = mask == "true" || mask == "1";
        return s;
      },
  };
  for (auto& step : steps) {
    if (Status s = step(); !s.ok()) return s;
  }
  if (c.log_level == "warning") c.log_level = "warn";
  c.log_format = format == "json" ? LogFormat::kJson : LogFormat::kConsole;
  return Status::Ok();
}

}  // namespace

Result<Config> LoadConfig(const EnvMap& env) {
  Config c;
  for (auto read : {ReadService, ReadClickHouse, ReadRelay}) {
    if (Status s = read(env, c); !s.ok()) return s;
  }
  return c;
}

std::string RedactUrl(const std::string& url) {
  // URL form: everything from the user name to the last '@' before any query, so that a raw
  // '@', ':' or '/' in the password is masked too (when in doubt, mask more).
  static const std::regex kUserInfo(R"(^(\s*[a-zA-Z][a-zA-Z0-9+.-]*://[^:/?@]*):[^?]*@)");
  // key=value form: a quoted value may hold escaped quotes and blanks; an unterminated one
  // runs to the end.
  static const std::regex kKeyValue(R"((password\s*=\s*)('(?:[^'\\]|\\.)*('|$)|\S+))");
  std::string out = std::regex_replace(url, kUserInfo, "$1:***@");
  return ScrubSecrets(std::regex_replace(out, kKeyValue, "$1***"));
}

}  // namespace eventlog
