// The .env rules added for hardening: `#` in values, keys set twice, an --env-file that is
// missing, and ENVIRONMENT values that cannot be stored.
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/config.h"

namespace eventlog {
namespace {

using namespace std::string_literals;

TEST(DotEnvHash, StartsACommentOnlyAfterABlankInAnUnquotedValue) {
  auto env = ParseDotEnv(
      "GLUED=abc#1\nSPACED=abc #1\nTABBED=abc\t#1\nQUOTED=\"abc #1\"\nSINGLE='a #b' # note\n"
      "EMPTY=#only a comment\n");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->at("GLUED"), "abc#1");
  EXPECT_EQ(env->at("SPACED"), "abc");
  EXPECT_EQ(env->at("TABBED"), "abc");
  EXPECT_EQ(env->at("QUOTED"), "abc #1");
  EXPECT_EQ(env->at("SINGLE"), "a #b");
  EXPECT_EQ(env->at("EMPTY"), "");
}

TEST(DotEnvDuplicates, WarnNamingBothLinesAndTheLastValueWins) {
  std::vector<std::string> warnings;
  auto env = ParseDotEnv("A=1\nB=2\nA=3\n", &warnings);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->at("A"), "3");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("line 3 sets A again (first on line 1)"), std::string::npos)
      << warnings[0];
}

TEST(DotEnvFile, AFileNamedOnTheCommandLineMustExist) {
  const std::string missing = "/tmp/eventlog-no-such-env-file-" + std::to_string(getpid());
  auto env = ReadEnvironment(missing, /*required=*/true);
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(env.status().message().find(missing), std::string::npos);
  EXPECT_TRUE(ReadEnvironment(missing, /*required=*/false).ok());  // the default .env
}

TEST(EnvironmentSetting, MustBeUtf8WithoutControlCharacters) {
  for (const std::string& bad : {"Prod\xff"s, "Pro\x01d"s, "Prod\nX"s}) {
    auto c = LoadConfig({{"ENVIRONMENT", bad}});
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.status().message().find("ENVIRONMENT"), std::string::npos);
  }
  auto ok = LoadConfig({{"ENVIRONMENT", "Prödüction"}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->environment, "Prödüction");
}

}  // namespace
}  // namespace eventlog
