#include "core/secrets.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace eventlog {
namespace {

// The registry is process-wide: each test registers its own, unusual secrets.

TEST(ScrubSecrets, MasksTheSecretAsGivenAndUrlEncoded) {
  RegisterSecret("p%zz@ss w0rd!");
  EXPECT_EQ(ScrubSecrets("password p%zz@ss w0rd! here"), "password *** here");
  EXPECT_EQ(ScrubSecrets("u:p%25zz%40ss%20w0rd%21@h"), "u:***@h");
  EXPECT_EQ(ScrubSecrets("u:p%25zz%40ss%20w0rd!@h"), "u:***@h");    // encodeURIComponent
  EXPECT_EQ(ScrubSecrets("pw=p%25zz%40ss+w0rd%21&x"), "pw=***&x");  // HTML form encoding
}

TEST(ScrubSecrets, MasksLowerCaseHexAndEscapedQuotes) {
  RegisterSecret("q/u'o\"te\\");
  EXPECT_EQ(ScrubSecrets("a q%2fu%27o%22te%5c b"), "a *** b");
  EXPECT_EQ(ScrubSecrets(R"(password='q/u\'o\"te\\')"), "password='***'");
  EXPECT_EQ(ScrubSecrets("q/u'o\"te\\ and again q/u'o\"te\\"), "*** and again ***");
}

TEST(ScrubSecrets, LongerSecretsWinOverTheirParts) {
  RegisterSecret("overlap-secret-long");
  RegisterSecret("overlap-secret");
  EXPECT_EQ(ScrubSecrets("x overlap-secret-long y overlap-secret z"), "x *** y *** z");
}

TEST(ScrubSecrets, IgnoresTooShortSecretsAndLeavesOtherTextAlone) {
  RegisterSecret("");
  RegisterSecret("zq");
  EXPECT_EQ(ScrubSecrets("zq is fine, nothing to mask"), "zq is fine, nothing to mask");
}

TEST(ScrubSecrets, MasksAdjacentAndRepeatedOccurrences) {
  RegisterSecret("abcabc-secret");
  EXPECT_EQ(ScrubSecrets("abcabc-secretabcabc-secret"), "******");
}

TEST(ScrubSecrets, IsSafeFromManyThreads) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([i] {
      std::string mine = "thread-secret-" + std::to_string(i);
      RegisterSecret(mine);
      for (int n = 0; n < 200; ++n) EXPECT_EQ(ScrubSecrets("<" + mine + ">"), "<***>");
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace
}  // namespace eventlog
