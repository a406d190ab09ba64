#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace eventlog::faults {

// A steady stream of POST /users to `eventlog serve` on `port`, `per_second` requests a
// second, each with a new email "<prefix>-<n>@faults.test", from its own thread.
class UserTraffic {
 public:
  UserTraffic(int port, int per_second, std::string prefix);
  ~UserTraffic();  // stops
  void Stop();

  // HTTP status -> how many requests got it; 0 stands for "no HTTP answer" (connection error).
  std::map<int, int64_t> statuses() const;
  int64_t sent() const { return sent_; }
  double max_latency_s() const;  // of the 201 answers

 private:
  void Run();

  int port_;
  int per_second_;
  std::string prefix_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> sent_{0};
  mutable std::mutex mu_;
  std::map<int, int64_t> statuses_;  // GUARDED_BY(mu_)
  double max_latency_s_ = 0;         // GUARDED_BY(mu_)
  std::thread thread_;
};

// Waits until `eventlog serve` on `port` answers GET /healthz with 200.
bool WaitServeReady(int port, std::chrono::milliseconds timeout);

// "201:950 503:50" for a figures line.
std::string FormatStatuses(const std::map<int, int64_t>& statuses);

}  // namespace eventlog::faults
