#include "outbox/pg_dsn.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "core/secrets.h"

namespace eventlog {
namespace {

constexpr const char* kUnparsable =
    "DATABASE_URL is not a valid libpq connection string (check percent-encoding and host "
    "syntax)";

struct ConninfoFree {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using Conninfo = std::unique_ptr<PQconninfoOption, ConninfoFree>;

// Parses with libpq; never passes libpq's message on (it may quote the password).
Conninfo Parse(const std::string& dsn) {
  char* err = nullptr;
  Conninfo info(PQconninfoParse(dsn.c_str(), &err));
  PQfreemem(err);
  return info;
}

// What the user set: keyword -> value, and which keywords a PG* environment variable sets.
struct UserSettings {
  std::map<std::string, std::string> given;
  std::map<std::string, bool> from_env;
};

UserSettings Collect(const PQconninfoOption* info) {
  UserSettings out;
  for (const PQconninfoOption* o = info; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) out.given[o->keyword] = o->val;
    out.from_env[o->keyword] = o->envvar != nullptr && std::getenv(o->envvar) != nullptr;
  }
  return out;
}

bool UserSet(const UserSettings& s, const std::string& keyword) {
  auto env = s.from_env.find(keyword);
  return s.given.count(keyword) > 0 || (env != s.from_env.end() && env->second);
}

std::string Quote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

int CeilSeconds(int ms) { return (ms + 999) / 1000; }

// Adds the TCP-level limits: a connect that hangs, packets that go unacknowledged, and a peer
// that went silent while idle all end the connection after about `connect_timeout_ms`.
void AddNetworkLimits(const UserSettings& user, int ms, std::map<std::string, std::string>& out) {
  if (ms <= 0) return;
  auto add = [&](const std::string& k, int v) {
    if (!UserSet(user, k)) out[k] = std::to_string(v);
  };
  add("connect_timeout", std::max(2, CeilSeconds(ms)));  // libpq reads 1 as 2
  if (!UserSet(user, "keepalives")) {
    out["keepalives"] = "1";
    add("keepalives_idle", std::max(1, CeilSeconds(ms)));
    add("keepalives_interval", std::max(1, CeilSeconds(ms / 3)));
    add("keepalives_count", 3);
  }
  add("tcp_user_timeout", ms);
}

// Appends `-c name=ms` to the session options unless the user's options already name it.
void AddSessionLimits(const UserSettings& user, int ms, std::map<std::string, std::string>& out) {
  if (ms <= 0) return;
  std::string options;
  if (auto it = user.given.find("options"); it != user.given.end()) {
    options = it->second;
  } else if (const char* env = std::getenv("PGOPTIONS"); env != nullptr) {
    options = env;  // written out below, so PGOPTIONS must be kept by hand
  }
  for (const char* name : {"statement_timeout", "idle_in_transaction_session_timeout"}) {
    if (options.find(name) != std::string::npos) continue;
    options += std::string(options.empty() ? "" : " ") + "-c " + name + "=" + std::to_string(ms);
  }
  out["options"] = options;
}

// A raw '@' or a blank in a URL's password makes libpq read the rest as the host name, which
// every connection error then quotes.
bool HostLooksLikePassword(const UserSettings& user) {
  auto it = user.given.find("host");
  return it != user.given.end() && it->second.find_first_of("@ \t\r\n") != std::string::npos;
}

}  // namespace

Result<std::string> BoundedPgDsn(const std::string& dsn, const PgLimits& limits) {
  Conninfo info = Parse(dsn);
  if (!info) return Status(StatusCode::kInvalidArgument, kUnparsable);
  UserSettings user = Collect(info.get());
  if (HostLooksLikePassword(user)) return Status(StatusCode::kInvalidArgument, kUnparsable);
  std::map<std::string, std::string> out = user.given;
  AddNetworkLimits(user, limits.connect_timeout_ms, out);
  AddSessionLimits(user, limits.statement_timeout_ms, out);
  std::string conninfo;
  for (const auto& [k, v] : out) conninfo += (conninfo.empty() ? "" : " ") + k + "=" + Quote(v);
  return conninfo;
}

void RegisterPgDsnSecrets(const std::string& dsn) {
  if (Conninfo info = Parse(dsn)) {
    UserSettings user = Collect(info.get());
    if (auto it = user.given.find("password"); it != user.given.end()) RegisterSecret(it->second);
  }
  // The password as written in postgresql://user:password@host, encoded or not. In a DSN that
  // parses, the user info holds no '/' or '?'.
  size_t scheme = dsn.find("://");
  if (scheme == std::string::npos) return;
  std::string authority = dsn.substr(scheme + 3, dsn.find_first_of("/?", scheme + 3) - scheme - 3);
  size_t at = authority.rfind('@');
  size_t colon = authority.find(':');
  if (at != std::string::npos && colon < at)
    RegisterSecret(authority.substr(colon + 1, at - colon - 1));
}

std::string PgSourceName(const std::string& dsn) {
  Conninfo info = Parse(dsn);
  if (!info) return "unparsable";
  UserSettings user = Collect(info.get());
  auto given = [&user](const char* keyword, const std::string& fallback) {
    auto it = user.given.find(keyword);
    return it != user.given.end() && !it->second.empty() ? it->second : fallback;
  };
  const std::string host = given("host", given("hostaddr", "localhost"));
  const std::string dbname = given("dbname", given("user", ""));
  return host + ":" + given("port", "5432") + "/" + dbname;
}

}  // namespace eventlog
