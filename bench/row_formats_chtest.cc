// The bench's binary encodings against a real ClickHouse: the same rows INSERTed as
// TabSeparated (the relay's encoding), RowBinary and Native read back identical.
// EVENTLOG_TEST_CLICKHOUSE_PORT (58123) names the server; the test uses a database of its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "bench/row_formats.h"
#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/http_client.h"
#include "core/migration.h"

namespace eventlog::bench {
namespace {

constexpr const char* kDatabase = "eventlog_bench_formats_test";
constexpr const char* kKnownUuid = "01234567-89ab-cdef-0123-456789abcdef";

class NoLedger : public MigrationLedger {
 public:
  Result<std::set<int>> Applied(const std::string&) override { return std::set<int>{}; }
  Status Record(const std::string&, const Migration&) override { return Status::Ok(); }
};

ClickHouseOptions Options(const std::string& database) {
  ClickHouseOptions o;
  const char* port = std::getenv("EVENTLOG_TEST_CLICKHOUSE_PORT");
  o.port = port != nullptr && *port != '\0' ? std::stoi(port) : 58123;
  o.user = "eventlog";
  o.password = "eventlog";
  o.database = database;
  return o;
}

// Rows that exercise every field: every byte value in a String, empty strings, the first and
// a late second, a fraction of a second, large metadata versions.
std::vector<OutboxRow> TrickyRows() {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
  std::vector<OutboxRow> rows;
  rows.push_back({kKnownUuid, "user_created", 1767323045'123456, "prod", "{\"a\":1}", 1, "", ""});
  rows.push_back(
      {"00000000-0000-0000-0000-000000000000", "t", 0, "", every_byte, 0, every_byte, "\t\n\\'\""});
  rows.push_back({"ffffffff-ffff-ffff-ffff-ffffffffffff", "user_deleted", 4102444799'999999,
                  "é ✓ 🙂", "{\"note\":\"tab\\there\"}", UINT64_MAX,
                  "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"});
  rows.push_back({"018f3a1c-7b2e-7c3d-8e4f-a0b1c2d3e4f5", "x", 1, "e", "{}", 2, "t", "s"});
  return rows;
}

class RowFormatsClickHouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ClickHouseClient admin(Options("default"));
    ASSERT_TRUE(admin.Execute(std::string("DROP DATABASE IF EXISTS ") + kDatabase).ok());
    NoLedger ledger;
    std::vector<std::string> applied;
    Status s = ApplyClickHouseMigrations(admin, kDatabase, "event_log", "", ledger, applied);
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto time_column = ReadTimeColumn(client_, kDatabase, "event_log");
    ASSERT_TRUE(time_column.ok()) << time_column.status().ToString();
    time_column_ = time_column.value();
  }
  void TearDown() override {
    ClickHouseClient admin(Options("default"));
    (void)admin.Execute(std::string("DROP DATABASE IF EXISTS ") + kDatabase);
  }

  // Empties event_log, INSERTs `rows` in `format` and reads every column back as text.
  std::string RoundTrip(RowFormat format, const std::vector<OutboxRow>& rows) {
    EXPECT_TRUE(client_.Execute(std::string("TRUNCATE TABLE ") + kDatabase + ".event_log").ok());
    auto body = EncodeRows(format, rows, time_column_);
    EXPECT_TRUE(body.ok());
    if (!body.ok()) return "";
    auto inserted =
        client_.Execute(std::string("INSERT INTO ") + kDatabase + ".event_log (" +
                            std::string(kInsertColumns) + ") FORMAT " + FormatName(format),
                        body.value());
    EXPECT_TRUE(inserted.ok()) << FormatName(format) << ": " << inserted.status().ToString();
    auto back = client_.Execute(
        std::string("SELECT toString(event_id), event_type, event_date_time, environment, "
                    "event_context, metadata_version, trace_id, span_id FROM ") +
        kDatabase + ".event_log ORDER BY toString(event_id) FORMAT TabSeparated");
    EXPECT_TRUE(back.ok()) << back.status().ToString();
    return back.ok() ? back.value() : "";
  }

  ClickHouseClient client_{Options(kDatabase)};
  TimeColumn time_column_;
};

TEST_F(RowFormatsClickHouseTest, BinaryFormatsReadBackAsTheTabSeparatedRows) {
  const std::vector<OutboxRow> rows = TrickyRows();
  const std::string tsv = RoundTrip(RowFormat::kTabSeparated, rows);
  ASSERT_FALSE(tsv.empty());
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), static_cast<long>(rows.size()));
  EXPECT_EQ(RoundTrip(RowFormat::kRowBinary, rows), tsv);
  EXPECT_EQ(RoundTrip(RowFormat::kNative, rows), tsv);
}

TEST_F(RowFormatsClickHouseTest, UuidReadsBackAsWritten) {
  OutboxRow row{kKnownUuid, "user_created", 1767323045'000000, "prod", "{}", 7, "", ""};
  for (RowFormat f : {RowFormat::kRowBinary, RowFormat::kNative}) {
    std::string back = RoundTrip(f, {row});
    EXPECT_EQ(back.substr(0, back.find('\t')), kKnownUuid) << FormatName(f);
    EXPECT_NE(back.find("\t2026-01-02 03:04:05"), std::string::npos) << FormatName(f) << back;
  }
}

}  // namespace
}  // namespace eventlog::bench
