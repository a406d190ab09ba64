#include "core/control_characters.h"

#include <gtest/gtest.h>

#include <string>

namespace eventlog {
namespace {

TEST(HasControlCharacter, FindsC0DelAndC1ButNotOtherText) {
  EXPECT_FALSE(HasControlCharacter("Ada Lovelace"));
  EXPECT_FALSE(HasControlCharacter("Zoë Ångström 李"));
  EXPECT_TRUE(HasControlCharacter(std::string("Ada\0x", 5)));
  EXPECT_TRUE(HasControlCharacter("Ada\nINFO forged"));
  EXPECT_TRUE(HasControlCharacter("tab\there"));
  EXPECT_TRUE(HasControlCharacter("del\x7f"));
  EXPECT_TRUE(HasControlCharacter("c1\xc2\x85"));  // U+0085 NEXT LINE
  EXPECT_FALSE(HasControlCharacter("cut\xc2"));    // a lone lead byte is not a C1
}

// Settings and headers refuse only ASCII controls: a password may hold any other UTF-8.
TEST(HasAsciiControl, FindsC0AndDelOnly) {
  EXPECT_FALSE(HasAsciiControl("pässwörd\xc2\x85"));
  EXPECT_TRUE(HasAsciiControl("a\r\nX-Injected: 1"));
  EXPECT_TRUE(HasAsciiControl(std::string("nul\0", 4)));
  EXPECT_TRUE(HasAsciiControl("del\x7f"));
  EXPECT_FALSE(HasAsciiControl(""));
}

}  // namespace
}  // namespace eventlog
