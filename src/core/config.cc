#include "eventlog/config.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <regex>
#include <sstream>

#include "core/secrets.h"

extern char** environ;

namespace eventlog {
namespace {

Status Invalid(const std::string& var, const std::string& shown_value, const std::string& why) {
  return {StatusCode::kInvalidArgument, var + "=\"" + shown_value + "\" " + why};
}

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

Status ReadClickHouse(const EnvMap& env, Config& c) {
  std::vector<std::function<Status()>> steps = {
      [&] { return ReadString(env, "CLICKHOUSE_HOST", c.clickhouse_host); },
      [&] {
        return ReadChoice(env, "CLICKHOUSE_PROTOCOL", {"http", "https"}, c.clickhouse_protocol);
      },
      [&] {
        if (c.clickhouse_protocol == "https") c.clickhouse_port = 8443;
        // The seed read the port from CLICKHOUSE_HOST; the port comes from CLICKHOUSE_PORT only.
        auto it = env.find("CLICKHOUSE_PORT");
        if (it != env.end()) {
          int port = 0;
          auto [p, ec] =
              std::from_chars(it->second.data(), it->second.data() + it->second.size(), port);
          if (ec != std::errc() || p != it->second.data() + it->second.size() || port < 1 ||
              port > 65535) {
            return Invalid("CLICKHOUSE_PORT", it->second, "is not a port number (1..65535)");
          }
          c.clickhouse_port = port;
        }
        return Status::Ok();
      },
      [&] { return ReadString(env, "CLICKHOUSE_USER", c.clickhouse_user); },
      [&] { return ReadString(env, "CLICKHOUSE_PASSWORD", c.clickhouse_password, true); },
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
      [&] { return ReadInt(env, "EVENTLOG_POLL_INTERVAL_MS", 1, 3600000, c.poll_interval_ms); },
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
      [&] { return ReadString(env, "ENVIRONMENT", c.environment); },
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
  };
  for (auto& step : steps) {
    if (Status s = step(); !s.ok()) return s;
  }
  if (c.log_level == "warning") c.log_level = "warn";
  c.log_format = format == "json" ? LogFormat::kJson : LogFormat::kConsole;
  return Status::Ok();
}

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// A value: 'quoted' or "quoted" (taken as is), or bare up to a " #" comment.
std::optional<std::string> ParseDotEnvValue(const std::string& raw) {
  if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
    auto close = raw.find(raw.front(), 1);
    if (close == std::string::npos) return std::nullopt;
    std::string rest = Trim(raw.substr(close + 1));
    if (!rest.empty() && rest.front() != '#') return std::nullopt;
    return raw.substr(1, close - 1);
  }
  auto hash = raw.find(" #");
  return hash == std::string::npos ? raw : Trim(raw.substr(0, hash));
}

}  // namespace

Result<Config> LoadConfig(const EnvMap& env) {
  Config c;
  for (auto read : {ReadService, ReadClickHouse, ReadRelay}) {
    if (Status s = read(env, c); !s.ok()) return s;
  }
  return c;
}

Result<EnvMap> ParseDotEnv(const std::string& text) {
  EnvMap out;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  static const std::regex kKey("[A-Za-z_][A-Za-z0-9_]*");
  while (std::getline(in, line)) {
    ++line_no;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = Trim(line.substr(7));
    auto eq = line.find('=');
    std::string key = eq == std::string::npos ? line : Trim(line.substr(0, eq));
    if (eq == std::string::npos || !std::regex_match(key, kKey)) {
      return Status(StatusCode::kInvalidArgument,
                    ".env line " + std::to_string(line_no) + " is not KEY=VALUE");
    }
    auto value = ParseDotEnvValue(Trim(line.substr(eq + 1)));
    if (!value) {
      return Status(StatusCode::kInvalidArgument,
                    ".env line " + std::to_string(line_no) + " has an unterminated quote");
    }
    out[key] = *value;
  }
  return out;
}

Result<EnvMap> ReadEnvironment(const std::string& dotenv_path) {
  EnvMap env;
  std::ifstream file(dotenv_path);
  if (file) {
    std::stringstream text;
    text << file.rdbuf();
    auto parsed = ParseDotEnv(text.str());
    if (!parsed.ok()) {
      return Status(StatusCode::kInvalidArgument, dotenv_path + ": " + parsed.status().message());
    }
    env = std::move(parsed.value());
  }
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
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
