#include "core/stored_text.h"

#include <gtest/gtest.h>

#include "core/secrets.h"

namespace eventlog {
namespace {

using namespace std::string_literals;

TEST(StoredText, KeepsValidTextAsItIs) {
  EXPECT_EQ(StoredText("Code: 27. Cannot parse input: «ünïcode» ok"),
            "Code: 27. Cannot parse input: «ünïcode» ok");
}

TEST(StoredText, ReplacesInvalidUtf8AndNulBytes) {
  EXPECT_EQ(StoredText("a\xff"
                       "b\0c\xc3"s),
            "a?b?c?");
  EXPECT_EQ(StoredText("\xe2\x82"s
                       "x"),
            "??x");  // a truncated 3-byte sequence
}

TEST(StoredText, CutsLongTextAtACharacterBoundary) {
  std::string long_text(100, 'a');
  long_text += "é";  // 2 bytes at offset 100
  std::string cut = StoredText(long_text, 101);
  EXPECT_EQ(cut, std::string(100, 'a') + "...");
  EXPECT_EQ(StoredText(std::string(5000, 'x')).size(), 2003u);
}

TEST(StoredText, MasksRegisteredSecrets) {
  RegisterSecret("s3cr3t-stored");
  EXPECT_EQ(StoredText("auth failed for s3cr3t-stored"), "auth failed for ***");
}

}  // namespace
}  // namespace eventlog
