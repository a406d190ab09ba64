#include "bench/report.h"

#include <gtest/gtest.h>

namespace eventlog::bench {
namespace {

// The rows whose figure starts with `prefix` (after the indentation), in order.
std::vector<ReportRow> RowsStartingWith(const std::vector<ReportRow>& rows,
                                        const std::string& prefix) {
  std::vector<ReportRow> out;
  for (const ReportRow& r : rows) {
    if (r.figure.find_first_not_of(' ') == r.figure.find(prefix)) out.push_back(r);
  }
  return out;
}

BenchRun RunWithOneDrain(std::optional<RelayTimeSplit> split) {
  BenchRun run;
  run.events = 1000000;
  run.bulk.value = BulkResult{1000000, 1e6, 0.5, {}};
  run.bulk.value->formats = {{"TabSeparated", 300, 1e6, 0.5},
                             {"RowBinary", 270, 1.25e6, 0.4},
                             {"Native", 270, 1.5e6, 0.25}};
  DrainResult d;
  d.relays = 1;
  d.events = 1000000;
  d.events_per_s = 200000;
  d.cpu_seconds = 0.5;
  d.postgres_cpu_seconds = 0.25;
  d.relay_cpu_seconds = 0.25;
  d.time_split = split;
  run.drains[1].value = d;
  return run;
}

TEST(ReportTest, EachFormatBesideTabSeparated) {
  auto rows = RowsStartingWith(BuildReport(RunWithOneDrain(std::nullopt)), "FORMAT ");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].figure, "  FORMAT RowBinary: 0.90x bytes, 0.80x CPU/row of TSV");
  EXPECT_EQ(rows[0].value, "1,250,000 rows/s, 0.40 us CPU/row");
  EXPECT_DOUBLE_EQ(rows[0].ratio, 1.25);
  EXPECT_EQ(rows[1].figure, "  FORMAT Native: 0.90x bytes, 0.50x CPU/row of TSV");
}

TEST(ReportTest, CpuPerEventOfEachProcessAgainstTheBulkInsert) {
  auto rows = BuildReport(RunWithOneDrain(std::nullopt));
  auto sum = RowsStartingWith(rows, "CPU us/event");
  ASSERT_EQ(sum.size(), 1u);
  EXPECT_EQ(sum[0].value, "0.25 + 0.25 + 0.50 = 1.00 us");
  EXPECT_DOUBLE_EQ(sum[0].ratio, 2.0);  // 1.00 us against the bulk's 0.50
  EXPECT_EQ(sum[0].met, 1);
  auto relay = RowsStartingWith(rows, "relay CPU per event");
  ASSERT_EQ(relay.size(), 1u);
  EXPECT_EQ(relay[0].value, "0.25 us");
  EXPECT_EQ(relay[0].met, 1);  // <= 0.5 us
}

TEST(ReportTest, TimeSplitSharesAndMillisecondsPerBatch) {
  RelayTimeSplit t{
      .lines = 1, .batches = 20, .claim_s = 1, .read_s = 0.5, .send_s = 2, .mark_s = 0.5};
  auto rows = BuildReport(RunWithOneDrain(t));
  auto shares = RowsStartingWith(rows, "relay time:");
  ASSERT_EQ(shares.size(), 1u);
  EXPECT_EQ(shares[0].value, "25% / 12% / 50% / 12% of 4.00 s");
  auto per_batch = RowsStartingWith(rows, "ms per batch");
  ASSERT_EQ(per_batch.size(), 1u);
  EXPECT_EQ(per_batch[0].value, "50.00 / 25.00 / 100.00 / 25.00");
}

TEST(ReportTest, NoTimeSplitIsNotApplicable) {
  auto shares = RowsStartingWith(BuildReport(RunWithOneDrain(std::nullopt)), "relay time:");
  ASSERT_EQ(shares.size(), 1u);
  EXPECT_EQ(shares[0].value.substr(0, 3), "n/a");
}

}  // namespace
}  // namespace eventlog::bench
