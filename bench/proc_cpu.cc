#include "bench/proc_cpu.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>
#include <vector>

namespace eventlog::bench {
namespace {

double Ticks() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }

// The fields of /proc/<pid>/stat after the command name (in parentheses, may hold blanks):
// [0] is field 3 (state), [1] field 4 (ppid), [11..14] fields 14..17 (utime, stime, cutime,
// cstime). Empty when the process is gone.
std::vector<std::string> StatFields(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return {};
  size_t close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size()) return {};
  std::istringstream rest(line.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

}  // namespace

double ProcessCpuSeconds(pid_t pid, bool reaped_children) {
  if (pid <= 0) return -1;
  std::vector<std::string> f = StatFields(pid);
  if (f.size() < 15) return -1;
  double ticks = std::stod(f[11]) + std::stod(f[12]);
  if (reaped_children) ticks += std::stod(f[13]) + std::stod(f[14]);
  return ticks / Ticks();
}

pid_t PidFromFile(const std::string& path) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word)) return -1;
  if (word == "PID:" && !(in >> word)) return -1;
  try {
    long pid = std::stol(word);
    return pid > 0 ? static_cast<pid_t>(pid) : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

double PostgresCpuSeconds(pid_t postmaster) {
  double total = ProcessCpuSeconds(postmaster, true);
  if (total < 0) return -1;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return -1;
  const std::string parent = std::to_string(postmaster);
  while (dirent* e = readdir(proc)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
    std::vector<std::string> f = StatFields(pid);
    if (f.size() >= 15 && f[1] == parent) total += (std::stod(f[11]) + std::stod(f[12])) / Ticks();
  }
  closedir(proc);
  return total;
}

MachineCpu ReadMachineCpu() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  stat >> cpu;  // "cpu": all CPUs
  // user nice system idle iowait irq softirq steal (guest time is inside user already)
  double v[8] = {};
  for (double& x : v) stat >> x;
  MachineCpu m;
  m.total_seconds = (v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]) / Ticks();
  m.busy_seconds = m.total_seconds - (v[3] + v[4]) / Ticks();
  return m;
}

double BusyCores(const MachineCpu& before, const MachineCpu& after, double wall_seconds) {
  if (wall_seconds <= 0) return -1;
  return (after.busy_seconds - before.busy_seconds) / wall_seconds;
}

}  // namespace eventlog::bench
