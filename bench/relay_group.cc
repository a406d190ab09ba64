#include "bench/relay_group.h"

#include <signal.h>

#include <algorithm>
#include <fstream>

#include "bench/proc_cpu.h"

namespace eventlog::bench {

RelayGroup::RelayGroup(const BenchEnv& env, int relays, const std::string& log_name,
                       const faults::Env& extra)
    : log_path_(env.log_dir + "/" + log_name + ".log") {
  const std::string& log = log_path_;
  { std::ofstream truncate(log, std::ios::trunc); }  // this run's output only
  faults::Env child = ChildEnvironment(env);
  for (const auto& [k, v] : extra) child[k] = v;
  for (int i = 0; i < relays; ++i) {
    relays_.push_back(
        std::make_unique<faults::ChildProcess>(EventlogArgv("relay"), child, env.source_dir, log));
  }
}

int64_t RelayGroup::PeakRssBytes() const {
  int64_t peak = 0;
  for (const auto& r : relays_) peak = std::max(peak, PeakRssOf(r->pid()));
  return peak;
}

double RelayGroup::CpuSeconds() const {
  double total = 0;
  for (const auto& r : relays_) total += std::max(0.0, ProcessCpuSeconds(r->pid()));
  return total;
}

Status RelayGroup::Stop() {
  for (auto& r : relays_) r->Signal(SIGTERM);
  std::string failed;
  for (auto& r : relays_) {
    if (!r->WaitFor(std::chrono::seconds(30))) r->Kill();
    if (r->exit_code() != 0) failed += " " + std::to_string(r->exit_code());
  }
  if (failed.empty()) return Status::Ok();
  return {StatusCode::kInternal,
          "relay exit codes:" + failed + " (see " + relays_.front()->log_path() + ")"};
}

int64_t PeakRssOf(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      int64_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    status.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace eventlog::bench
