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

namespace eventlog {
namespace {

// W3C Trace Context, level 1: the examples of the specification, and what it says to refuse.
TEST(Traceparent, ReadsAValidHeader) {
  auto t = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->span_id, "00f067aa0ba902b7");
  // A later version may append fields after another "-".
  EXPECT_TRUE(ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"));
}

TEST(Traceparent, RefusesMalformedHeaders) {
  for (const char* bad :
       {"", "00", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // uppercase
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero parent id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // forbidden version
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // v00 has no more
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz"}) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
}

TEST(Traceparent, NewTracesAndChildSpansAreValidAndDistinct) {
  TraceContext a = NewTrace();
  TraceContext b = NewTrace();
  EXPECT_NE(a.trace_id, b.trace_id);
  EXPECT_TRUE(ParseTraceparent("00-" + a.trace_id + "-" + a.span_id + "-01").has_value());
  TraceContext child = ChildSpan(a);
  EXPECT_EQ(child.trace_id, a.trace_id);
  EXPECT_NE(child.span_id, a.span_id);
  EXPECT_EQ(child.span_id.size(), 16u);
}

TEST(Traceparent, AnEventCarriesItsTraceIntoItsRowAndABadOneIsRefused) {
  Event e = MakeEvent("UserCreated", {{"a", 1}});
  e.trace = TraceContext{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"};
  auto row = ToOutboxRow(e, "Test", 1 << 20);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(row->span_id, "00f067aa0ba902b7");
  e.trace->span_id = "not hex";
  EXPECT_EQ(ToOutboxRow(e, "Test", 1 << 20).status().code(), StatusCode::kInvalidArgument);
  e.trace.reset();
  EXPECT_EQ(ToOutboxRow(e, "Test", 1 << 20)->trace_id, "");
}

}  // namespace
}  // namespace eventlog
