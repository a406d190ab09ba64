// The one table of settings: every variable reads back its default, refuses what its range or
// choices exclude naming itself, and the README, `.env.example` and --help agree with it.
#include "core/settings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/config_values.h"

namespace eventlog {
namespace {

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream file(std::string(EVENTLOG_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The lines of the markdown table that starts with `header` in `text`.
std::string TableAt(const std::string& text, const std::string& header) {
  size_t start = text.find("\n" + header);
  if (start == std::string::npos) return "";
  std::string table;
  std::istringstream lines(text.substr(start + 1));
  for (std::string line; std::getline(lines, line) && line.rfind('|', 0) == 0;) {
    table += line + "\n";
  }
  return table;
}

TEST(Settings, NamesAreUniqueAndEachIsDocumented) {
  std::set<std::string> names;
  for (const Setting& s : Settings()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name << " twice";
    if (!s.alias.empty()) {
      EXPECT_TRUE(names.insert(s.alias).second) << s.alias << " twice";
    }
    EXPECT_FALSE(s.doc.summary.empty()) << s.name;
    EXPECT_FALSE(s.doc.meaning.empty()) << s.name;
    EXPECT_EQ(s.doc.summary.find('\n'), std::string_view::npos) << s.name;
    EXPECT_EQ(s.doc.meaning.find('|'), std::string_view::npos) << s.name << ": breaks the table";
  }
}

TEST(Settings, EveryVariableReadsBackItsDefault) {
  const Config defaults = LoadConfig({}).value();
  for (const Setting& s : Settings()) {
    auto c = LoadConfig({{s.name, s.show(defaults)}});
    ASSERT_TRUE(c.ok()) << s.name << "=" << s.show(defaults) << ": " << c.status().ToString();
    EXPECT_TRUE(c.value() == defaults) << s.name << "=" << s.show(defaults);
  }
}

TEST(Settings, ValuesOutsideTheRangeAreRefusedNamingTheVariable) {
  int ranges = 0;
  for (const Setting& s : Settings()) {
    auto bounds = config_values::SplitOn(s.values, ".");
    if (bounds.size() != 3 || !bounds[1].empty()) continue;  // not "lo..hi"
    ++ranges;
    for (const std::string& bad : {std::to_string(std::stoll(bounds[0]) - 1),
                                   std::to_string(std::stoll(bounds[2]) + 1), std::string("x")}) {
      auto c = LoadConfig({{s.name, bad}});
      ASSERT_FALSE(c.ok()) << s.name << "=" << bad;
      EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(c.status().message().find(s.name + "=\"" + bad + "\""), std::string::npos)
          << c.status().message();
    }
  }
  EXPECT_GE(ranges, 20);  // the parse above found the ranges
}

TEST(Settings, ValuesOutsideTheChoicesAreRefusedNamingTheVariable) {
  for (const Setting& s : Settings()) {
    if (s.values.find('|') == std::string::npos) continue;
    auto c = LoadConfig({{s.name, "none-of-them"}});
    ASSERT_FALSE(c.ok()) << s.name;
    EXPECT_NE(c.status().message().find(s.name + "=\"none-of-them\" is not one of " + s.values),
              std::string::npos)
        << c.status().message();
  }
}

TEST(Settings, ReadmeConfigurationTableIsTheGeneratedOne) {
  const std::string readme = TableAt(ReadSourceFile("README.md"), "| variable | default |");
  EXPECT_EQ(readme, SettingsMarkdown())
      << "README.md's Configuration table differs from src/core/settings.cc: replace it with "
         "the output of `eventlog settings`";
}

// The template of .env and the packaged services' settings set only variables of the table,
// with values it takes.
TEST(Settings, ExampleSettingsFilesSetOnlySettingsAndLoad) {
  std::set<std::string> names;
  for (const Setting& s : Settings()) names.insert(s.name);
  for (const char* file : {".env.example", "deploy/eventlog.env"}) {
    auto env = ParseDotEnv(ReadSourceFile(file));
    ASSERT_TRUE(env.ok()) << file << ": " << env.status().ToString();
    ASSERT_FALSE(env->empty()) << file;
    for (const auto& [name, value] : env.value()) {
      EXPECT_EQ(names.count(name), 1u) << name << " in " << file << " is no setting";
    }
    auto c = LoadConfig(env.value());
    EXPECT_TRUE(c.ok()) << file << ": " << c.status().ToString();
  }
}

TEST(Settings, HelpListsEveryVariableWithItsDefault) {
  const std::string help = SettingsHelp();
  const Config defaults;
  for (const Setting& s : Settings()) {
    EXPECT_NE(help.find("\n  " + s.name + "=" + s.show(defaults)), std::string::npos) << s.name;
  }
}

}  // namespace
}  // namespace eventlog
