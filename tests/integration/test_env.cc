#include "tests/integration/test_env.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "observe/logger.h"

namespace eventlog::testing {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// The name of the test databases, in both servers: EVENTLOG_TEST_DB (default eventlog_test), so
// that two checkouts or two developers can run the integration tests at once.
std::string TestDatabaseName() { return EnvOr("EVENTLOG_TEST_DB", "eventlog_test"); }

// PostgreSQL databases are the operator's to create; `eventlog migrate` creates ClickHouse's.
void CreatePostgresDatabase() {
  pqxx::connection admin(
      EnvOr("EVENTLOG_TEST_ADMIN_URL", "postgresql://eventlog:eventlog@127.0.0.1:55432/eventlog"));
  pqxx::nontransaction tx(admin);
  const std::string name = TestDatabaseName();
  if (tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty()) {
    tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  }
}

void MigrateOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    log::Init(LogFormat::kConsole, "warn");  // keep test output to what matters
    const TestServers& s = Servers();
    CreatePostgresDatabase();
    // The schema comes from `eventlog migrate` itself, as in production.
    std::string cmd = std::string("env DATABASE_URL='") + s.database_url +
                      "' CLICKHOUSE_HOST=" + s.clickhouse.host +
                      " CLICKHOUSE_PORT=" + std::to_string(s.clickhouse.port) +
                      " CLICKHOUSE_USER=" + s.clickhouse.user +
                      " CLICKHOUSE_PASSWORD=" + s.clickhouse.password +
                      " CLICKHOUSE_SCHEMA=" + s.clickhouse.database + " LOG_LEVEL=warn " +
                      EVENTLOG_BIN + " --env-file /dev/null migrate";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("eventlog migrate failed");
  });
}

// A prepared transaction outlives its session: one that a crashed run of the claim
// interleaving test left (its gids start with eventlog_claims_) would hold its locks for good
// and make the fixture's TRUNCATE wait forever.
void RollBackLeftPreparedTransactions() {
  pqxx::connection c(Servers().database_url);
  pqxx::nontransaction tx(c);
  pqxx::result left = tx.exec(
      "SELECT gid FROM pg_prepared_xacts "
      "WHERE database = current_database() AND gid LIKE 'eventlog\\_claims\\_%'");
  for (const auto& row : left) tx.exec0("ROLLBACK PREPARED " + tx.quote(row[0].c_str()));
}

}  // namespace

const TestServers& Servers() {
  static const TestServers servers = [] {
    TestServers s;
    s.database_url = EnvOr("EVENTLOG_TEST_DATABASE_URL",
                           "postgresql://eventlog:eventlog@127.0.0.1:55432/" + TestDatabaseName());
    s.clickhouse.host = "127.0.0.1";
    s.clickhouse.port = std::stoi(EnvOr("EVENTLOG_TEST_CLICKHOUSE_PORT", "58123"));
    s.clickhouse.user = "eventlog";
    s.clickhouse.password = "eventlog";
    s.clickhouse.database = TestDatabaseName();
    s.clickhouse.timeout_ms = 5000;
    return s;
  }();
  return servers;
}

Config TestConfig() {
  const TestServers& s = Servers();
  Config c;
  c.database_url = s.database_url;
  c.clickhouse_host = s.clickhouse.host;
  c.clickhouse_port = s.clickhouse.port;
  c.clickhouse_user = s.clickhouse.user;
  c.clickhouse_password = s.clickhouse.password;
  c.clickhouse_schema = s.clickhouse.database;
  c.environment = "Test";
  return c;
}

CliRun RunCommand(const std::string& shell_command) {
  char err_path[] = "/tmp/eventlog_cli_stderr_XXXXXX";
  int fd = mkstemp(err_path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  std::string cmd = "{ " + shell_command + "; } 2>" + err_path;
  FILE* p = popen(cmd.c_str(), "r");
  CliRun run{-1, "", "", ""};
  std::array<char, 4096> buf{};
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) run.out.append(buf.data(), n);
  int status = pclose(p);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  run.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  std::remove(err_path);
  run.output = run.out + run.err;
  return run;
}

CliRun RunEventlog(const std::string& env, const std::string& args) {
  return RunCommand("cd /tmp && env " + env + " " + EVENTLOG_BIN + " --env-file /dev/null " + args);
}

std::string ServerEnv() {
  const TestServers& s = Servers();
  return "DATABASE_URL=" + s.database_url +
         " CLICKHOUSE_HOST=127.0.0.1 CLICKHOUSE_PORT=" + std::to_string(s.clickhouse.port) +
         " CLICKHOUSE_USER=eventlog CLICKHOUSE_PASSWORD=eventlog"
         " CLICKHOUSE_SCHEMA=" +
         s.clickhouse.database;
}

void IntegrationTest::SetUp() {
  MigrateOnce();
  RollBackLeftPreparedTransactions();
  PgExec(
      "TRUNCATE users, event_outbox, eventlog_batches, event_dead_letters, "
      "eventlog_delivery_lag; "
      "UPDATE eventlog_counters SET value = 0");
  ChScalar("TRUNCATE TABLE event_log");
}

void IntegrationTest::PgExec(const std::string& sql) {
  pqxx::connection c(Servers().database_url);
  pqxx::work tx(c);
  tx.exec(sql);
  tx.commit();
}

std::string IntegrationTest::PgErrorOf(const std::string& sql, std::string* sqlstate) {
  pqxx::connection c(Servers().database_url);
  pqxx::work tx(c);
  try {
    tx.exec(sql);
    return "";
  } catch (const pqxx::sql_error& e) {
    if (sqlstate != nullptr) *sqlstate = e.sqlstate();
    return e.what();
  }
}

std::string IntegrationTest::PgScalar(const std::string& sql) {
  pqxx::connection c(Servers().database_url);
  pqxx::nontransaction tx(c);
  pqxx::result r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

std::string IntegrationTest::ChScalar(const std::string& sql) {
  ClickHouseClient ch(Servers().clickhouse);
  auto r = ch.Execute(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  if (!r.ok()) return "";
  std::string v = r.value();
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

bool IntegrationTest::WaitFor(const std::function<bool()>& condition,
                              std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace eventlog::testing
