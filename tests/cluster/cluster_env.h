#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/faults/process.h"

namespace eventlog::cluster {

using faults::ChildProcess;
using faults::Env;

// The suite's servers: scripts/cluster.sh's ZooKeeper and four ClickHouse nodes (2 shards x 2
// replicas, cluster eventlog_cluster), and a PostgreSQL of its own with two outbox databases.
inline constexpr int kPgPort = 55434;
inline constexpr int kNodes = 4;
inline constexpr const char* kCluster = "eventlog_cluster";
std::vector<std::string> SourceUrls();  // eventlog_a, eventlog_b
std::string ClickHouseHosts();          // CLICKHOUSE_HOSTS of the four nodes

std::string VarDir();  // <repo>/var/cluster-suite: logs, PostgreSQL
std::string LogsDir();

// Starts a fresh cluster (its old data removed) and PostgreSQL, runs `eventlog migrate`;
// stops everything at the end.
class ClusterEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
};

// scripts/cluster.sh <args...>; fails the test when it exits non-zero.
void ClusterScript(const std::vector<std::string>& args);

// A query to node `n` (1..4) as TSV without the trailing newline, or "ERROR: ..." when it fails.
std::string NodeQuery(int n, const std::string& sql);

// A value from one source database; -1 while it cannot answer.
int64_t PgCount(const std::string& url, const std::string& sql);
// Rows of every source not yet in ClickHouse (outbox + ledger); -1 on an error.
int64_t PendingRows();

// The environment of every relay: the cluster, both sources, fast retry settings.
Env RelayEnv();
std::unique_ptr<ChildProcess> SpawnEventlog(const std::vector<std::string>& args,
                                            const std::string& name, const Env& extra = {});

// faults::WaitUntil, polling every 100 ms by default (the conditions query servers).
inline bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds every = std::chrono::milliseconds(100)) {
  return faults::WaitUntil(condition, timeout, every);
}

}  // namespace eventlog::cluster
