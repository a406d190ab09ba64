// Dead letters go back to the outbox by id, by type, or all; the rest stay where they are.
#include "outbox/outbox_admin.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

class RequeueTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    PgExec(
        "INSERT INTO event_dead_letters (event_id, event_type, event_date_time, environment, "
        "event_context, metadata_version, error, attempts) SELECT gen_random_uuid(), "
        "CASE WHEN g <= 2 THEN 'order_placed' ELSE 'user_created' END, now(), 'Test', '{}', 1, "
        "'rejected (code 395): too large', 5 FROM generate_series(1, 5) g");
  }
  int64_t Requeue(const RequeueFilter& f) {
    auto moved = RequeueDeadLetters(Servers().database_url, f);
    EXPECT_TRUE(moved.ok()) << moved.status().ToString();
    return moved.ok() ? moved->moved : -1;
  }
};

TEST_F(RequeueTest, ById) {
  RequeueFilter f;
  f.ids = {std::stoll(PgScalar("SELECT min(id) FROM event_dead_letters"))};
  EXPECT_EQ(Requeue(f), 1);
  EXPECT_EQ(PgCount("event_outbox"), 1);
  EXPECT_EQ(PgCount("event_dead_letters"), 4);
}

TEST_F(RequeueTest, ByType) {
  RequeueFilter f;
  f.event_type = "order_placed";
  EXPECT_EQ(Requeue(f), 2);
  EXPECT_EQ(PgScalar("SELECT string_agg(DISTINCT event_type, ',') FROM event_outbox"),
            "order_placed");
  EXPECT_EQ(PgCount("event_dead_letters"), 3);
}

TEST_F(RequeueTest, AllAndTheDeadLettersShowInStatus) {
  auto before = ReadOutboxStats(Servers().database_url);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->dead_letters, 5);
  auto listed = ListDeadLetters(Servers().database_url, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 5u);
  EXPECT_EQ(listed->front().error, "rejected (code 395): too large");
  RequeueFilter f;
  f.all = true;
  EXPECT_EQ(Requeue(f), 5);
  EXPECT_EQ(PgCount("event_dead_letters"), 0);
  EXPECT_EQ(ReadOutboxStats(Servers().database_url)->pending, 5);
}

// A dead letter the outbox would refuse (an unreadable row, a time no ClickHouse type holds)
// stays, and requeue says so instead of failing the whole move.
TEST_F(RequeueTest, RowsTheOutboxWouldRefuseStayDeadLetters) {
  PgExec(
      "INSERT INTO event_dead_letters (raw_row, error, attempts) VALUES ('garbage', 'bad', 1);"
      "INSERT INTO event_dead_letters (event_id, event_type, event_date_time, environment, "
      "event_context, metadata_version, error, attempts) VALUES (gen_random_uuid(), 'x', "
      "'infinity', 'Test', '{}', 1, 'bad time', 0)");
  RequeueFilter all;
  all.all = true;
  auto moved = RequeueDeadLetters(Servers().database_url, all);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->moved, 5);
  EXPECT_EQ(moved->kept, 2);
  EXPECT_EQ(PgCount("event_dead_letters"), 2);
  EXPECT_EQ(PgCount("event_outbox"), 5);
}

TEST_F(RequeueTest, NoFilterIsRefused) {
  auto moved = RequeueDeadLetters(Servers().database_url, RequeueFilter{});
  EXPECT_EQ(moved.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PgCount("event_dead_letters"), 5);
}

}  // namespace
}  // namespace eventlog::testing
