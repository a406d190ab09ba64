#include "tests/faults/user_traffic.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "tests/faults/fault_checks.h"

namespace eventlog::faults {

UserTraffic::UserTraffic(int port, int per_second, std::string prefix)
    : port_(port), per_second_(per_second), prefix_(std::move(prefix)) {
  thread_ = std::thread([this] { Run(); });
}

UserTraffic::~UserTraffic() { Stop(); }

void UserTraffic::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void UserTraffic::Run() {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(10));
  auto interval = std::chrono::microseconds(1000000 / per_second_);
  auto next = std::chrono::steady_clock::now();
  for (int64_t n = 0; !stop_; ++n) {
    nlohmann::json body = {{"email", prefix_ + "-" + std::to_string(n) + "@faults.test"},
                           {"first_name", "Fault"},
                           {"last_name", std::to_string(n)}};
    auto started = std::chrono::steady_clock::now();
    auto res = client.Post("/users", body.dump(), "application/json");
    double took_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ++sent_;
    {
      std::lock_guard lock(mu_);
      int status = res ? res->status : 0;
      ++statuses_[status];
      if (status == 201) max_latency_s_ = std::max(max_latency_s_, took_s);
    }
    // Pacing of the load generator, not a wait for a condition.
    next = std::max(next + interval, std::chrono::steady_clock::now() - interval);
    std::this_thread::sleep_until(next);
  }
}

std::map<int, int64_t> UserTraffic::statuses() const {
  std::lock_guard lock(mu_);
  return statuses_;
}

double UserTraffic::max_latency_s() const {
  std::lock_guard lock(mu_);
  return max_latency_s_;
}

bool WaitServeReady(int port, std::chrono::milliseconds timeout) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::milliseconds(200));
  return WaitUntil(
      [&] {
        auto res = client.Get("/healthz");
        return res && res->status == 200;
      },
      timeout, std::chrono::milliseconds(50));
}

std::string FormatStatuses(const std::map<int, int64_t>& statuses) {
  std::string out;
  for (const auto& [status, n] : statuses) {
    out += (out.empty() ? "" : ",") + std::to_string(status) + ":" + std::to_string(n);
  }
  return out;
}

}  // namespace eventlog::faults
