#pragma once
// What the EVENTLOG_SOURCES tests share: the second database (the test database's name with
// "_b", created when missing), SQL on either database, relay children serving both, and the
// fixture that migrates and empties both.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/migration.h"
#include "tests/faults/process.h"
#include "tests/integration/test_env.h"
namespace eventlog::testing::sources {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

// Where the database name sits in a postgresql:// URL: after the first '/' past the host.
inline std::pair<size_t, size_t> DatabaseNameSpan(const std::string& url) {
  size_t start = url.find('/', url.find("://") + 3);
  if (start == std::string::npos) throw std::runtime_error("no database in " + url);
  ++start;
  size_t end = url.find('?', start);
  return {start, (end == std::string::npos ? url.size() : end) - start};
}

inline std::string DatabaseOf(const std::string& url) {
  auto [start, length] = DatabaseNameSpan(url);
  return url.substr(start, length);
}

inline std::string WithDatabase(std::string url, const std::string& database) {
  auto [start, length] = DatabaseNameSpan(url);
  return url.replace(start, length, database);
}

inline const std::string& UrlA() { return Servers().database_url; }
inline const std::string& UrlB() {
  static const std::string url = WithDatabase(UrlA(), DatabaseOf(UrlA()) + "_b");
  return url;
}

inline std::string PgAt(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  pqxx::result r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

inline void PgExecAt(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec(sql);
  tx.commit();
}

inline int64_t PgCountAt(const std::string& url, const std::string& sql) {
  return std::stoll(PgAt(url, sql));
}

// Events of a source not yet delivered: committed and unclaimed, or in an open batch.
inline int64_t Pending(const std::string& url) {
  return PgCountAt(url,
                   "SELECT (SELECT count(*) FROM eventlog_unclaimed) + "
                   "(SELECT coalesce(sum(event_count), 0) FROM eventlog_batches)");
}

inline int64_t Delivered(const std::string& url) {
  return PgCountAt(url, "SELECT value FROM eventlog_counters WHERE name = 'delivered'");
}

// `n` events of `type` in one transaction, through the function applications call.
inline void Enqueue(const std::string& url, const std::string& type, int n) {
  PgExecAt(url, "SELECT count(eventlog_enqueue('" + type +
                    "', jsonb_build_object('i', g))) FROM generate_series(1, " + std::to_string(n) +
                    ") g");
}

// The database `url` names, created when missing (the eventlog role has CREATEDB).
inline void CreateDatabase(const std::string& url) {
  pqxx::connection admin(UrlA());
  pqxx::nontransaction tx(admin);
  const std::string name = DatabaseOf(url);
  if (!tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty()) return;
  try {
    tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() != "42P04") throw;  // duplicate_database: another run made it meanwhile
  }
}

// An unreachable DATABASE_URL: with EVENTLOG_SOURCES set, nothing may use it.
inline constexpr const char* kUnusedDatabaseUrl =
    "postgresql://eventlog:eventlog@127.0.0.1:1/unused";

inline std::string SourcesValue() { return UrlA() + " " + UrlB(); }

// The environment of an `eventlog relay` child serving both sources.
inline faults::Env RelayEnv(const faults::Env& extra = {}) {
  const TestServers& s = Servers();
  faults::Env env = {{"PATH", "/usr/bin:/bin"},
                     {"EVENTLOG_SOURCES", SourcesValue()},
                     {"DATABASE_URL", kUnusedDatabaseUrl},
                     {"CLICKHOUSE_HOST", s.clickhouse.host},
                     {"CLICKHOUSE_PORT", std::to_string(s.clickhouse.port)},
                     {"CLICKHOUSE_USER", s.clickhouse.user},
                     {"CLICKHOUSE_PASSWORD", s.clickhouse.password},
                     {"CLICKHOUSE_SCHEMA", s.clickhouse.database},
                     {"ENVIRONMENT", "Test"},
                     {"LOG_FORMAT", "json"},
                     {"LOG_LEVEL", "info"}};
  for (const auto& [k, v] : extra) env[k] = v;
  return env;
}

// The same settings for RunEventlog (a shell command line).
inline std::string CliEnv() {
  const TestServers& s = Servers();
  return "EVENTLOG_SOURCES='" + SourcesValue() + "' DATABASE_URL=" + kUnusedDatabaseUrl +
         " CLICKHOUSE_HOST=" + s.clickhouse.host +
         " CLICKHOUSE_PORT=" + std::to_string(s.clickhouse.port) +
         " CLICKHOUSE_USER=" + s.clickhouse.user + " CLICKHOUSE_PASSWORD=" + s.clickhouse.password +
         " CLICKHOUSE_SCHEMA=" + s.clickhouse.database + " LOG_FORMAT=json";
}

// An `eventlog relay` child with its JSON log in a file of its own.
class RelayChild {
 public:
  RelayChild(const std::string& name, const faults::Env& extra = {})
      : log_path_("/tmp/eventlog-sources-" + std::to_string(getpid()) + "-" + name + ".log") {
    unlink(log_path_.c_str());  // the child appends
    child_ = std::make_unique<faults::ChildProcess>(
        std::vector<std::string>{EVENTLOG_BIN, "--env-file", "/dev/null", "relay"}, RelayEnv(extra),
        "/tmp", log_path_);
  }
  ~RelayChild() {
    child_.reset();  // kills and reaps it if it still runs
    unlink(log_path_.c_str());
  }

