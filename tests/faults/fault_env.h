#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/faults/process.h"

namespace eventlog::faults {

// The suite's own servers (never the ones other tests or `make run` use), so it may kill them.
// EVENTLOG_FAULT_PG_PORT, EVENTLOG_FAULT_CH_HTTP_PORT and EVENTLOG_FAULT_CH_TCP_PORT move them,
// so two checkouts can run the suite at once (each has its own var/faults).
int FaultPort(const char* env_name, int fallback);
inline const int kPgPort = FaultPort("EVENTLOG_FAULT_PG_PORT", 55433);
inline const int kChHttpPort = FaultPort("EVENTLOG_FAULT_CH_HTTP_PORT", 58124);
inline const int kChTcpPort = FaultPort("EVENTLOG_FAULT_CH_TCP_PORT", 59001);
inline const std::string kDatabaseUrl =
    "postgresql://eventlog:eventlog@127.0.0.1:" + std::to_string(kPgPort) + "/eventlog";

std::string VarDir();   // <repo>/var/faults: the servers' data, cwd of every child
std::string LogsDir();  // <repo>/var/faults/logs: one log file per child

// Starts PostgreSQL and ClickHouse (scripts/services.sh) and runs `eventlog migrate` once;
// stops both at the end.
class FaultEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
};

// Server faults. Each returns once the server is down (or up and answering).
void StopClickHouse();  // SIGTERM
void KillClickHouse();  // SIGKILL, mid-whatever it is doing
void StartClickHouse();
void StopPostgres();
void StartPostgres();

// The environment of every eventlog child: the suite's servers and the fast relay settings.
Env BaseEnv();

// A free loopback TCP port (bound, read, released).
int FreePort();

// Starts `eventlog <args>` (cwd var/faults, so no .env applies) with BaseEnv() over `extra`;
// its output goes to logs/<test>-<name>.log.
std::unique_ptr<ChildProcess> SpawnEventlog(const std::vector<std::string>& args,
                                            const std::string& name, const Env& extra = {});
// Runs `eventlog <args>` to completion; returns the exit code, its stdout in `out` if given.
int RunEventlog(const std::vector<std::string>& args, const std::string& name,
                std::string* out = nullptr);

// Empties users, the outbox, the ledger, dead letters and counters, and ClickHouse's event_log.
void ResetState();

// Every case: a clean state before, servers up after (whatever the case did to them).
class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override;
};

}  // namespace eventlog::faults
