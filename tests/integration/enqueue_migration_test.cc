// Migration 011 (issue 16) makes eventlog_enqueue() cheaper without changing what it does: every
// call below gives the same row or the same error before and after it, on a database in use
// whose waiting events are then claimed once.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>

#include "core/migration.h"
#include "outbox/pg_migrator.h"
#include "tests/integration/relay_fixture.h"

namespace eventlog::testing {
namespace {

// Beside the test database, named after it (EVENTLOG_TEST_DB), so parallel runs do not collide.
std::string Database() {
  const std::string url = Servers().database_url;
  std::string name = url.substr(url.rfind('/') + 1);
  return name.substr(0, name.find('?')) + "_migration_011";
}

std::string DatabaseUrl() {
  const std::string url = Servers().database_url;
  return url.substr(0, url.rfind('/') + 1) + Database();
}

void RecreateDatabase() {
  const std::string url = Servers().database_url;
  pqxx::connection admin(url.substr(0, url.rfind('/') + 1) + "postgres");
  pqxx::nontransaction tx(admin);
  tx.exec0("DROP DATABASE IF EXISTS " + Database() + " WITH (FORCE)");
  tx.exec0("CREATE DATABASE " + Database());
}

Status Migrate(int before_version) {
  std::vector<Migration> ms;
  for (const Migration& m : PostgresMigrations()) {
    if (m.version < before_version) ms.push_back(m);
  }
  PgMigrator migrator(DatabaseUrl());
  if (Status s = migrator.Lock(); !s.ok()) return s;
  std::vector<std::string> applied;
  return migrator.ApplyPostgres(ms, applied);
}

// A call of eventlog_enqueue (its arguments) after a setting, if any.
struct Call {
  std::string setup;
  std::string args;
};

const std::vector<Call>& Calls() {
  static const std::vector<Call> calls = {
      {"", "'user_created', '{\"a\": 1}'"},
      {"", "'UserCreated', '{}'"},
      {"", "'HTTPRequest', '{\"x\": [1, 2], \"b\": 1.50}'"},
      {"", "'user-created', '{}'"},
      {"", "'order.paid', '{}'"},
      {"", "'a__b', '{}'"},
      {"", "'a_', '{}'"},
      {"", "'_a', '{}'"},
      {"", "'a1_2b', '{}'"},
      {"", "'a', '{}'"},
      {"", "'userID', '{}'"},
      {"", "'9Lives', '{}'"},
      {"", "'Über', '{}'"},
      {"", "'über', '{}'"},
      {"", "'', '{}'"},
      {"", "'___', '{}'"},
      {"", "NULL, '{}'"},
      {"", "'9Lives', '[1]'"},
      {"", "'x', '[1]'"},
      {"", "'x', '\"text\"'"},
      {"", "'x', NULL"},
      {"SET LOCAL eventlog.max_event_bytes = 10", "'x', '{\"k\": \"0123456789\"}'"},
      {"SET LOCAL eventlog.max_event_bytes = 17", "'x', '{\"k\": \"0123456789\"}'"},
      {"SET LOCAL eventlog.max_event_bytes = ''", "'x', '{\"k\": \"0123456789\"}'"},
      {"SET LOCAL eventlog.max_event_bytes = 'abc'", "'x', '{}'"},
      {"SET LOCAL eventlog.environment = 'Staging'", "'x', '{}'"},
      {"", "'x', '{}', timestamptz '1969-12-31 23:59:59+00'"},
      {"", "'x', '{}', timestamptz '1970-01-01 00:00:00+00'"},
      {"", "'x', '{}', timestamptz '2105-12-31 23:59:59+00'"},
      {"", "'x', '{}', timestamptz '2106-01-01 00:00:00+00'"},
      {"", "'x', '{}', 'infinity'"},
      {"", "'x', '{}', NULL"},
      {"", "'x', '{}', now(), -1"},
      {"", "'x', '{}', now(), 0"},
      {"", "'x', '{}', now(), NULL"},
      {"", "'x', '{}', now(), 7, '00000000-0000-7000-8000-000000000001'"},
      {"", "'x', '{}', now(), 1, NULL"},
  };
  return calls;
}

// What each call does: the row it writes (its id only as "a UUIDv7"), or its error.
std::vector<std::string> Outcomes(pqxx::connection& conn) {
  std::vector<std::string> outcomes;
  for (const Call& call : Calls()) {
    pqxx::work tx(conn);
    try {
      if (!call.setup.empty()) tx.exec0(call.setup);
      const std::string id =
          tx.exec1("SELECT eventlog_enqueue(" + call.args + ")::text")[0].c_str();
      outcomes.push_back(
          tx.exec_params1(
                "SELECT concat_ws('|', event_type, environment, event_context, metadata_version, "
                "CASE WHEN event_date_time = now() THEN 'now' ELSE event_date_time::text END, "
                "substr($1, 15, 1) = '7' AND substr($1, 20, 1) IN ('8', '9', 'a', 'b'), "
                "left($1, 8) = '00000000' OR abs(('x' || left(replace($1, '-', ''), 12))::bit(48)"
                "::bigint - (extract(epoch FROM clock_timestamp()) * 1000)::bigint) < 5000) "
                "FROM event_outbox WHERE event_id = $1::uuid",
                id)[0]
              .c_str());
    } catch (const pqxx::sql_error& e) {
      const std::string what = e.what();  // its first line: CONTEXT names the function's lines
      outcomes.push_back("ERROR " + e.sqlstate() + ": " + what.substr(0, what.find('\n')));
    }
    tx.abort();
  }
  return outcomes;
}

std::vector<std::string> EnqueueThree(pqxx::connection& conn) {
  std::vector<std::string> ids;
  pqxx::work tx(conn);
  for (const char* name : {"UserCreated", "user_created", "order.paid"}) {
    ids.push_back(
        tx.exec_params1("SELECT eventlog_enqueue($1, '{}')::text", std::string(name))[0].c_str());
  }
  tx.commit();
  return ids;
}

TEST(CheapEnqueueMigrationTest, SameRowsAndErrorsBeforeAndAfterAndWaitingRowsAreClaimedOnce) {
  RecreateDatabase();
  ASSERT_TRUE(Migrate(11).ok());
  pqxx::connection conn(DatabaseUrl());
  const std::vector<std::string> before = Outcomes(conn);
  std::vector<std::string> waiting = EnqueueThree(conn);
  pqxx::connection open_conn(DatabaseUrl());
  pqxx::work open(open_conn);  // a writer of the old function, open across the migration
  const std::string held = open.exec1("SELECT eventlog_enqueue('Held', '{}')::text")[0].c_str();

  Status s = Migrate(12);
  ASSERT_TRUE(s.ok()) << s.ToString();
  pqxx::connection after_conn(DatabaseUrl());
  EXPECT_EQ(Outcomes(after_conn), before);
  open.commit();
  std::vector<std::string> after = EnqueueThree(after_conn);

  PgOutboxStore store(DatabaseUrl(), "test", std::chrono::seconds(30));
  const std::vector<std::string> ids = ClaimEverything(store, 100);
  const std::multiset<std::string> claimed(ids.begin(), ids.end());
  std::multiset<std::string> expected(waiting.begin(), waiting.end());
  expected.insert(after.begin(), after.end());
  expected.insert(held);
  EXPECT_EQ(claimed, expected);
}

}  // namespace
}  // namespace eventlog::testing
