#include "bench/bench_env.h"

#include <cstdlib>
#include <filesystem>
#include <pqxx/pqxx>
#include <sstream>

#include "outbox/pg_errors.h"

namespace eventlog::bench {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

Status RecreateClickHouse(const BenchEnv& env) {
  ClickHouseOptions o = env.ch;
  o.database = "default";
  ClickHouseClient ch(o);
  return ch.Execute("DROP DATABASE IF EXISTS " + env.ch.database).status();
}

}  // namespace

BenchEnv LoadBenchEnv() {
  BenchEnv e;
  e.admin_url =
      EnvOr("EVENTLOG_BENCH_ADMIN_URL", "postgresql://eventlog:eventlog@127.0.0.1:55432/eventlog");
  e.url = EnvOr("EVENTLOG_BENCH_DATABASE_URL",
                "postgresql://eventlog:eventlog@127.0.0.1:55432/" + e.db_name);
  e.ch.port = std::stoi(EnvOr("EVENTLOG_BENCH_CLICKHOUSE_PORT", "58123"));
  e.ch.user = "eventlog";
  e.ch.password = "eventlog";
  e.ch.database = e.db_name;
  e.ch.timeout_ms = 300000;  // the bulk INSERT of the whole backlog
  e.ch.max_response_bytes = size_t{512} << 20;
  e.source_dir = EnvOr("EVENTLOG_BENCH_SOURCE_DIR", EVENTLOG_SOURCE_DIR);
  e.log_dir = e.source_dir + "/var/bench";
  e.results_path = EnvOr("EVENTLOG_BENCH_RESULTS", e.source_dir + "/bench/results.json");
  e.events = std::stoi(EnvOr("EVENTLOG_BENCH_EVENTS", "1000000"));
  e.seed_events = std::stoi(EnvOr("EVENTLOG_BENCH_SEED_EVENTS", "50000"));
  e.large_events = std::stoi(EnvOr("EVENTLOG_BENCH_LARGE_EVENTS", "1000"));
  e.steady_seconds = std::stod(EnvOr("EVENTLOG_BENCH_STEADY_SECONDS", "10"));
  e.cluster_dir = EnvOr("EVENTLOG_BENCH_CLUSTER_DIR", e.source_dir + "/var/bench-cluster");
  e.cluster_events = std::stoi(EnvOr("EVENTLOG_BENCH_CLUSTER_EVENTS", "1000000"));
  e.held_events.clear();
  std::stringstream held(EnvOr("EVENTLOG_BENCH_HELD_EVENTS", "1000000"));
  for (std::string n; std::getline(held, n, ',');) e.held_events.push_back(std::stoll(n));
  e.only = EnvOr("EVENTLOG_BENCH_ONLY", "");
  std::filesystem::create_directories(e.log_dir);
  return e;
}

Status RecreatePostgres(const BenchEnv& env) {
  return CatchPg([&] {
    pqxx::connection admin(env.admin_url);
    pqxx::nontransaction tx(admin);
    // FORCE: a relay killed by a failed scenario may still hold a backend for a moment.
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(env.db_name) + " WITH (FORCE)");
    tx.exec0("CREATE DATABASE " + tx.quote_name(env.db_name));
    return Status::Ok();
  });
}

bool Selected(const BenchEnv& env, const std::string& scenario) {
  if (env.only.empty()) return true;
  return ("," + env.only + ",").find("," + scenario + ",") != std::string::npos;
}

Status FreshDatabases(const BenchEnv& env) {
  if (Status s = RecreatePostgres(env); !s.ok()) return s;
  if (Status s = RecreateClickHouse(env); !s.ok()) return s;
  // `migrate` creates the ClickHouse database and table as the relay expects them.
  int rc = faults::RunToCompletion(EventlogArgv("migrate"), ChildEnvironment(env), env.source_dir,
                                   env.log_dir + "/migrate.log", std::chrono::seconds(120));
  if (rc != 0) {
    return {StatusCode::kInternal, "eventlog migrate exited " + std::to_string(rc) + " (see " +
                                       env.log_dir + "/migrate.log)"};
  }
  return Status::Ok();
}

faults::Env ChildEnvironment(const BenchEnv& env) {
  return {
      {"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"DATABASE_URL", env.url},
      {"CLICKHOUSE_HOST", env.ch.host},         {"CLICKHOUSE_PORT", std::to_string(env.ch.port)},
      {"CLICKHOUSE_USER", env.ch.user},         {"CLICKHOUSE_PASSWORD", env.ch.password},
      {"CLICKHOUSE_SCHEMA", env.ch.database},   {"LOG_LEVEL", "warn"}};
}

std::vector<std::string> EventlogArgv(const std::string& subcommand) {
  return {EVENTLOG_BIN, "--env-file", "/dev/null", subcommand};
}

double SecondsSince(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

}  // namespace eventlog::bench
