#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace eventlog::faults {

using Env = std::map<std::string, std::string>;

// A child process (fork/exec) with exactly `env` as its environment, stdout and stderr
// appended to `log_path`. The destructor SIGKILLs and reaps it if it still runs, so a failing
// test never leaves a child behind.
// REQUIRES: started from the test's main thread (the child dies with that thread).
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, Env env, std::string cwd, std::string log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // True while the process runs (reaps it when it has ended).
  bool IsAlive();
  void Signal(int signo);
  // Waits up to `timeout` for the process to end; true when it has. See exit_code().
  bool WaitFor(std::chrono::milliseconds timeout);
  // Sends SIGKILL and reaps.
  void Kill();
  // The exit status once ended: the exit code, or 128 + signal; -1 while running.
  int exit_code() const { return exit_code_; }

 private:
  void Reap(int status);

  pid_t pid_ = -1;
  bool ended_ = false;
  int exit_code_ = -1;
  std::string log_path_;
};

// Polls `condition` every `every` until it holds (true) or `timeout` passes (false).
bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every = std::chrono::milliseconds(20));

// Runs `argv` to completion (up to `timeout`); returns its exit code (-1 on timeout, after
// killing it). Output goes to `log_path`.
int RunToCompletion(std::vector<std::string> argv, Env env, const std::string& cwd,
                    const std::string& log_path, std::chrono::milliseconds timeout);

}  // namespace eventlog::faults