  bool IsAlive() { return child_->IsAlive(); }

  // SIGTERM, then the exit code (-1 when it did not end within 20 s).
  int Stop() {
    child_->Signal(SIGTERM);
    return child_->WaitFor(seconds(20)) ? child_->exit_code() : -1;
  }

  std::string LogText() const {
    std::ifstream f(log_path_);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }

  // Every line of the log that is a JSON object.
  std::vector<nlohmann::json> LogLines() const {
    std::vector<nlohmann::json> lines;
    std::ifstream f(log_path_);
    for (std::string line; std::getline(f, line);) {
      auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_object()) lines.push_back(std::move(j));
    }
    return lines;
  }

  // The events each source's thread reported delivered ("batch delivered" lines), by the
  // "source" field; lines without one under "".
  std::map<std::string, int64_t> DeliveredBySource() const {
    std::map<std::string, int64_t> by_source;
    for (const auto& j : LogLines()) {
      if (j.value("message", "") != "batch delivered") continue;
      by_source[j.value("source", "")] += j.value("delivered", int64_t{0});
    }
    return by_source;
  }

  // Log lines at warn level or above, for failure messages.
  std::string Problems() const {
    std::string out;
    for (const auto& j : LogLines()) {
      std::string level = j.value("level", "");
      if (level != "info" && level != "debug") out += j.dump() + "\n";
    }
    return out;
  }

 private:
  std::string log_path_;
  std::unique_ptr<faults::ChildProcess> child_;
};

// Whether a source's label (its connection string without the password; values quoted, as
// in dbname='eventlog_test_b') names the database whose name ends in `suffix`.
inline bool LabelNames(const std::string& label, const std::string& suffix) {
  return label.find(suffix + "'") != std::string::npos ||
         label.find(suffix + "?") != std::string::npos ||
         (label.size() >= suffix.size() &&
          label.compare(label.size() - suffix.size(), suffix.size(), suffix) == 0);
}

// What tells the second database's name from the first's ("_b").
inline std::string SuffixB() { return DatabaseOf(UrlB()).substr(DatabaseOf(UrlA()).size()); }

// `eventlog relay` with EVENTLOG_SOURCES=`value` (and working servers otherwise), killed after
// 20 s should it accept the value and run.
inline CliRun RunBadSources(const std::string& value) {
  return RunCommand("cd /tmp && timeout -s KILL 20 env " + ServerEnv() + " EVENTLOG_SOURCES='" +
                    value + "' " + EVENTLOG_BIN + " --env-file /dev/null relay");
}

class Sources : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();  // the first database: migrated, tables empty
    CreateDatabase(UrlB());
    MigrateB();
    PgExecAt(UrlB(),
             "TRUNCATE users, event_outbox, eventlog_batches, event_dead_letters, "
             "eventlog_delivery_lag; "
             "UPDATE eventlog_counters SET value = 0");
  }

  // Unless every PostgreSQL migration is recorded there already (MigrateAndRelayServeEverySource
  // drops the database and migrates it itself).
  static void MigrateB() {
    const bool has_ledger =
        PgAt(UrlB(), "SELECT to_regclass('eventlog_schema_migrations') IS NOT NULL") == "t";
    if (has_ledger &&
        PgCountAt(UrlB(),
                  "SELECT count(*) FROM eventlog_schema_migrations WHERE target = "
                  "'postgres'") == static_cast<int64_t>(PostgresMigrations().size())) {
      return;
    }
    CliRun r = RunEventlog(ServerEnv() + " EVENTLOG_SOURCES=" + UrlB(), "migrate");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  int64_t ChCountOf(const std::string& type) {
    return std::stoll(ChScalar("SELECT count() FROM event_log WHERE event_type = '" + type + "'"));
  }

  // Until ClickHouse holds `total` events and neither source has any pending.
  bool WaitDelivered(int64_t total, milliseconds timeout) {
    return WaitFor(
        [&] { return ChCount() >= total && Pending(UrlA()) == 0 && Pending(UrlB()) == 0; },
        timeout);
  }
};

}  // namespace eventlog::testing::sources
