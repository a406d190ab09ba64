// The ClickHouse client and sink against the real server when its users, the environment or
// the schema would bend them: a profile that skips bad rows, proxies in the environment, huge
// answers, a time column without UTC, rows at the edge of the time range.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/clickhouse_sink.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

class ClickHouseHardeningTest : public IntegrationTest {
 protected:
  static OutboxRow Row(const std::string& environment = "Test") {
    return ToOutboxRow(MakeEvent("UserCreated", {{"a", 1}}), environment, 1024).value();
  }
  // The time type `eventlog migrate` gives this server, with or without the UTC zone.
  std::string TimeType(bool utc) {
    ClickHouseClient client(Servers().clickhouse);
    auto v = ReadServerVersion(client);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    if (v.ok() && v->HasDateTime64()) return utc ? "DateTime64(6, 'UTC')" : "DateTime64(6)";
    return utc ? "DateTime('UTC')" : "DateTime";
  }
  void CreateTable(const std::string& name, const std::string& time_type,
                   const std::string& environment_type) {
    ChScalar("DROP TABLE IF EXISTS " + name);
    ChScalar("CREATE TABLE " + name + " (event_id UUID, event_type String, event_date_time " +
             time_type + ", environment " + environment_type +
             ", event_context String, metadata_version UInt64, trace_id String, span_id String) "
             "ENGINE = MergeTree ORDER BY "
             "event_id");
  }
};

// A user whose profile has input_format_allow_errors_num=10 (scripts/services.sh): ClickHouse
// would skip the bad row and answer 200, and the relay would count the lost event delivered.
TEST_F(ClickHouseHardeningTest, ProfileThatSkipsBadRowsCannotMakeAnInsertLoseOne) {
  ClickHouseOptions lenient = Servers().clickhouse;
  lenient.user = "eventlog_lenient";
  ClickHouseClient probe(lenient);
  ASSERT_TRUE(WaitFor([&] {  // users.xml is reloaded by the server a few seconds after a change
    auto r = probe.Execute(
        "SELECT value FROM system.settings WHERE name = 'input_format_allow_errors_num'");
    return r.ok() && r.value() == "10\n";
  })) << "user eventlog_lenient missing: run scripts/services.sh start";
  CreateTable("event_log_strict", TimeType(true), "FixedString(5)");
  ClickHouseSink sink(lenient, "event_log_strict");
  std::vector<OutboxRow> rows = {Row("Test"), Row("someone.private@example.com"), Row("Test")};
  Status s = sink.Insert(7, rows);
  EXPECT_EQ(s.code(), StatusCode::kRejected) << s.ToString();
  EXPECT_EQ(s.server_code(), 131) << s.ToString();  // TOO_LARGE_STRING_SIZE
  // The server quotes the row back; what we keep (logs, dead letters) names the column only.
  EXPECT_NE(s.message().find("FixedString(5)"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("example.com"), std::string::npos) << s.message();
  EXPECT_EQ(ChScalar("SELECT count() FROM event_log_strict"), "0");
  // The good rows alone go through, for the same user.
  EXPECT_TRUE(sink.Insert(8, {rows[0], rows[2]}).ok());
  EXPECT_EQ(ChScalar("SELECT count() FROM event_log_strict"), "2");
  ChScalar("DROP TABLE event_log_strict");
}

TEST_F(ClickHouseHardeningTest, TimeColumnWithoutUtcIsRefusedByProbeAndMigrate) {
  CreateTable("event_log_local", TimeType(false), "String");
  ClickHouseSink sink(Servers().clickhouse, "event_log_local");
  Status s = sink.Probe();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find(Servers().clickhouse.database + ".event_log_local.event_date_time"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("MODIFY COLUMN event_date_time " + TimeType(true)), std::string::npos)
      << s.message();
  EXPECT_EQ(sink.Insert(1, {Row()}).code(), StatusCode::kFailedPrecondition);

  const TestServers& servers = Servers();
  std::string cmd =
      "cd /tmp && env DATABASE_URL=" + servers.database_url +
      " CLICKHOUSE_HOST=127.0.0.1 CLICKHOUSE_PORT=" + std::to_string(servers.clickhouse.port) +
      " CLICKHOUSE_USER=eventlog CLICKHOUSE_PASSWORD=eventlog CLICKHOUSE_SCHEMA=" +
      servers.clickhouse.database + " CLICKHOUSE_EVENT_LOG_TABLE=event_log_local " + EVENTLOG_BIN +
      " --env-file /dev/null migrate 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  int status = pclose(p);
  EXPECT_NE(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("event_log_local.event_date_time"), std::string::npos) << out;
  EXPECT_NE(out.find("UTC"), std::string::npos) << out;
  ChScalar("DROP TABLE event_log_local");
}

// 32-bit toDateTime bounds wrapped below 1970: a row at the epoch was missed by the check,
// so it would have been sent again.
TEST_F(ClickHouseHardeningTest, RecoveryCheckFindsRowsAtTheEdgeOfTheTimeRange) {
  ClickHouseSink sink(Servers().clickhouse, Servers().table);
  OutboxRow epoch = Row();
  epoch.event_time_us = 0;
  OutboxRow modern = Row();
  ASSERT_TRUE(sink.Insert(3, {epoch, modern}).ok());
  auto present = sink.FindPresent(3, {epoch, modern});
  ASSERT_TRUE(present.ok()) << present.status().ToString();
  EXPECT_EQ(present->present.count(epoch.event_id), 1u);
  EXPECT_EQ(present->present.count(modern.event_id), 1u);
}

// Item 14: an id ClickHouse holds for a different event is reported as reused, not as present
// (which would drop our event silently).
TEST_F(ClickHouseHardeningTest, RecoveryCheckTellsAReusedIdFromOurOwnRow) {
  ClickHouseSink sink(Servers().clickhouse, Servers().table);
  OutboxRow ours = Row();
  OutboxRow other = ours;
  other.event_context = R"({"another":"event"})";
  ASSERT_TRUE(sink.Insert(0, {other}).ok());
  auto found = sink.FindPresent(4, {ours});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_TRUE(found->present.empty());
  EXPECT_EQ(found->reused.count(ours.event_id), 1u);
  found = sink.FindPresent(4, {other});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->present.count(other.event_id), 1u);
}

