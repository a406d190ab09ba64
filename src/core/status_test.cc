#include "eventlog/status.h"

#include <gtest/gtest.h>

#include <string>

namespace eventlog {
namespace {

TEST(Result, HoldsAValueOrAnError) {
  Result<int> value(42);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
  Result<int> error(Status(StatusCode::kUnavailable, "down"));
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), StatusCode::kUnavailable);
}

// ok() implies a value: an OK status without one becomes an internal error, not an "ok" result
// whose value is missing.
TEST(Result, BuiltFromAnOkStatusIsAnInternalError) {
  Result<std::string> r(Status::Ok());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("without a value"), std::string::npos);
}

TEST(ResultDeathTest, ReadingTheValueOfAnErrorAbortsWithTheError) {
  Result<std::string> r(Status(StatusCode::kUnavailable, "server down"));
  EXPECT_DEATH((void)r.value(), "server down");
  EXPECT_DEATH((void)r->size(), "server down");
  EXPECT_DEATH((void)*r, "server down");
}

TEST(Status, ToStringNamesTheCodeAndTheServerCode) {
  EXPECT_EQ(Status::Ok().ToString(), "ok");
  EXPECT_EQ(Status(StatusCode::kRejected, "bad row", 27).ToString(), "rejected (code 27): bad row");
}

}  // namespace
}  // namespace eventlog
