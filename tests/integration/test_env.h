#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "clickhouse/http_client.h"
#include "core/config.h"

namespace eventlog::testing {

// Where the integration tests find the servers `make test` started: a PostgreSQL database and
// a ClickHouse database of their own (eventlog_test), so they never touch `make run`'s data.
// Override with EVENTLOG_TEST_DATABASE_URL / EVENTLOG_TEST_CLICKHOUSE_PORT.
struct TestServers {
  std::string database_url;
  ClickHouseOptions clickhouse;
  std::string table = "event_log";
};

const TestServers& Servers();

// A Config pointing at the test servers, with fast relay timings.
Config TestConfig();

// What a command run through the shell did.
struct CliRun {
  int exit_code;       // -1 when it did not exit normally
  std::string output;  // stdout, then stderr
  std::string out;     // stdout
  std::string err;     // stderr
};
CliRun RunCommand(const std::string& shell_command);

// Runs the eventlog binary with `env` (VAR=value ...) in front, from an empty directory, no .env.
CliRun RunEventlog(const std::string& env, const std::string& args);

// The settings (VAR=value ...) that point the eventlog binary at the test servers.
std::string ServerEnv();

// Fixture: migrated schema, empty tables (PostgreSQL and ClickHouse) before each test.
class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // One value from PostgreSQL / ClickHouse, as text.
  std::string PgScalar(const std::string& sql);
  std::string ChScalar(const std::string& sql);
  int64_t PgCount(const std::string& table) {
    return std::stoll(PgScalar("SELECT count(*) FROM " + table));
  }
  int64_t ChCount() { return std::stoll(ChScalar("SELECT count() FROM event_log")); }
  int64_t ChUniqueIds() {
    return std::stoll(ChScalar("SELECT uniqExact(event_id) FROM event_log"));
  }
  void PgExec(const std::string& sql);
  // The error PostgreSQL raises for `sql` ("" when it succeeds), run in a transaction of its own
  // that is rolled back either way; its SQLSTATE goes to `sqlstate` when given.
  std::string PgErrorOf(const std::string& sql, std::string* sqlstate = nullptr);

  // Polls `condition` until it holds or `timeout` passes.
  static bool WaitFor(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20));
};

}  // namespace eventlog::testing
