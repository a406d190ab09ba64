#include "observe/logger.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace eventlog {
namespace {

class LoggerTest : public ::testing::Test {
 protected:
  void Init(LogFormat format, const std::string& level = "debug") {
    out_.str("");
    log::Init(format, level, std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  std::vector<nlohmann::json> JsonLines() const {
    std::vector<nlohmann::json> lines;
    for (const auto& l : Lines()) {
      auto j = nlohmann::json::parse(l, nullptr, /*allow_exceptions=*/false);
      EXPECT_TRUE(j.is_object()) << "not a JSON object: " << l;
      lines.push_back(j);
    }
    return lines;
  }
  void TearDown() override { log::Init(LogFormat::kJson, "off", nullptr); }

  std::ostringstream out_;
};

TEST_F(LoggerTest, JsonLineHasTheStandardKeysAndTheFields) {
  Init(LogFormat::kJson);
  log::Info("eventlog.test", "batch delivered", {{"batch_size", 100}, {"table", "event_log"}});
  auto lines = JsonLines();
  ASSERT_EQ(lines.size(), 1u);
  const auto& j = lines[0];
  EXPECT_TRUE(std::regex_match(j["timestamp"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")))
      << j["timestamp"];
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["logger"], "eventlog.test");
  EXPECT_EQ(j["message"], "batch delivered");
  EXPECT_EQ(j["batch_size"], 100);
  EXPECT_EQ(j["table"], "event_log");
  EXPECT_EQ(Lines()[0].rfind("{\"timestamp\":", 0), 0u) << Lines()[0];
}

TEST_F(LoggerTest, LevelsAreNamedAndFiltered) {
  Init(LogFormat::kJson, "info");
  log::Debug("t", "hidden");
  log::Info("t", "i");
  log::Warn("t", "w");
  log::Error("t", "e");
  auto lines = JsonLines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[1]["level"], "warning");
  EXPECT_EQ(lines[2]["level"], "error");
}

TEST_F(LoggerTest, FieldsCannotOverwriteTheStandardKeys) {
  Init(LogFormat::kJson);
  log::Info("t", "real message", {{"message", "forged"}, {"level", "error"}});
  auto lines = JsonLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "real message");
  EXPECT_EQ(lines[0]["level"], "info");
}

TEST_F(LoggerTest, BoundContextAppearsOnEveryLineInItsScopeAndNests) {
  Init(LogFormat::kJson);
  {
    log::BoundContext outer({{"batch_id", 7}, {"attempt", 1}});
    log::Info("t", "one");
    {
      log::BoundContext inner({{"event_id", "e-1"}, {"attempt", 2}});
      log::Info("t", "two");
    }
    log::Info("t", "three", {{"batch_id", 8}});  // the line's own field wins
  }
  log::Info("t", "four");
  auto lines = JsonLines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["batch_id"], 7);
  EXPECT_EQ(lines[0]["attempt"], 1);
  EXPECT_FALSE(lines[0].contains("event_id"));
  EXPECT_EQ(lines[1]["batch_id"], 7);
  EXPECT_EQ(lines[1]["event_id"], "e-1");
  EXPECT_EQ(lines[1]["attempt"], 2);  // inner keys win
  EXPECT_EQ(lines[2]["batch_id"], 8);
  EXPECT_EQ(lines[2]["attempt"], 1);
  EXPECT_FALSE(lines[2].contains("event_id"));
  EXPECT_FALSE(lines[3].contains("batch_id"));
  EXPECT_FALSE(lines[3].contains("attempt"));
}

TEST_F(LoggerTest, ConsoleFormatIsReadable) {
  Init(LogFormat::kConsole);
  log::Warn("eventlog.relay", "relay step failed", {{"error", "boom"}, {"inserts", 2}});
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string& l = lines[0];
  EXPECT_NE(l[0], '{') << l;
  EXPECT_TRUE(std::regex_search(l, std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)"))) << l;
  EXPECT_NE(l.find("warning"), std::string::npos) << l;
  EXPECT_NE(l.find("relay step failed"), std::string::npos) << l;
  EXPECT_NE(l.find("eventlog.relay"), std::string::npos) << l;
  EXPECT_NE(l.find("error=boom"), std::string::npos) << l;  // strings unquoted
  EXPECT_NE(l.find("inserts=2"), std::string::npos) << l;
}

TEST_F(LoggerTest, ConsoleShowsOnlyTheInnerValueOfANestedKey) {
  Init(LogFormat::kConsole);
  {
    log::BoundContext outer({{"attempt", 1}});
    log::BoundContext inner({{"attempt", 2}});
    log::Info("t", "retrying");
  }
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("attempt=2"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find("attempt=1"), std::string::npos) << lines[0];
}

TEST(FormatJsonLine, RendersInvalidUtf8WithoutThrowing) {
  std::string line =
      log::FormatJsonLine("2024-01-01T00:00:00Z", log::Level::kInfo, "t", "bad \xff byte", {});
  auto j = nlohmann::json::parse(line, nullptr, false);
  ASSERT_TRUE(j.is_object()) << line;
  EXPECT_EQ(j["timestamp"], "2024-01-01T00:00:00Z");
}

}  // namespace
}  // namespace eventlog
