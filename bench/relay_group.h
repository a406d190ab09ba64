#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_env.h"

namespace eventlog::bench {

// `eventlog relay` child processes at the binary's default settings (ChildEnvironment).
// The destructor kills any still running. Thread-compatible.
class RelayGroup {
 public:
  // `extra` is added to (and overrides) ChildEnvironment(env), e.g. a cluster's CLICKHOUSE_HOSTS.
  RelayGroup(const BenchEnv& env, int relays, const std::string& log_name,
             const faults::Env& extra = {});

  // The largest VmHWM (peak resident set) among the relays, in bytes; read while they run.
  int64_t PeakRssBytes() const;
  // The CPU time the relays used so far, in seconds (utime + stime); read while they run.
  double CpuSeconds() const;
  // SIGTERM to all, then waits for each to exit; an error names a relay that did not exit 0.
  Status Stop();
  // The one log all the relays write into (env.log_dir/<log_name>.log).
  const std::string& log_path() const { return log_path_; }

 private:
  std::string log_path_;
  std::vector<std::unique_ptr<faults::ChildProcess>> relays_;
};

// VmHWM of /proc/<pid>/status in bytes; 0 when the process is gone.
int64_t PeakRssOf(pid_t pid);

}  // namespace eventlog::bench