// Item 6: a check of a big batch must not hit max_ast_elements (about 16,600 ids in one IN list
// already do, code 168): it would fail the same way forever.
TEST_F(ClickHouseHardeningTest, RecoveryCheckOfABigBatchStaysUnderTheAstLimit) {
  ClickHouseSink sink(Servers().clickhouse, Servers().table);
  std::vector<OutboxRow> rows;
  for (int i = 0; i < 20000; ++i) rows.push_back(Row());
  ASSERT_TRUE(sink.Insert(5, rows).ok());
  auto found = sink.FindPresent(5, rows);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->present.size(), rows.size());
}

// Issue 8: INSERT bodies sent gzip-compressed arrive whole (ClickHouse decodes them).
TEST_F(ClickHouseHardeningTest, CompressedInsertsArriveWhole) {
  ClickHouseOptions options = Servers().clickhouse;
  options.compress_inserts = true;
  ClickHouseSink sink(options, Servers().table);
  std::vector<OutboxRow> rows;
  for (int i = 0; i < 500; ++i) rows.push_back(Row());
  ASSERT_TRUE(sink.Insert(6, rows).ok());
  EXPECT_EQ(ChCount(), 500);
  EXPECT_EQ(ChUniqueIds(), 500);
  auto found = sink.FindPresent(6, rows);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->present.size(), rows.size());
}

// Sets (or, given nullptr, unsets) environment variables for a scope and restores them.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value != nullptr) {
        setenv(name, value, 1);
      } else {
        unsetenv(name);
      }
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, old] : saved_) {
      if (old) {
        setenv(name.c_str(), old->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(ClickHouseHardeningTest, ProxiesInTheEnvironmentAreIgnored) {
  ScopedEnv env({{"http_proxy", "http://127.0.0.1:1"},
                 {"HTTPS_PROXY", "http://127.0.0.1:1"},
                 {"ALL_PROXY", "http://127.0.0.1:1"},
                 {"all_proxy", "http://127.0.0.1:1"},
                 // A NO_PROXY naming loopback would bypass the proxy even in a client that reads
                 // the environment, and the test would pass on code that does.
                 {"NO_PROXY", nullptr},
                 {"no_proxy", nullptr}});
  ClickHouseClient client(Servers().clickhouse);
  auto r = client.Execute("SELECT 1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value(), "1\n");
  // CLICKHOUSE_PROXY is honoured: this one is dead.
  ClickHouseOptions proxied = Servers().clickhouse;
  proxied.proxy = "http://127.0.0.1:1";
  ClickHouseClient via_proxy(proxied);
  EXPECT_EQ(via_proxy.Execute("SELECT 1").status().code(), StatusCode::kUnavailable);
}

TEST_F(ClickHouseHardeningTest, AnswerLargerThanTheCapFailsCleanly) {
  ClickHouseOptions capped = Servers().clickhouse;
  capped.max_response_bytes = 1 << 20;
  ClickHouseClient client(capped);
  const std::string big = "SELECT number FROM system.numbers LIMIT 500000";  // ~3.4 MB
  auto r = client.Execute(big);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("exceeds 1048576 bytes"), std::string::npos)
      << r.status().ToString();
  auto small = client.Execute("SELECT 1");  // the client stays usable
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  ClickHouseClient uncapped(Servers().clickhouse);  // 64 MiB by default
  EXPECT_TRUE(uncapped.Execute(big).ok());
}

TEST_F(ClickHouseHardeningTest, Ipv6HostGoesIntoTheUrlInBrackets) {
  // The server listens on 127.0.0.1 only: [::1] is refused, but the URL is well formed.
  for (const char* host : {"::1", "[::1]"}) {
    ClickHouseOptions v6 = Servers().clickhouse;
    v6.host = host;
    ClickHouseClient client(v6);
    Status s = client.Execute("SELECT 1").status();
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
    EXPECT_NE(s.message().find("[::1]:" + std::to_string(v6.port)), std::string::npos)
        << s.message();
    EXPECT_EQ(s.message().find("URL"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace eventlog::testing
