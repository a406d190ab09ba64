// EventInsertedToOutbox: the event commits and rolls back with the business transaction.
#include "eventlog/outbox_writer.h"

#include <pqxx/pqxx>

#include "outbox/pg_pool.h"
#include "outbox/pg_user_repository.h"
#include "service/create_user.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

class OutboxWriterTest : public IntegrationTest {};

TEST_F(OutboxWriterTest, EventInsertedToOutbox) {
  PgPool pool(Servers().database_url, 1);
  OutboxWriter writer("Test", 1 << 20);
  PgUserRepository users(pool, writer);
  CreateUser create_user(users);
  auto user = create_user.Execute({"ada@example.com", "Ada", "Lovelace"});
  ASSERT_TRUE(user.ok()) << user.status().ToString();

  EXPECT_EQ(PgCount("users"), 1);
  EXPECT_EQ(PgCount("event_outbox"), 1);
  EXPECT_EQ(PgScalar("SELECT event_type FROM event_outbox"), "user_created");
  EXPECT_EQ(PgScalar("SELECT environment FROM event_outbox"), "Test");
  EXPECT_EQ(PgScalar("SELECT event_context FROM event_outbox"),
            R"({"email":"ada@example.com","first_name":"Ada","last_name":"Lovelace"})");
  EXPECT_EQ(PgScalar("SELECT metadata_version FROM event_outbox"), "1");
  EXPECT_EQ(PgScalar("SELECT substr(event_id::text, 15, 1) FROM event_outbox"), "7");  // UUIDv7
}

TEST_F(OutboxWriterTest, RolledBackTransactionLeavesNeitherUserNorEvent) {
  pqxx::connection conn(Servers().database_url);
  OutboxWriter writer("Test", 1 << 20);
  {
    pqxx::work tx(conn);
    tx.exec0("INSERT INTO users (email) VALUES ('gone@example.com')");
    ASSERT_TRUE(writer.Enqueue(tx, MakeEvent("UserCreated", {{"email", "gone@example.com"}})).ok());
    tx.abort();
  }
  EXPECT_EQ(PgCount("users"), 0);
  EXPECT_EQ(PgCount("event_outbox"), 0);
}

TEST_F(OutboxWriterTest, DuplicateEmailIsAConflictAndEnqueuesNothing) {
  PgPool pool(Servers().database_url, 1);
  OutboxWriter writer("Test", 1 << 20);
  PgUserRepository users(pool, writer);
  CreateUser create_user(users);
  ASSERT_TRUE(create_user.Execute({"a@example.com", "A", "B"}).ok());
  auto again = create_user.Execute({"A@example.com", "A", "B"});
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  EXPECT_EQ(again.status().message(), "User with this email already exists");
  EXPECT_EQ(PgCount("event_outbox"), 1);
}

TEST_F(OutboxWriterTest, RefusesBadEventsBeforeCommitAndWritesNothing) {
  pqxx::connection conn(Servers().database_url);
  OutboxWriter writer("Test", 64);
  pqxx::work tx(conn);
  Status too_big = writer.EnqueueMany(
      tx, {MakeEvent("Small", {{"a", 1}}), MakeEvent("Big", {{"blob", std::string(100, 'x')}})});
  EXPECT_EQ(too_big.code(), StatusCode::kInvalidArgument);
  Status not_object = writer.Enqueue(tx, MakeEvent("Listy", nlohmann::json::array()));
  EXPECT_EQ(not_object.code(), StatusCode::kInvalidArgument);
  tx.commit();
  EXPECT_EQ(PgCount("event_outbox"), 0);
}

TEST_F(OutboxWriterTest, EnqueueManyWritesAllInOneTransaction) {
  pqxx::connection conn(Servers().database_url);
  OutboxWriter writer("Test", 1 << 20);
  std::vector<Event> events;
  for (int i = 0; i < 50; ++i)
    events.push_back(MakeEvent("ItemAdded", {{"i", i}, {"q", "it's \"x\"\t\n"}}));
  pqxx::work tx(conn);
  ASSERT_TRUE(writer.EnqueueMany(tx, events).ok());
  tx.commit();
  EXPECT_EQ(PgCount("event_outbox"), 50);
  EXPECT_EQ(PgScalar("SELECT event_context FROM event_outbox ORDER BY id LIMIT 1"),
            R"({"i":0,"q":"it's \"x\"\t\n"})");
}

// Issue 8: the event inside the caller's own statement (one round trip): it commits and rolls
// back with it, and a bad event is refused before anything is sent.
TEST_F(OutboxWriterTest, EventInTheBusinessStatementCommitsAndRollsBackWithIt) {
  pqxx::connection conn(Servers().database_url);
  OutboxWriter writer("Test", 1 << 20);
  auto run = [&](const std::string& email, bool commit) {
    Event e = MakeEvent("UserCreated", {{"email", email}, {"q", "it's \"x\"\t"}});
    auto in = writer.InStatement(e, 2);
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    std::vector<std::string> params = {email};
    params.insert(params.end(), in->params.begin(), in->params.end());
    pqxx::work tx(conn);
    tx.exec_params0("WITH " + in->cte + " INSERT INTO users (email) VALUES ($1)",
                    pqxx::prepare::make_dynamic_params(params));
    if (commit) tx.commit();
  };
  run("kept@example.com", true);
  run("gone@example.com", false);
  EXPECT_EQ(PgCount("users"), 1);
  EXPECT_EQ(PgCount("event_outbox"), 1);
  EXPECT_EQ(PgScalar("SELECT event_context FROM event_outbox"),
            R"({"email":"kept@example.com","q":"it's \"x\"\t"})");
  EXPECT_EQ(PgScalar("SELECT event_type || ' ' || environment || ' ' || metadata_version "
                     "FROM event_outbox"),
            "user_created Test 1");
  EXPECT_EQ(writer.InStatement(MakeEvent("Listy", nlohmann::json::array()), 2).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(writer.InStatement(MakeEvent("Ok", {{"a", 1}}), 0).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace eventlog::testing
