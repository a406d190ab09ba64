// The eventlog binary as a user runs it: exit codes, configuration errors, migrate twice.
#include <cstdio>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

#include "core/migration.h"
#include "tests/integration/relay_fixture.h"

namespace eventlog::testing {
namespace {

class CliTest : public IntegrationTest {};

TEST_F(CliTest, InvalidSettingNamesTheVariableAndExits2) {
  CliRun r = RunEventlog("CLICKHOUSE_PORT=abc", "status");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("CLICKHOUSE_PORT=\"abc\""), std::string::npos) << r.output;
  r = RunEventlog("EVENTLOG_BATCH_SIZE=0", "relay");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("EVENTLOG_BATCH_SIZE"), std::string::npos) << r.output;
}

TEST_F(CliTest, BadUsageExits2AndHelpExits0) {
  EXPECT_EQ(RunEventlog("", "no-such-command").exit_code, 2);
  EXPECT_EQ(RunEventlog("", "").exit_code, 2);
  for (const char* cmd : {"migrate", "serve", "relay", "status", "requeue"}) {
    CliRun r = RunEventlog("", std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << cmd;
  }
  EXPECT_EQ(RunEventlog(ServerEnv(), "requeue").exit_code, 2);
}

// Issue 17, item 3: the top-level help lists every variable of the settings table with its
// default (the man page's ENVIRONMENT section); a subcommand's help stays its own.
TEST_F(CliTest, HelpListsTheSettingsAndSettingsPrintsTheirTable) {
  CliRun top = RunEventlog("", "--help");
  EXPECT_EQ(top.exit_code, 0);
  for (const char* line : {"\nEnvironment:\n", "\n  CLICKHOUSE_PORT=8123\n",
                           "\n  EVENTLOG_BATCH_MAX_ROWS=200000\n", "\n  EVENTLOG_SOURCES=\n"}) {
    EXPECT_NE(top.output.find(line), std::string::npos) << line << top.output;
  }
  CliRun relay = RunEventlog("", "relay --help");
  EXPECT_EQ(relay.output.find("Environment:"), std::string::npos) << relay.output;
  CliRun table = RunEventlog("", "settings");
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("| `CLICKHOUSE_PORT` | `8123` (`8443` with https) | `1..65535` |"),
            std::string::npos)
      << table.output;
}

// Issue 7, item 17, through the binary: a settings file named with --env-file must exist (exit
// 2, not a run on defaults), and a key set twice in it prints a warning naming both lines.
TEST_F(CliTest, NamedEnvFileMustExistAndKeysSetTwiceAreWarned) {
  auto run = [](const std::string& env_file) {
    return RunCommand("cd /tmp && env -i PATH=/usr/bin:/bin " + std::string(EVENTLOG_BIN) +
                      " --env-file " + env_file + " status");
  };
  CliRun missing = run("/nonexistent/eventlog.env");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("/nonexistent/eventlog.env"), std::string::npos) << missing.output;

  const TestServers& s = Servers();
  const std::string path = "/tmp/eventlog_cli_test_twice.env";
  {
    std::ofstream f(path);
    f << "DATABASE_URL=" << s.database_url << "\nCLICKHOUSE_PORT=" << s.clickhouse.port
      << "\nCLICKHOUSE_USER=eventlog\nCLICKHOUSE_PASSWORD=eventlog\nCLICKHOUSE_SCHEMA="
      << s.clickhouse.database << "\nLOG_LEVEL=info\nLOG_LEVEL=warn\n";
  }
  CliRun twice = run(path);
  std::remove(path.c_str());
  EXPECT_EQ(twice.exit_code, 0) << twice.output;
  EXPECT_NE(twice.output.find("line 7 sets LOG_LEVEL again (first on line 6)"), std::string::npos)
      << twice.output;
}

