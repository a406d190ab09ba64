#include "core/config.h"

#include <regex>

#include "core/config_values.h"
#include "core/secrets.h"
#include "core/settings.h"

namespace eventlog {
namespace {

using config_values::Invalid;

// The relations between settings that no single one can check: after all are read.
Status CheckRelations(const Config& c) {
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

}  // namespace

Result<Config> LoadConfig(const EnvMap& env) {
  Config c;
  for (const Setting& setting : Settings()) {
    if (Status s = setting.read(env, c); !s.ok()) return s;
  }
  if (Status s = CheckRelations(c); !s.ok()) return s;
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
