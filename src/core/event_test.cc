#include "eventlog/event.h"

#include <gtest/gtest.h>

#include "core/uuid7.h"

namespace eventlog {
namespace {

TEST(SnakeCase, ConvertsEventNames) {
  EXPECT_EQ(ToSnakeCase("UserCreated"), "user_created");
  EXPECT_EQ(ToSnakeCase("HTTPRequestFailed"), "http_request_failed");
  EXPECT_EQ(ToSnakeCase("user_created"), "user_created");
  EXPECT_EQ(ToSnakeCase("OrderV2Shipped"), "order_v2_shipped");
  EXPECT_EQ(ToSnakeCase("A"), "a");
}

TEST(MakeEvent, StampsTypeTimeAndUuid7) {
  Event e = MakeEvent("UserCreated", {{"email", "a@b.c"}});
  EXPECT_EQ(e.type, "user_created");
  EXPECT_TRUE(IsUuidText(e.event_id));
  EXPECT_EQ(e.event_id[14], '7');  // version nibble
  EXPECT_EQ(e.metadata_version, 1u);
}

TEST(Uuid7, IdsMadeLaterSortLater) {
  std::string prev = NewUuid7();
  for (int i = 0; i < 10000; ++i) {
    std::string next = NewUuid7();
    ASSERT_LT(prev, next);
    prev = next;
  }
}

TEST(ToOutboxRow, RefusesNonObjectAndOversizedContext) {
  Event e = MakeEvent("UserCreated", nlohmann::json::array({1, 2}));
  EXPECT_EQ(ToOutboxRow(e, "Local", 1024).status().code(), StatusCode::kInvalidArgument);
  e.context = {{"blob", std::string(2000, 'x')}};
  auto r = ToOutboxRow(e, "Local", 1024);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("EVENTLOG_MAX_EVENT_BYTES"), std::string::npos);
}

TEST(ToOutboxRow, ConvertsToFinalRow) {
  Event e = MakeEvent("UserCreated", {{"email", "a@b.c"}});
  auto r = ToOutboxRow(e, "Test", 1024);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->event_type, "user_created");
  EXPECT_EQ(r->environment, "Test");
  EXPECT_EQ(r->event_context, R"({"email":"a@b.c"})");
  EXPECT_EQ(r->event_time_us, e.timestamp.time_since_epoch().count());
}

TEST(ToOutboxRow, RefusesTimesOutsideWhatClickHouseHolds) {
  Event e = MakeEvent("UserCreated", {});
  e.timestamp = std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(-1));
  EXPECT_FALSE(ToOutboxRow(e, "Local", 1024).ok());
}

}  // namespace
}  // namespace eventlog
