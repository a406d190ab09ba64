// Metrics that a real Prometheus scrapes (issue 9): Debian's `prometheus` runs as our own
// process, scraping `eventlog serve` (/metrics) and a relay (EVENTLOG_METRICS_PORT) every second,
// through traffic and a ClickHouse outage. Its query API must show what happened: the outbox
// depth rises while ClickHouse is down, delivered events catch up with the requests after.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/faults/fault_checks.h"
#include "tests/faults/fault_env.h"
#include "tests/faults/user_traffic.h"

namespace eventlog::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class PrometheusTest : public FaultTest {
 protected:
  // Starts Prometheus on a free port, scraping `targets` (job name -> host:port) every second.
  void StartPrometheus(const std::map<std::string, std::string>& targets) {
    port_ = FreePort();
    const std::string dir = VarDir() + "/prometheus";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream config(dir + "/prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
    for (const auto& [job, target] : targets) {
      config << "  - job_name: " << job << "\n    static_configs:\n      - targets: ['" << target
             << "']\n";
    }
    config.close();
    prometheus_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + dir + "/prometheus.yml",
                                 "--storage.tsdb.path=" + dir + "/data",
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                 "--log.level=warn"},
        Env{{"HOME", dir}}, dir, LogsDir() + "/prometheus.log");
  }

  // The value of an instant PromQL query with one series; nullopt when it has none (yet).
  std::optional<double> Query(const std::string& promql) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(5, 0);
    auto res = client.Get("/api/v1/query", httplib::Params{{"query", promql}}, httplib::Headers{});
    if (!res || res->status != 200) return std::nullopt;
    auto body = nlohmann::json::parse(res->body, nullptr, false);
    if (body.is_discarded() || body["data"]["result"].empty()) return std::nullopt;
    return std::stod(body["data"]["result"][0]["value"][1].get<std::string>());
  }

  // Waits until `promql` has a value for which `ok` holds; the last value seen.
  std::optional<double> WaitForValue(const std::string& promql,
                                     const std::function<bool(double)>& ok, seconds timeout) {
    std::optional<double> last;
    WaitUntil(
        [&] {
          last = Query(promql);
          return last && ok(*last);
        },
        timeout, milliseconds(500));
    return last;
  }

  int port_ = 0;
  std::unique_ptr<ChildProcess> prometheus_;
};

TEST_F(PrometheusTest, ScrapedSeriesFollowTrafficAndAClickHouseOutage) {
  const int serve_port = FreePort();
  const int relay_metrics_port = FreePort();
  auto serve = SpawnEventlog({"serve"}, "serve", {{"PORT", std::to_string(serve_port)}});
  ASSERT_TRUE(WaitServeReady(serve_port, seconds(15)));
  auto relay = SpawnEventlog({"relay"}, "relay",
                             {{"EVENTLOG_METRICS_PORT", std::to_string(relay_metrics_port)}});
  StartPrometheus({{"serve", "127.0.0.1:" + std::to_string(serve_port)},
                   {"relay", "127.0.0.1:" + std::to_string(relay_metrics_port)}});

  UserTraffic traffic(serve_port, 40, "prometheus");
  // Both targets up and the relay delivering, as Prometheus sees them.
  EXPECT_TRUE(WaitForValue(
      "sum(up)", [](double v) { return v == 2; }, seconds(30)))
      << "Prometheus did not scrape both targets; see " << prometheus_->log_path();
  auto delivered_before = WaitForValue(R"(eventlog_events_delivered_total{job="relay"})",
                                       [](double v) { return v >= 40; }, seconds(30));
  ASSERT_TRUE(delivered_before && *delivered_before >= 40) << "no delivery seen by Prometheus";
  EXPECT_TRUE(WaitForValue(R"(sum(eventlog_http_requests_total{route="/users",status="201"}))",
                           [](double v) { return v >= 40; }, seconds(10)));
  EXPECT_TRUE(WaitForValue(R"(eventlog_insert_duration_seconds_count{job="relay"})",
                           [](double v) { return v >= 1; }, seconds(10)));

  // ClickHouse down: the depth rises, the relay counts retryable errors, requests still go.
  StopClickHouse();
  auto depth = WaitForValue(R"(eventlog_outbox_pending_events{job="relay"})",
                            [](double v) { return v >= 200; }, seconds(30));
  EXPECT_TRUE(depth && *depth >= 200) << "the depth did not rise during the outage";
  EXPECT_TRUE(WaitForValue(R"(eventlog_errors_total{job="relay",class="retryable"})",
                           [](double v) { return v >= 1; }, seconds(20)));
  EXPECT_TRUE(WaitForValue(R"(eventlog_outbox_oldest_pending_age_seconds{job="relay"})",
                           [](double v) { return v >= 2; }, seconds(20)));
  StartClickHouse();
  traffic.Stop();

  // After: everything is delivered, and Prometheus shows delivered catching up with the 201s.
  double drain_s = 0;
  ASSERT_TRUE(WaitDrained(seconds(60), &drain_s)) << "pending: " << PendingRows();
  const double created = static_cast<double>(traffic.statuses()[201]);
  EXPECT_TRUE(WaitForValue(R"(eventlog_events_delivered_total{job="relay"})",
                           [&](double v) { return v >= created; }, seconds(20)))
      << "delivered did not catch up with " << created << " created users";
  EXPECT_TRUE(WaitForValue(R"(eventlog_outbox_pending_events{job="relay"})",
                           [](double v) { return v < 200; }, seconds(20)));
  EXPECT_TRUE(relay->IsAlive());
  EXPECT_TRUE(serve->IsAlive());
}

}  // namespace
}  // namespace eventlog::faults
