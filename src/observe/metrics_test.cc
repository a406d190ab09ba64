#include "observe/metrics.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

namespace eventlog {
namespace {

using std::chrono::milliseconds;

// A Metrics that has counted one of everything, its gauges read from a fixed source.
Metrics& Exercised() {
  static Metrics m;
  static bool done = false;
  if (!done) {
    m.ObserveClaim(milliseconds(3), true, false, false);
    m.ObserveClaim(milliseconds(1), false, false, false);
    m.ObserveClaim(milliseconds(2), true, true, true);
    m.ObserveInsert(milliseconds(20), 100, 30000, true);
    m.ObserveInsert(milliseconds(5), 100, 30000, false);
    m.AddDelivered(100);
    m.AddBatchCompleted();
    m.AddErrors(Metrics::ErrorClass::kRetryable);
    m.AddErrors(Metrics::ErrorClass::kRejected, 2);
    m.AddErrors(Metrics::ErrorClass::kDeadLettered, 3);
    m.ObserveRequest("/users", 201, milliseconds(4));
    m.SetOutboxGaugeSource([] { return Result<OutboxGauges>(OutboxGauges{42, 1.5, 2, 1, 7}); });
    done = true;
  }
  return m;
}

// Sample names of a text exposition ("name{labels} value" or "name value").
std::set<std::string> SampleNames(const std::string& text) {
  std::set<std::string> names;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return names;
}

// The value of the sample `series` (the exact text before the value) in `text`, or -1.
double Sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

TEST(MetricsTest, CountsWhatItIsToldAndReadsTheGauges) {
  const std::string text = Exercised().Exposition();
  EXPECT_EQ(Sample(text, "eventlog_events_delivered_total"), 100);
  EXPECT_EQ(Sample(text, "eventlog_insert_rows_total"), 100) << "only INSERTs that succeeded";
  EXPECT_EQ(Sample(text, "eventlog_insert_bytes_total"), 30000);
  EXPECT_EQ(Sample(text, R"(eventlog_inserts_total{result="error"})"), 1);
  EXPECT_EQ(Sample(text, R"(eventlog_errors_total{class="rejected"})"), 2);
  EXPECT_EQ(Sample(text, R"(eventlog_errors_total{class="dead_lettered"})"), 3);
  EXPECT_EQ(Sample(text, R"(eventlog_claims_total{result="empty"})"), 1);
  EXPECT_EQ(Sample(text, R"(eventlog_claims_total{result="recovered"})"), 1);
  EXPECT_EQ(Sample(text, "eventlog_lease_takeovers_total"), 1);
  EXPECT_EQ(Sample(text, R"(eventlog_http_requests_total{route="/users",status="201"})"), 1);
  EXPECT_EQ(Sample(text, "eventlog_insert_duration_seconds_count"), 2);
  EXPECT_EQ(Sample(text, "eventlog_outbox_pending_events"), 42);
  EXPECT_EQ(Sample(text, "eventlog_outbox_oldest_pending_age_seconds"), 1.5);
  EXPECT_EQ(Sample(text, "eventlog_dead_letters"), 7);
}

TEST(MetricsTest, AFailedGaugeReadLeavesTheGaugesOutAndASeriesAppearsOnFirstUse) {
  Metrics m;
  EXPECT_EQ(SampleNames(m.Exposition()).count("eventlog_events_delivered_total"), 0u);
  m.SetOutboxGaugeSource(
      [] { return Result<OutboxGauges>(Status(StatusCode::kUnavailable, "down")); });
  m.ObserveRequest("/healthz", 200, milliseconds(1));
  const std::set<std::string> names = SampleNames(m.Exposition());
  EXPECT_EQ(names.count("eventlog_outbox_pending_events"), 0u);
  EXPECT_EQ(names.count("eventlog_http_requests_total"), 1u);
}

// The dashboard (deploy/grafana/eventlog.json) only uses metrics the program exports.
TEST(MetricsTest, EveryDashboardExpressionNamesAnExportedMetric) {
  std::ifstream file(EVENTLOG_SOURCE_DIR "/deploy/grafana/eventlog.json");
  ASSERT_TRUE(file.good());
  nlohmann::json dashboard = nlohmann::json::parse(file);
  const std::set<std::string> exported = SampleNames(Exercised().Exposition());
  const std::regex metric_name("eventlog_[a-z0-9_]+");
  int expressions = 0;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel["targets"]) {
      const std::string expr = target["expr"];
      ++expressions;
      for (std::sregex_iterator it(expr.begin(), expr.end(), metric_name), end; it != end; ++it) {
        EXPECT_EQ(exported.count(it->str()), 1u)
            << panel["title"] << ": " << it->str() << " is not exported";
      }
    }
  }
  EXPECT_GE(expressions, 10);
}

}  // namespace
}  // namespace eventlog
