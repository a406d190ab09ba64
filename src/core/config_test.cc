#include "core/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "testing/config_error.h"

namespace eventlog {
namespace {

std::string ErrorOf(const EnvMap& env) { return testing::ConfigErrorOf(env); }

TEST(LoadConfig, EmptyEnvironmentGivesTheDefaults) {
  auto c = LoadConfig({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->database_url, "postgresql://eventlog:eventlog@127.0.0.1:55432/eventlog");
  EXPECT_EQ(c->clickhouse_host, "127.0.0.1");
  EXPECT_EQ(c->clickhouse_port, 8123);
  EXPECT_EQ(c->clickhouse_user, "default");
  EXPECT_EQ(c->clickhouse_password, "");
  EXPECT_EQ(c->clickhouse_schema, "default");
  EXPECT_EQ(c->clickhouse_protocol, "http");
  EXPECT_EQ(c->clickhouse_event_log_table, "event_log");
  EXPECT_EQ(c->clickhouse_connect_timeout_ms, 2000);
  EXPECT_EQ(c->clickhouse_timeout_ms, 10000);
  EXPECT_EQ(c->environment, "Local");
  EXPECT_EQ(c->batch_size, 200000);
  EXPECT_EQ(c->batch_max_bytes, int64_t{64} << 20);
  EXPECT_EQ(c->min_insert_interval_ms, 220);
  EXPECT_EQ(c->poll_interval_ms, 50);
  EXPECT_EQ(c->lease_ms, 30000);
  EXPECT_EQ(c->retry_base_ms, 200);
  EXPECT_EQ(c->retry_max_ms, 10000);
  EXPECT_EQ(c->max_attempts, 5);
  EXPECT_EQ(c->shutdown_timeout_ms, 10000);
  EXPECT_EQ(c->max_event_bytes, 1 << 20);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->log_format, LogFormat::kJson);
  EXPECT_EQ(c->host, "127.0.0.1");  // loopback: the demo service has no authentication
  EXPECT_EQ(c->port, 8000);
  EXPECT_EQ(c->db_pool_size, 8);
}

TEST(LoadConfig, ReadsEveryVariable) {
  EnvMap env = {
      {"DATABASE_URL", "postgresql://u:p@db:5432/x"},
      {"CLICKHOUSE_HOST", "ch.internal"},
      {"CLICKHOUSE_PORT", "9123"},
      {"CLICKHOUSE_USER", "writer"},
      {"CLICKHOUSE_PASSWORD", "pw"},
      {"CLICKHOUSE_SCHEMA", "analytics"},
      {"CLICKHOUSE_PROTOCOL", "https"},
      {"CLICKHOUSE_EVENT_LOG_TABLE", "events_v2"},
      {"CLICKHOUSE_CONNECT_TIMEOUT_MS", "1500"},
      {"CLICKHOUSE_TIMEOUT_MS", "5000"},
      {"ENVIRONMENT", "Production"},
      {"EVENTLOG_BATCH_SIZE", "500"},
      {"EVENTLOG_POLL_INTERVAL_MS", "250"},
      {"EVENTLOG_LEASE_MS", "12000"},
      {"EVENTLOG_RETRY_BASE_MS", "50"},
      {"EVENTLOG_RETRY_MAX_MS", "9000"},
      {"EVENTLOG_MAX_ATTEMPTS", "7"},
      {"EVENTLOG_SHUTDOWN_TIMEOUT_MS", "4000"},
      {"EVENTLOG_MAX_EVENT_BYTES", "65536"},
      {"LOG_LEVEL", "debug"},
      {"LOG_FORMAT", "console"},
      {"HOST", "127.0.0.1"},
      {"PORT", "8081"},
      {"EVENTLOG_DB_POOL_SIZE", "3"},
  };
  auto c = LoadConfig(env);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->database_url, "postgresql://u:p@db:5432/x");
  EXPECT_EQ(c->clickhouse_host, "ch.internal");
  EXPECT_EQ(c->clickhouse_port, 9123);
  EXPECT_EQ(c->clickhouse_user, "writer");
  EXPECT_EQ(c->clickhouse_password, "pw");
  EXPECT_EQ(c->clickhouse_schema, "analytics");
  EXPECT_EQ(c->clickhouse_protocol, "https");
  EXPECT_EQ(c->clickhouse_event_log_table, "events_v2");
  EXPECT_EQ(c->clickhouse_connect_timeout_ms, 1500);
  EXPECT_EQ(c->clickhouse_timeout_ms, 5000);
  EXPECT_EQ(c->environment, "Production");
  EXPECT_EQ(c->batch_size, 500);
  EXPECT_EQ(c->poll_interval_ms, 250);
  EXPECT_EQ(c->lease_ms, 12000);
  EXPECT_EQ(c->retry_base_ms, 50);
  EXPECT_EQ(c->retry_max_ms, 9000);
  EXPECT_EQ(c->max_attempts, 7);
  EXPECT_EQ(c->shutdown_timeout_ms, 4000);
  EXPECT_EQ(c->max_event_bytes, 65536);
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->log_format, LogFormat::kConsole);
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 8081);
  EXPECT_EQ(c->db_pool_size, 3);
}

