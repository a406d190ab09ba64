#pragma once

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "clickhouse/clickhouse_sink.h"
#include "eventlog/outbox_writer.h"
#include "outbox/pg_outbox_store.h"
#include "relay/relay.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {

// Every event_id `store` claims, in order, batches completed, until a claim finds nothing.
inline std::vector<std::string> ClaimEverything(PgOutboxStore& store, int max_rows = 1000) {
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    auto b = store.Claim({max_rows});
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    if (!b.ok() || !b->has_value()) break;
    for (const auto& r : (*b)->rows) ids.push_back(r.event_id);
    EXPECT_TRUE(store.Complete(**b, static_cast<int64_t>((*b)->rows.size()), {}).ok());
  }
  return ids;
}

// The relay's pieces against the test servers: enqueue through OutboxWriter, the real store
// and sink, a policy with tiny delays.
class RelayIntegrationTest : public IntegrationTest {
 protected:
  std::vector<std::string> Enqueue(int n, const std::string& name = "UserCreated") {
    pqxx::connection conn(Servers().database_url);
    OutboxWriter writer("Test", 1 << 20);
    std::vector<Event> events;
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      events.push_back(MakeEvent(name, {{"n", i}}));
      ids.push_back(events.back().event_id);
    }
    pqxx::work tx(conn);
    EXPECT_TRUE(writer.EnqueueMany(tx, events).ok());
    tx.commit();
    return ids;
  }
  PgOutboxStore Store(std::chrono::milliseconds lease = std::chrono::milliseconds(30000),
                      const std::string& owner = "test") {
    return PgOutboxStore(Servers().database_url, owner, lease);
  }
  // ClaimEverything, for the fixture's tests.
  std::vector<std::string> ClaimAll(PgOutboxStore& store, int max_rows = 1000) {
    return ClaimEverything(store, max_rows);
  }
  ClickHouseSink Sink() { return ClickHouseSink(Servers().clickhouse, Servers().table); }
  RelayPolicy Policy(int batch_size = 100) {
    RelayPolicy p;
    p.batch_size = batch_size;
    p.retry_base = std::chrono::milliseconds(1);
    p.retry_max = std::chrono::milliseconds(5);
    p.poll_interval = std::chrono::milliseconds(10);
    return p;
  }
  // Events not yet delivered: in the outbox unclaimed, or in a batch.
  int64_t Pending() {
    return std::stoll(
        PgScalar("SELECT (SELECT count(*) FROM eventlog_unclaimed) + (SELECT count(*) FROM "
                 "eventlog_batches)"));
  }
  // Runs relay steps until nothing is pending, at most `max_steps`.
  void Drain(int max_steps = 50) {
    auto store = Store();
    auto sink = Sink();
    for (int i = 0; i < max_steps && Pending() > 0; ++i) {
      (void)RunRelayStep(store, sink, Policy());
      std::this_thread::sleep_for(std::chrono::milliseconds(6));  // past Policy()'s retry delay
    }
  }
};

}  // namespace eventlog::testing
