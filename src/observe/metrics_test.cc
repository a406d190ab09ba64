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
    m.ObserveClaim("db1", milliseconds(3), true, false, false);
    m.ObserveClaim("db1", milliseconds(1), false, false, false);
    m.ObserveClaim("db1", milliseconds(2), true, true, true);
    m.ObserveInsert(
        "db1",
        {.node = "ch1:8123", .took = milliseconds(20), .rows = 100, .bytes = 30000, .ok = true});
    m.ObserveInsert(
        "db1",
        {.node = "ch1:8123", .took = milliseconds(5), .rows = 100, .bytes = 30000, .ok = false});
    m.AddDelivered("db1", 100);
    m.AddBatchCompleted("db1");
    m.AddErrors("db1", Metrics::ErrorClass::kRetryable);
    m.AddErrors("db1", Metrics::ErrorClass::kRejected, 2);
    m.AddErrors("db1", Metrics::ErrorClass::kDeadLettered, 3);
    m.ObserveRequest("/users", 201, milliseconds(4));
    m.AddOutboxGaugeSource("db1", [] {
      return Result<OutboxGauges>(OutboxGauges{42, 1.5, 2, 1, 7});
    });
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
  EXPECT_EQ(Sample(text, R"(eventlog_events_delivered_total{source="db1"})"), 100);
  EXPECT_EQ(Sample(text, R"(eventlog_insert_rows_total{node="ch1:8123",source="db1"})"), 100)
      << "only INSERTs that succeeded";
  EXPECT_EQ(Sample(text, R"(eventlog_insert_bytes_total{node="ch1:8123",source="db1"})"), 30000);
  EXPECT_EQ(Sample(text, R"(eventlog_inserts_total{node="ch1:8123",result="error",source="db1"})"),
            1);
  EXPECT_EQ(Sample(text, R"(eventlog_errors_total{class="rejected",source="db1"})"), 2);
  EXPECT_EQ(Sample(text, R"(eventlog_errors_total{class="dead_lettered",source="db1"})"), 3);
  EXPECT_EQ(Sample(text, R"(eventlog_claims_total{result="empty",source="db1"})"), 1);
  EXPECT_EQ(Sample(text, R"(eventlog_claims_total{result="recovered",source="db1"})"), 1);
  EXPECT_EQ(Sample(text, R"(eventlog_lease_takeovers_total{source="db1"})"), 1);
  EXPECT_EQ(Sample(text, R"(eventlog_http_requests_total{route="/users",status="201"})"), 1);
  EXPECT_EQ(Sample(text, R"(eventlog_insert_duration_seconds_count{node="ch1:8123",source="db1"})"),
            2);
  EXPECT_EQ(Sample(text, R"(eventlog_outbox_pending_events{source="db1"})"), 42);
  EXPECT_EQ(Sample(text, R"(eventlog_outbox_oldest_pending_age_seconds{source="db1"})"), 1.5);
  EXPECT_EQ(Sample(text, R"(eventlog_dead_letters{source="db1"})"), 7);
}

TEST(MetricsTest, AFailedGaugeReadLeavesTheGaugesOutAndASeriesAppearsOnFirstUse) {
  Metrics m;
  EXPECT_EQ(SampleNames(m.Exposition()).count("eventlog_events_delivered_total"), 0u);
  m.AddOutboxGaugeSource(
      "down", [] { return Result<OutboxGauges>(Status(StatusCode::kUnavailable, "down")); });
  m.ObserveRequest("/healthz", 200, milliseconds(1));
  const std::set<std::string> names = SampleNames(m.Exposition());
  EXPECT_EQ(names.count("eventlog_outbox_pending_events"), 0u);
  EXPECT_EQ(names.count("eventlog_http_requests_total"), 1u);
}

// One outbox that does not answer hides only its own gauges: each source is its own series.
TEST(MetricsTest, EachSourceHasItsOwnGauges) {
  Metrics m;
  m.AddOutboxGaugeSource("up", [] { return Result<OutboxGauges>(OutboxGauges{5, 2, 1, 0, 0}); });
  m.AddOutboxGaugeSource(
      "down", [] { return Result<OutboxGauges>(Status(StatusCode::kUnavailable, "down")); });
  m.AddOutboxGaugeSource("other", [] { return Result<OutboxGauges>(OutboxGauges{7, 3, 1, 0, 0}); });
  const std::string text = m.Exposition();
  EXPECT_EQ(Sample(text, R"(eventlog_outbox_pending_events{source="up"})"), 5);
  EXPECT_EQ(Sample(text, R"(eventlog_outbox_pending_events{source="other"})"), 7);
  EXPECT_EQ(Sample(text, R"(eventlog_outbox_pending_events{source="down"})"), -1);
  EXPECT_EQ(text.find("# TYPE eventlog_outbox_pending_events"),
            text.rfind("# TYPE eventlog_outbox_pending_events"))
      << "one family, several series";
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
