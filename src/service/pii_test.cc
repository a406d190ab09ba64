#include "service/pii.h"

#include <gtest/gtest.h>

#include <string>

namespace eventlog {
namespace {

TEST(MaskEmail, KeepsOnlyTheFirstCharacterAndTheDomain) {
  EXPECT_EQ(MaskEmail("ada@example.com"), "a***@example.com");
  EXPECT_EQ(MaskEmail("@example.com"), "***@example.com");
  EXPECT_EQ(MaskEmail("no-at-sign"), "***");
  EXPECT_EQ(MaskEmail(""), "***");
}

TEST(MaskValues, ReplacesEachValueEverywhereButLeavesShortOnes) {
  EXPECT_EQ(MaskValues("Failing row contains (7, ada@example.com, Ada, Lovelace, ada@example.com)",
                       {"ada@example.com", "Ada", "Lovelace"}),
            "Failing row contains (7, ***, ***, ***, ***)");
  EXPECT_EQ(MaskValues("id 12 failed", {"12", ""}), "id 12 failed");
}

}  // namespace
}  // namespace eventlog