TEST_F(CliTest, MigrateIsIdempotentAndSafeFromTwoProcessesAtOnce) {
  auto a = std::async(std::launch::async, [] { return RunEventlog(ServerEnv(), "migrate"); });
  auto b = std::async(std::launch::async, [] { return RunEventlog(ServerEnv(), "migrate"); });
  CliRun ra = a.get(), rb = b.get();
  EXPECT_EQ(ra.exit_code, 0) << ra.output;
  EXPECT_EQ(rb.exit_code, 0) << rb.output;
  EXPECT_EQ(PgScalar("SELECT count(*) FROM eventlog_schema_migrations WHERE target = 'postgres'"),
            std::to_string(PostgresMigrations().size()));
}

TEST_F(CliTest, MigrateCreatesAClickHouseDatabaseThatDoesNotExistYet) {
  ChScalar("DROP DATABASE IF EXISTS eventlog_fresh");
  std::string env = ServerEnv();
  const std::string schema = "CLICKHOUSE_SCHEMA=" + Servers().clickhouse.database;
  env.replace(env.find(schema), schema.size(), "CLICKHOUSE_SCHEMA=eventlog_fresh");
  CliRun r = RunEventlog(env, "migrate");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(ChScalar("SELECT count() FROM system.tables WHERE database = 'eventlog_fresh' AND "
                     "name = 'event_log'"),
            "1");
  ChScalar("DROP DATABASE IF EXISTS eventlog_fresh");
}

TEST_F(CliTest, StatusReportsDepthInJson) {
  PgExec(
      "INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, event_context)"
      " VALUES (gen_random_uuid(), 'x', now(), 'Test', '{}')");
  CliRun r = RunEventlog(ServerEnv(), "status --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["pending"], 1);
  EXPECT_EQ(j["dead_letters"], 0);
  EXPECT_GE(j["oldest_pending_age_s"].get<double>(), 0.0);
}

TEST_F(CliTest, SecretsNeverAppearInOutput) {
  std::string env = ServerEnv();
  env.replace(env.find("CLICKHOUSE_PASSWORD=eventlog"), 28, "CLICKHOUSE_PASSWORD=hunter2-secret");
  env.replace(env.find("eventlog:eventlog@"), 18, "eventlog:pg-secret-pw@");
  CliRun r = RunEventlog(env + " LOG_FORMAT=json", "migrate");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.output.find("hunter2-secret"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("pg-secret-pw"), std::string::npos) << r.output;
}

class StatusTest : public RelayIntegrationTest {};

// status reports the delivery lag of recent batches and the dead letters by type.
TEST_F(StatusTest, ReportsDeliveryLagAndDeadLettersByType) {
  Enqueue(5);
  Drain();
  PgExec(
      "INSERT INTO event_dead_letters (event_id, event_type, event_date_time, environment, "
      "event_context, metadata_version, error, attempts) SELECT gen_random_uuid(), t, now(), "
      "'Test', '{}', 1, 'refused', 5 FROM unnest(ARRAY['order_paid', 'order_paid', "
      "'user_created']) AS t");
  CliRun r = RunEventlog(ServerEnv(), "status --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.out);
  const auto& lag = j["delivery_lag_ms"];
  EXPECT_GE(lag["batches"].get<int>(), 1);
  EXPECT_EQ(lag["events"], 5);
  EXPECT_GE(lag["p50"].get<double>(), 0);
  EXPECT_LE(lag["p50"].get<double>(), lag["p99"].get<double>());
  EXPECT_LE(lag["p99"].get<double>(), lag["max"].get<double>());
  EXPECT_LT(lag["max"].get<double>(), 60000) << "written seconds ago at most";
  EXPECT_EQ(j["dead_letters_by_type"], (nlohmann::json{{"order_paid", 2}, {"user_created", 1}}));
  CliRun text = RunEventlog(ServerEnv(), "status");
  EXPECT_NE(text.out.find("delivery lag, last 5 min: p50 "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("dead letters of order_paid: 2"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace eventlog::testing
