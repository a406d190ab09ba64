// Migrations on a database in use. 006 turns event_outbox into a ring of partitions: rows waiting
// in the outbox come through it (and the later migrations), and are claimed once after. 010
// (claims by transaction id) ends a tick the earlier claims were paging through: its rest becomes
// batches, and the earlier slice batches are still read.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>

#include "core/migration.h"
#include "eventlog/outbox_writer.h"
#include "outbox/pg_migrator.h"
#include "outbox/pg_outbox_store.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

constexpr const char* kDatabase = "eventlog_test_migration_006";

std::string DatabaseUrl() {
  const std::string url = Servers().database_url;
  return url.substr(0, url.rfind('/') + 1) + kDatabase;
}

void RecreateDatabase() {
  const std::string url = Servers().database_url;
  pqxx::connection admin(url);
  pqxx::nontransaction tx(admin);
  tx.exec0(std::string("DROP DATABASE IF EXISTS ") + kDatabase + " WITH (FORCE)");
  tx.exec0(std::string("CREATE DATABASE ") + kDatabase);
}

std::vector<Migration> MigrationsBefore(int version) {
  std::vector<Migration> before;
  for (const Migration& m : PostgresMigrations()) {
    if (m.version < version) before.push_back(m);
  }
  return before;
}

// Three events as rows of the schema before migration 006 (plain SQL: today's writer writes
// columns that schema does not have yet).
std::vector<std::string> InsertThreeBefore(pqxx::connection& conn) {
  std::vector<std::string> ids;
  pqxx::work tx(conn);
  for (int i = 0; i < 3; ++i) {
    ids.push_back(MakeEvent("Before", {}).event_id);
    tx.exec_params0(
        "INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, "
        "event_context) VALUES ($1::uuid, 'before', now(), 'Test', '{}')",
        ids.back());
  }
  tx.commit();
  return ids;
}

std::vector<std::string> EnqueueThree(pqxx::connection& conn) {
  OutboxWriter writer("Test", 1 << 20);
  std::vector<Event> events;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    events.push_back(MakeEvent("After", {{"n", i}}));
    ids.push_back(events.back().event_id);
  }
  pqxx::work tx(conn);
  EXPECT_TRUE(writer.EnqueueMany(tx, events).ok());
  tx.commit();
  return ids;
}

TEST(OutboxPartitionsMigrationTest, WaitingRowsComeThroughAndAreClaimedOnce) {
  RecreateDatabase();
  std::vector<std::string> applied;
  {
    PgMigrator migrator(DatabaseUrl());
    ASSERT_TRUE(migrator.Lock().ok());
    ASSERT_TRUE(migrator.ApplyPostgres(MigrationsBefore(6), applied).ok());
  }
  pqxx::connection conn(DatabaseUrl());
  std::vector<std::string> waiting = InsertThreeBefore(conn);

  {
    PgMigrator migrator(DatabaseUrl());
    ASSERT_TRUE(migrator.Lock().ok());
    applied.clear();
    Status s = migrator.ApplyPostgres(PostgresMigrations(), applied);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  ASSERT_FALSE(applied.empty());
  EXPECT_EQ(applied.front(), "006_outbox_partitions");
  pqxx::nontransaction q(conn);
  EXPECT_EQ(
      q.exec1("SELECT relkind FROM pg_class WHERE relname = 'event_outbox'")[0].as<std::string>(),
      "p");
  EXPECT_EQ(q.exec1("SELECT count(*) FROM event_outbox")[0].as<int>(), 3);
  EXPECT_EQ(q.exec1("SELECT count(*) FROM eventlog_unclaimed")[0].as<int>(), 3);
  q.commit();

  // The waiting rows, and new ones, are claimed once.
  PgOutboxStore store(DatabaseUrl(), "test", std::chrono::seconds(30));
  std::vector<std::string> after = EnqueueThree(conn);
  std::vector<std::string> claimed;
  for (int i = 0; i < 5; ++i) {
    auto b = store.Claim({100});
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    if (!b->has_value()) break;
    for (const auto& r : (*b)->rows) claimed.push_back(r.event_id);
    ASSERT_TRUE(store.Complete(**b, static_cast<int64_t>((*b)->rows.size()), {}).ok());
  }
  std::vector<std::string> expected = waiting;
  expected.insert(expected.end(), after.begin(), after.end());
  EXPECT_EQ(claimed, expected);
}

// Claims the way the version before 010 left them: a tick of 25 rows paged after its 10th row,
// those 10 in a slice batch of the old kind whose relay died.
TEST(OutboxPartitionsMigrationTest, ATickPagedByTheEarlierClaimsIsDeliveredOnce) {
  RecreateDatabase();
  std::vector<std::string> applied;
  {
    PgMigrator migrator(DatabaseUrl());
    ASSERT_TRUE(migrator.Lock().ok());
    ASSERT_TRUE(migrator.ApplyPostgres(MigrationsBefore(10), applied).ok());
  }
  pqxx::connection conn(DatabaseUrl());
  std::vector<std::string> tick = EnqueueThree(conn);
  for (int i = 0; i < 7; ++i) {
    auto more = EnqueueThree(conn);
    tick.insert(tick.end(), more.begin(), more.end());
  }
  {
    pqxx::work tx(conn);
    const std::string tenth =
        tx.exec1("SELECT id FROM event_outbox ORDER BY id OFFSET 9 LIMIT 1")[0].c_str();
    tx.exec0(
        "UPDATE eventlog_claim_state SET page_snapshot = pg_current_snapshot(), page_after = " +
        tenth);
    tx.exec0(
        "INSERT INTO eventlog_batches (lease_token, owner, lease_until, event_count, "
        "oldest_created_at, snap_lo, snap_hi, id_after, id_to) SELECT 1, 'died', now(), 10, now(), "
        "done_snapshot, page_snapshot, 0, page_after FROM eventlog_claim_state");
    tx.commit();
  }
  {
    PgMigrator migrator(DatabaseUrl());
    ASSERT_TRUE(migrator.Lock().ok());
    applied.clear();
    Status s = migrator.ApplyPostgres(PostgresMigrations(), applied);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  pqxx::nontransaction q(conn);
  EXPECT_EQ(q.exec1("SELECT count(*) FROM eventlog_batches")[0].as<int>(), 2)
      << "the dead relay's slice and the rest of the tick";
  EXPECT_EQ(q.exec1("SELECT count(*) FROM eventlog_unclaimed")[0].as<int>(), 0);
  q.commit();
  std::vector<std::string> after = EnqueueThree(conn);
  PgOutboxStore store(DatabaseUrl(), "test", std::chrono::seconds(30));
  std::multiset<std::string> claimed;
  for (int i = 0; i < 10; ++i) {
    auto b = store.Claim({100});
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    if (!b->has_value()) break;
    for (const auto& r : (*b)->rows) claimed.insert(r.event_id);
    ASSERT_TRUE(store.Complete(**b, static_cast<int64_t>((*b)->rows.size()), {}).ok());
  }
  std::multiset<std::string> expected(tick.begin(), tick.end());
  expected.insert(after.begin(), after.end());
  EXPECT_EQ(claimed, expected);
}

}  // namespace
}  // namespace eventlog::testing
