// The design eventlog replaces, as the baseline: a periodic task (every 1 s) takes
// unprocessed events 100 at a time, INSERTs each batch into ClickHouse and marks the rows
// processed with an UPDATE, until none is left. Runs in-process over a copy table of its own.
#include <pqxx/pqxx>
#include <thread>

#include "bench/clickhouse_watch.h"
#include "bench/scenarios.h"
#include "bench/workload.h"
#include "clickhouse/clickhouse_rows.h"
#include "outbox/pg_errors.h"

namespace eventlog::bench {
namespace {

constexpr int kSeedBatch = 100;
constexpr auto kSeedPoll = std::chrono::seconds(1);

Status CreateSeedOutbox(const BenchEnv& env, int64_t n) {
  return CatchPg([&] {
    pqxx::connection c(env.url);
    pqxx::work tx(c);
    tx.exec0(
        "CREATE TABLE seed_outbox (id bigserial PRIMARY KEY, event_id uuid NOT NULL, "
        "event_type text NOT NULL, event_date_time timestamptz NOT NULL, environment text NOT "
        "NULL, event_context text NOT NULL, processed boolean NOT NULL DEFAULT false)");
    tx.exec0("CREATE INDEX seed_outbox_processed_idx ON seed_outbox (processed)");
    for (int64_t seq = 0; seq < n; ++seq) {
      auto row = ToOutboxRow(BenchEvent(seq), "Bench", size_t{1} << 20);
      tx.exec_params0(
          "INSERT INTO seed_outbox (event_id, event_type, event_date_time, environment, "
          "event_context) VALUES ($1, $2, to_timestamp($3::double precision / 1e6), $4, $5)",
          row->event_id, row->event_type, row->event_time_us, row->environment, row->event_context);
    }
    tx.commit();
    pqxx::nontransaction vac(c);
    vac.exec0("VACUUM ANALYZE seed_outbox");
    return Status::Ok();
  });
}

// One batch: claim, INSERT, mark. The number of rows it moved.
Result<int> SeedBatch(pqxx::connection& c, ClickHouseWatch& ch, const TimeColumn& time_column) {
  pqxx::work tx(c);
  pqxx::result rows = tx.exec_params(
      "SELECT id, event_id, event_type, (extract(epoch FROM event_date_time) * 1e6)::bigint, "
      "environment, event_context FROM seed_outbox WHERE NOT processed ORDER BY id LIMIT $1 "
      "FOR UPDATE SKIP LOCKED",
      kSeedBatch);
  if (rows.empty()) return 0;
  std::vector<OutboxRow> batch;
  std::string ids = "{";
  for (const auto& r : rows) {
    batch.push_back({r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<int64_t>(),
                     r[4].as<std::string>(), r[5].as<std::string>(), 1, "", ""});
    ids += (ids.size() > 1 ? "," : "") + r[0].as<std::string>();
  }
  if (Status s = ch.Insert(EncodeForClickHouse(batch, time_column)); !s.ok()) return s;
  tx.exec_params0("UPDATE seed_outbox SET processed = true WHERE id = ANY($1::bigint[])",
                  ids + "}");
  tx.commit();
  return static_cast<int>(rows.size());
}

}  // namespace

Result<SeedResult> RunSeedBaseline(const BenchEnv& env) {
  if (Status s = FreshDatabases(env); !s.ok()) return s;
  if (Status s = CreateSeedOutbox(env, env.seed_events); !s.ok()) return s;
  ClickHouseWatch ch(env);
  auto time_column = ch.TimeColumnType();
  if (!time_column.ok()) return time_column.status();
  SeedResult result;
  result.events = env.seed_events;
  Status run = CatchPg([&] {
    pqxx::connection c(env.url);
    auto start = SteadyClock::now();
    int64_t moved = 0;
    while (moved < env.seed_events) {
      auto n = SeedBatch(c, ch, time_column.value());
      if (!n.ok()) return n.status();
      moved += n.value();
      if (n.value() == 0) std::this_thread::sleep_for(kSeedPoll);  // the periodic task's tick
    }
    result.events_per_s = static_cast<double>(moved) / SecondsSince(start);
    return Status::Ok();
  });
  if (!run.ok()) return run;
  std::string detail;
  auto once = ch.ExactlyOnce(env.seed_events, &detail);
  if (!once.ok()) return once.status();
  result.exactly_once = once.value();
  return result;
}

}  // namespace eventlog::bench
