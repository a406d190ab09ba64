#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/faults/process.h"

namespace eventlog::testing {

// `eventlog serve` as a child process on a free loopback port, against the test database,
// its output in a log file. The destructor kills it if it still runs.
// REQUIRES: started from the test's main thread (the child dies with it).
using ServeEnv = std::map<std::string, std::string>;

class ServeChild {
 public:
  explicit ServeChild(const ServeEnv& extra_env = {});
  ~ServeChild();
  ServeChild(const ServeChild&) = delete;
  ServeChild& operator=(const ServeChild&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return child_->pid(); }
  // Polls GET /healthz until 200; false after `timeout`.
  bool WaitHealthy(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void Signal(int signo) const;
  // Waits for the exit; true when it exited within `timeout` (see exit_code()).
  bool WaitExit(std::chrono::milliseconds timeout);
  int exit_code() const { return child_->exit_code(); }  // or 128 + signal; -1 while running
  std::string Output() const;                            // stdout and stderr so far
  long RssKiB() const;                                   // VmRSS from /proc/<pid>/status

 private:
  int port_ = 0;
  std::string log_path_;
  std::unique_ptr<faults::ChildProcess> child_;
};

// Raw sockets, for clients too impolite for an HTTP library.
int ConnectTo(int port);  // a blocking loopback connection, or -1
bool SendAll(int fd, const std::string& data);
// Reads an HTTP response (head and Content-Length body) or until EOF; "" after `timeout`.
std::string ReadResponse(int fd, std::chrono::milliseconds timeout);
int StatusOf(const std::string& response);  // the status code of a response, or -1
std::string BodyOf(const std::string& response);

// Sockets that each send one more byte of a request head every `interval`, never finishing:
// the slowloris attack. Stops (and closes them) on destruction.
class SlowSenders {
 public:
  SlowSenders(int port, int count, std::chrono::milliseconds interval);
  ~SlowSenders();
  SlowSenders(const SlowSenders&) = delete;
  SlowSenders& operator=(const SlowSenders&) = delete;
  int rounds() const { return rounds_.load(); }  // bytes sent so far on each socket
  int connected() const { return connected_.load(); }

 private:
  std::vector<int> fds_;
  std::atomic<bool> stop_{false};
  std::atomic<int> rounds_{0};
  std::atomic<int> connected_{0};
  std::thread thread_;
};

// GET /healthz on a fresh connection: the status, or -1 when no answer came within `timeout`.
int GetHealthz(int port, std::chrono::milliseconds timeout);

}  // namespace eventlog::testing
