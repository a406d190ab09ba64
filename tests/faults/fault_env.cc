#include "tests/faults/fault_env.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/faults/fault_checks.h"

namespace eventlog::faults {
namespace {

std::string TestName() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info == nullptr ? "env" : std::string(info->test_suite_name()) + "." + info->name();
}

int Services(const std::string& command) {
  Env env = {{"PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"},
             {"EVENTLOG_VAR_DIR", VarDir()},
             {"PG_PORT", std::to_string(kPgPort)},
             {"CH_HTTP_PORT", std::to_string(kChHttpPort)},
             {"CH_TCP_PORT", std::to_string(kChTcpPort)}};
  return RunToCompletion(
      {"/bin/bash", std::string(EVENTLOG_SOURCE_DIR) + "/scripts/services.sh", command}, env,
      VarDir(), LogsDir() + "/services.log", std::chrono::seconds(120));
}

void ServicesOrFail(const std::string& command) {
  int rc = Services(command);
  if (rc != 0) {
    ADD_FAILURE() << "scripts/services.sh " << command << " exited " << rc << " (see " << LogsDir()
                  << "/services.log)";
  }
}

// event_log as `eventlog migrate` created it, to re-create it between cases.
std::string& EventLogDdl() {
  static std::string ddl;
  return ddl;
}

}  // namespace

int FaultPort(const char* env_name, int fallback) {
  const char* v = std::getenv(env_name);
  if (v == nullptr || *v == '\0') return fallback;
  int port = std::atoi(v);
  if (port < 1 || port > 65535) throw std::runtime_error(std::string(env_name) + " is not a port");
  return port;
}

std::string VarDir() { return std::string(EVENTLOG_SOURCE_DIR) + "/var/faults"; }
std::string LogsDir() { return VarDir() + "/logs"; }

void FaultEnvironment::SetUp() {
  std::filesystem::create_directories(LogsDir());
  ServicesOrFail("start");
  ASSERT_EQ(RunEventlog({"migrate"}, "migrate"), 0) << "eventlog migrate failed";
  EventLogDdl() = ChQuery("SHOW CREATE TABLE event_log FORMAT TSVRaw");
  ASSERT_EQ(EventLogDdl().rfind("CREATE TABLE", 0), 0u) << EventLogDdl();
}

void FaultEnvironment::TearDown() { ServicesOrFail("stop"); }

// services.sh signals the server by the PID in its status file and waits until it is gone.
void StopClickHouse() { ServicesOrFail("stop-ch"); }
void KillClickHouse() { ServicesOrFail("kill-ch"); }
void StartClickHouse() { ServicesOrFail("start-ch"); }
void StopPostgres() { ServicesOrFail("stop-pg"); }
void StartPostgres() { ServicesOrFail("start-pg"); }

Env BaseEnv() {
  return {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
          {"DATABASE_URL", kDatabaseUrl},
          {"CLICKHOUSE_HOST", "127.0.0.1"},
          {"CLICKHOUSE_PORT", std::to_string(kChHttpPort)},
          {"CLICKHOUSE_USER", "eventlog"},
          {"CLICKHOUSE_PASSWORD", "eventlog"},
          {"CLICKHOUSE_SCHEMA", "default"},
          {"CLICKHOUSE_TIMEOUT_MS", "1000"},
          {"CLICKHOUSE_CONNECT_TIMEOUT_MS", "500"},
          {"ENVIRONMENT", "Faults"},
          {"EVENTLOG_LEASE_MS", "3000"},
          {"EVENTLOG_POLL_INTERVAL_MS", "50"},
          {"EVENTLOG_RETRY_BASE_MS", "50"},
          {"EVENTLOG_RETRY_MAX_MS", "1000"},
          {"EVENTLOG_MAX_ATTEMPTS", "3"},
          {"EVENTLOG_BATCH_SIZE", "100"},
          {"EVENTLOG_SHUTDOWN_TIMEOUT_MS", "3000"},
          {"LOG_LEVEL", "info"},
          {"HOST", "127.0.0.1"}};
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) throw std::runtime_error("no free loopback port");
  return ntohs(addr.sin_port);
}

std::unique_ptr<ChildProcess> SpawnEventlog(const std::vector<std::string>& args,
                                            const std::string& name, const Env& extra) {
  Env env = BaseEnv();
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> argv = {EVENTLOG_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<ChildProcess>(std::move(argv), std::move(env), VarDir(),
                                        LogsDir() + "/" + TestName() + "-" + name + ".log");
}

int RunEventlog(const std::vector<std::string>& args, const std::string& name, std::string* out) {
  std::string log = LogsDir() + "/" + TestName() + "-" + name + ".log";
  std::filesystem::remove(log);
  std::vector<std::string> argv = {EVENTLOG_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  int rc = RunToCompletion(std::move(argv), BaseEnv(), VarDir(), log, std::chrono::seconds(60));
  if (out != nullptr) {
    std::ifstream f(log);
    std::stringstream text;
    text << f.rdbuf();
    *out = text.str();
  }
  return rc;
}

void ResetState() {
  PgExec(
      "TRUNCATE users, event_outbox, eventlog_batches, event_dead_letters; "
      "UPDATE eventlog_counters SET value = 0");
  // Not TRUNCATE: ClickHouse 18.16 deletes truncated parts lazily, and a SIGKILL before that
  // brings them back at the next start. DROP TABLE deletes the data at once.
  for (const std::string& sql : {std::string("DROP TABLE IF EXISTS event_log"), EventLogDdl()}) {
    std::string answer = ChQuery(sql);
    EXPECT_EQ(answer.rfind("ERROR: ", 0), std::string::npos) << sql << ": " << answer;
  }
}

void FaultTest::SetUp() {
  // Fresh logs for this case (the children append to them).
  for (const auto& entry : std::filesystem::directory_iterator(LogsDir())) {
    if (entry.path().filename().string().rfind(TestName() + "-", 0) == 0) {
      std::filesystem::remove(entry.path());
    }
  }
  // A case that failed half way may have left a server down.
  if (!WaitUntil([] { return PgCount("SELECT 1") == 1; }, std::chrono::milliseconds(500))) {
    StartPostgres();
  }
  if (ChQuery("SELECT 1") != "1") StartClickHouse();
  ResetState();
}

}  // namespace eventlog::faults

// Registered before gtest_main's RUN_ALL_TESTS.
[[maybe_unused]] static ::testing::Environment* const kFaultEnvironment =
    ::testing::AddGlobalTestEnvironment(new eventlog::faults::FaultEnvironment);
