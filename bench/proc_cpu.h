#pragma once

#include <sys/types.h>

#include <string>

// CPU time of processes and of the machine, from /proc: where a scenario's CPU went.
namespace eventlog::bench {

// utime + stime of `pid` in seconds; with `reaped_children`, plus cutime + cstime (the
// children it has waited for). Negative when there is no such process.
double ProcessCpuSeconds(pid_t pid, bool reaped_children = false);

// The PID a server wrote into `path`: its first number, after a "PID:" if there is one
// (ClickHouse's status file, ZooKeeper's and PostgreSQL's pid files). -1 when unreadable.
pid_t PidFromFile(const std::string& path);

// A PostgreSQL server's CPU: the postmaster with the backends it reaped, plus its live children.
// A backend counted live at one reading and reaped by the next is in both, once each, so the
// difference of two readings is the CPU the server used between them. Negative when unknown.
double PostgresCpuSeconds(pid_t postmaster);

// after - before of two CPU readings; negative when either is unknown (negative).
inline double CpuDelta(double before, double after) {
  return before < 0 || after < 0 ? -1 : after - before;
}

// All CPUs together, from /proc/stat: seconds busy (not idle or iowait) and in all.
struct MachineCpu {
  double busy_seconds = 0;
  double total_seconds = 0;
};
MachineCpu ReadMachineCpu();

// Busy CPUs on average between two readings (0 .. number of CPUs).
double BusyCores(const MachineCpu& before, const MachineCpu& after, double wall_seconds);

}  // namespace eventlog::bench