TEST(LoadConfig, PortComesFromClickHousePortOnly) {
  auto c = LoadConfig({{"CLICKHOUSE_HOST", "somehost"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->clickhouse_host, "somehost");
  EXPECT_EQ(c->clickhouse_port, 8123);

  c = LoadConfig({{"CLICKHOUSE_HOST", "9000"}});  // a number in the host is still a host
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->clickhouse_port, 8123);

  c = LoadConfig({{"CLICKHOUSE_HOST", "somehost"}, {"CLICKHOUSE_PORT", "18123"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->clickhouse_port, 18123);
}

TEST(LoadConfig, HostWithAPortIsRefusedNamingClickHousePort) {
  for (const char* seed : {"localhost:8123", "ch.internal:18123", "[::1]:8123", "somehost:"}) {
    std::string msg = ErrorOf({{"CLICKHOUSE_HOST", seed}});
    EXPECT_NE(msg.find("CLICKHOUSE_PORT"), std::string::npos) << seed << ": " << msg;
    EXPECT_NE(msg.find("CLICKHOUSE_HOST=\"" + std::string(seed) + "\""), std::string::npos) << msg;
  }
  for (const char* bad : {"user@host", "host/path", "host name", "h?x=1", "[::1", "[nothost]"}) {
    std::string msg = ErrorOf({{"CLICKHOUSE_HOST", bad}});
    EXPECT_NE(msg.find("CLICKHOUSE_HOST"), std::string::npos) << bad << ": " << msg;
  }
}

TEST(LoadConfig, ClickHouseHostTakesNamesAndIpAddresses) {
  for (const char* host : {"[::1]", "::1", "[fe80::1:2]", "10.0.0.7", "ch-1.internal", "9000"}) {
    auto c = LoadConfig({{"CLICKHOUSE_HOST", host}});
    ASSERT_TRUE(c.ok()) << host << ": " << c.status().ToString();
    EXPECT_EQ(c->clickhouse_host, host);
  }
}

TEST(LoadConfig, ControlCharactersInClickHouseHeaderValuesAreRefused) {
  const std::string secret = "pw\r\nX-Injected: 1";
  for (const char* var :
       {"CLICKHOUSE_HOST", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD", "CLICKHOUSE_PROXY"}) {
    for (const std::string& value : {secret, std::string("a\nb"), std::string("a\tb")}) {
      std::string msg = ErrorOf({{var, value}});
      EXPECT_NE(msg.find(var), std::string::npos) << msg;
      EXPECT_NE(msg.find("control character"), std::string::npos) << msg;
      EXPECT_EQ(msg.find("Injected"), std::string::npos) << msg;  // the value is never shown
    }
  }
}

TEST(LoadConfig, ClickHouseProxyIsOffUnlessSet) {
  auto c = LoadConfig({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->clickhouse_proxy, "");
  c = LoadConfig({{"CLICKHOUSE_PROXY", "http://proxy.internal:3128"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->clickhouse_proxy, "http://proxy.internal:3128");
}

TEST(LoadConfig, HttpsDefaultsToPort8443UnlessAPortIsSet) {
  auto c = LoadConfig({{"CLICKHOUSE_PROTOCOL", "https"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->clickhouse_port, 8443);
  c = LoadConfig({{"CLICKHOUSE_PROTOCOL", "https"}, {"CLICKHOUSE_PORT", "443"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->clickhouse_port, 443);
}

TEST(LoadConfig, InvalidValueNamesTheVariableAndTheValue) {
  EXPECT_NE(ErrorOf({{"CLICKHOUSE_PORT", "abc"}}).find("CLICKHOUSE_PORT=\"abc\""),
            std::string::npos);
  for (const char* bad : {"0", "65536", "80x", "", "-1"}) {
    std::string msg = ErrorOf({{"CLICKHOUSE_PORT", bad}});
    EXPECT_NE(msg.find("CLICKHOUSE_PORT=\"" + std::string(bad) + "\""), std::string::npos) << msg;
  }
  struct Case {
    const char* var;
    const char* value;
  };
  for (Case c :
       {Case{"EVENTLOG_BATCH_SIZE", "0"}, Case{"EVENTLOG_BATCH_SIZE", "ten"},
        Case{"EVENTLOG_MAX_ATTEMPTS", "1.5"}, Case{"PORT", "70000"}, Case{"LOG_LEVEL", "loud"},
        Case{"LOG_FORMAT", "xml"}, Case{"CLICKHOUSE_PROTOCOL", "ftp"},
        Case{"CLICKHOUSE_SCHEMA", "a;DROP"}, Case{"CLICKHOUSE_EVENT_LOG_TABLE", "x y"},
        Case{"CLICKHOUSE_HOST", ""}, Case{"EVENTLOG_MAX_EVENT_BYTES", "99999999999999"}}) {
    std::string msg = ErrorOf({{c.var, c.value}});
    EXPECT_NE(msg.find(std::string(c.var) + "=\"" + c.value + "\""), std::string::npos)
        << c.var << ": " << msg;
  }
}

TEST(LoadConfig, ErrorsNeverShowThePassword) {
  const std::string secret = "hunter2-s3cr3t";
  for (const char* var : {"CLICKHOUSE_PORT", "EVENTLOG_BATCH_SIZE", "CLICKHOUSE_SCHEMA",
                          "EVENTLOG_LEASE_MS", "LOG_LEVEL"}) {
    std::string msg = ErrorOf({{"CLICKHOUSE_PASSWORD", secret},
                               {"DATABASE_URL", "postgresql://u:" + secret + "@h/db"},
                               {var, "abc!"}});
    EXPECT_EQ(msg.find(secret), std::string::npos) << msg;
    EXPECT_NE(msg.find(var), std::string::npos) << msg;
  }
}

TEST(LoadConfig, LeaseMustOutlastTwoClickHouseTimeouts) {
  // lease >= 2 x CLICKHOUSE_TIMEOUT_MS + 1000
  std::string msg = ErrorOf({{"CLICKHOUSE_TIMEOUT_MS", "20000"}});  // default lease 30000
  EXPECT_NE(msg.find("EVENTLOG_LEASE_MS"), std::string::npos) << msg;
  EXPECT_NE(msg.find("41000"), std::string::npos) << msg;
  msg = ErrorOf({{"CLICKHOUSE_TIMEOUT_MS", "20000"}, {"EVENTLOG_LEASE_MS", "40999"}});
  EXPECT_NE(msg.find("EVENTLOG_LEASE_MS=\"40999\""), std::string::npos) << msg;
  auto c = LoadConfig({{"CLICKHOUSE_TIMEOUT_MS", "20000"}, {"EVENTLOG_LEASE_MS", "41000"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->lease_ms, 41000);
}

TEST(LoadConfig, RetryMaxBelowRetryBaseIsRefused) {
  std::string msg = ErrorOf({{"EVENTLOG_RETRY_BASE_MS", "500"}, {"EVENTLOG_RETRY_MAX_MS", "400"}});
  EXPECT_NE(msg.find("EVENTLOG_RETRY_MAX_MS"), std::string::npos) << msg;
}

TEST(LoadConfig, HttpAdmissionSettingsHaveSaneDefaultsAndRanges) {
  auto c = LoadConfig({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http_threads, 64);
  EXPECT_EQ(c->http_queue, 64);
  EXPECT_EQ(c->http_request_timeout_ms, 5000);
  EXPECT_TRUE(c->log_mask_pii);  // a careful operator keeps emails out of logs by default
  c = LoadConfig({{"EVENTLOG_HTTP_THREADS", "8"},
                  {"EVENTLOG_HTTP_QUEUE", "0"},
                  {"EVENTLOG_HTTP_REQUEST_TIMEOUT_MS", "250"},
                  {"EVENTLOG_LOG_MASK_PII", "false"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http_threads, 8);
  EXPECT_EQ(c->http_queue, 0);
  EXPECT_EQ(c->http_request_timeout_ms, 250);
  EXPECT_FALSE(c->log_mask_pii);
  EXPECT_NE(ErrorOf({{"EVENTLOG_HTTP_THREADS", "0"}}).find("EVENTLOG_HTTP_THREADS=\"0\""),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"EVENTLOG_HTTP_QUEUE", "-1"}}).find("EVENTLOG_HTTP_QUEUE"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"EVENTLOG_HTTP_REQUEST_TIMEOUT_MS", "99"}}).find("out of range"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"EVENTLOG_LOG_MASK_PII", "yes"}}).find("EVENTLOG_LOG_MASK_PII"),
            std::string::npos);
}

TEST(LoadConfig, WarningIsAnAliasOfWarn) {
  auto c = LoadConfig({{"LOG_LEVEL", "warning"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->log_level, "warn");
}

TEST(ParseDotEnv, ReadsCommentsExportAndQuotes) {
  auto env = ParseDotEnv(
      "# a comment\n"
      "\n"
      "PLAIN=value\n"
      "export EXPORTED=yes\n"
      "  SPACED = padded  \n"
      "DOUBLE=\"with spaces # not a comment\"\n"
      "SINGLE='single'\n"
      "TRAILING=value # a comment\n"
      "HASH=a#b\n"
      "EMPTY=\n"
      "URL=postgresql://u:p@h/db?x=1\r\n");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EnvMap expected = {{"PLAIN", "value"},
                     {"EXPORTED", "yes"},
                     {"SPACED", "padded"},
                     {"DOUBLE", "with spaces # not a comment"},
                     {"SINGLE", "single"},
                     {"TRAILING", "value"},
                     {"HASH", "a#b"},
                     {"EMPTY", ""},
                     {"URL", "postgresql://u:p@h/db?x=1"}};
  EXPECT_EQ(*env, expected);
}

TEST(ParseDotEnv, QuotedValueMayBeFollowedByAComment) {
  auto env = ParseDotEnv("KEY=\"quoted value\" # why it is set\nOTHER='x' # note\n");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->at("KEY"), "quoted value");
  EXPECT_EQ(env->at("OTHER"), "x");
}

TEST(ParseDotEnv, BadLineIsAnErrorNamingTheLine) {
  auto env = ParseDotEnv("GOOD=1\nthis is not an assignment\n");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(env.status().message().find("line 2"), std::string::npos) << env.status().message();
  EXPECT_FALSE(ParseDotEnv("1BAD=x\n").ok());
  EXPECT_FALSE(ParseDotEnv("=x\n").ok());
}

class ReadEnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/eventlog_dotenv_XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override {
    std::remove(path_.c_str());
    unsetenv("EVENTLOG_TEST_BOTH");
  }
  void Write(const std::string& text) { std::ofstream(path_) << text; }
  std::string path_;
};

TEST_F(ReadEnvironmentTest, EnvironmentWinsOverTheFile) {
  Write("EVENTLOG_TEST_BOTH=from_file\nEVENTLOG_TEST_FILE_ONLY=file\n");
  ASSERT_EQ(setenv("EVENTLOG_TEST_BOTH", "from_env", 1), 0);
  auto env = ReadEnvironment(path_);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->at("EVENTLOG_TEST_BOTH"), "from_env");
  EXPECT_EQ(env->at("EVENTLOG_TEST_FILE_ONLY"), "file");
  ASSERT_NE(getenv("PATH"), nullptr);
  EXPECT_EQ(env->at("PATH"), getenv("PATH"));
}

TEST_F(ReadEnvironmentTest, MissingFileIsFine) {
  ASSERT_EQ(setenv("EVENTLOG_TEST_BOTH", "from_env", 1), 0);
  auto env = ReadEnvironment(path_ + ".does-not-exist");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->at("EVENTLOG_TEST_BOTH"), "from_env");
}

TEST_F(ReadEnvironmentTest, BadFileIsAnErrorNamingThePath) {
  Write("not an assignment\n");
  auto env = ReadEnvironment(path_);
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find(path_), std::string::npos) << env.status().message();
}

TEST(RedactUrl, HidesPasswordsInUrls) {
  EXPECT_EQ(RedactUrl("postgresql://u:secret@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(RedactUrl("postgres://eventlog:eventlog@127.0.0.1:55432/eventlog"),
            "postgres://eventlog:***@127.0.0.1:55432/eventlog");
  EXPECT_EQ(RedactUrl("postgresql://u:se/cr:et@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(RedactUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactUrl("postgresql://h:5432/db"), "postgresql://h:5432/db");
  std::string q = RedactUrl("postgresql://h/db?user=u&password=secret");
  EXPECT_EQ(q.find("secret"), std::string::npos) << q;
}

TEST(RedactUrl, HidesRawAtSignsLeadingBlanksAndEscapedQuotes) {
  EXPECT_EQ(RedactUrl("postgresql://u:p@ss w0rd!@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(RedactUrl("  postgresql://u:p@ss@h/db"), "  postgresql://u:***@h/db");
  EXPECT_EQ(RedactUrl("postgresql://h:5432/db?application_name=a@b"),
            "postgresql://h:5432/db?application_name=a@b");
  EXPECT_EQ(RedactUrl(R"(host=h password='it\'s a secret' dbname=x)"),
            "host=h password=*** dbname=x");
  EXPECT_EQ(RedactUrl("host=h password='never closed secret"), "host=h password=***");
}

TEST(LoadConfig, ReadsThePostgresLimits) {
  auto c = LoadConfig({{"EVENTLOG_DB_CONNECT_TIMEOUT_MS", "1500"},
                       {"EVENTLOG_DB_STATEMENT_TIMEOUT_MS", "0"},
                       {"EVENTLOG_DB_POOL_WAIT_MS", "250"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->db_connect_timeout_ms, 1500);
  EXPECT_EQ(c->db_statement_timeout_ms, 0);
  EXPECT_EQ(c->db_pool_wait_ms, 250);
  Config defaults;
  EXPECT_EQ(defaults.db_connect_timeout_ms, 5000);
  EXPECT_EQ(defaults.db_statement_timeout_ms, 30000);
  EXPECT_EQ(defaults.db_pool_wait_ms, 5000);
  EXPECT_FALSE(LoadConfig({{"EVENTLOG_DB_POOL_WAIT_MS", "0"}}).ok());
  EXPECT_FALSE(LoadConfig({{"EVENTLOG_DB_CONNECT_TIMEOUT_MS", "-1"}}).ok());
}

TEST(RedactUrl, HidesPasswordsInKeyValueForm) {
  EXPECT_EQ(RedactUrl("host=h password=secret dbname=x"), "host=h password=*** dbname=x");
  EXPECT_EQ(RedactUrl("host=h password = 'se cret' dbname=x"), "host=h password = *** dbname=x");
  EXPECT_EQ(RedactUrl("host=h dbname=x"), "host=h dbname=x");
}

}  // namespace
}  // namespace eventlog
