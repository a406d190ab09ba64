// Claims while a transaction that wrote into the outbox stays open (issue 15 §3): a claim's work
// must not grow with the rows committed behind it.
#include <pqxx/pqxx>

#include "bench/scenarios.h"
#include "bench/stats.h"
#include "bench/workload.h"
#include "eventlog/outbox_writer.h"
#include "outbox/pg_outbox_store.h"

namespace eventlog::bench {
namespace {

double MillisSince(SteadyClock::time_point start) { return SecondsSince(start) * 1000; }

// Claims (and completes, no ClickHouse) until a claim finds nothing; each claim's time in ms.
Result<std::vector<double>> ClaimEverything(PgOutboxStore& store, const ClaimLimits& limits) {
  std::vector<double> ms;
  for (;;) {
    auto start = SteadyClock::now();
    auto b = store.Claim(limits);
    if (!b.ok()) return b.status();
    if (!b->has_value()) return ms;
    ms.push_back(MillisSince(start));
    if (Status s = store.Complete(**b, static_cast<int64_t>((*b)->rows.size()), {}); !s.ok()) {
      return s;
    }
  }
}

}  // namespace

Result<HeldResult> RunHeldTransaction(const BenchEnv& env, int64_t events) {
  if (Status s = FreshDatabases(env); !s.ok()) return s;
  pqxx::connection held_conn(env.url);
  pqxx::work held(held_conn);
  if (Status s = OutboxWriter("Bench", 1 << 20).Enqueue(held, BenchEvent(-1)); !s.ok()) return s;
  if (Status s = FillBacklog(env, events); !s.ok()) return s;
  PgOutboxStore store(env.url, "bench-held", std::chrono::milliseconds(60000));
  const ClaimLimits limits{defaults::kBatchMaxRows, defaults::kBatchMaxBytes};
  auto claims = ClaimEverything(store, limits);
  if (!claims.ok()) return claims.status();
  if (claims->empty()) return Status(StatusCode::kInternal, "no claim found the backlog");
  HeldResult r;
  r.events = events;
  r.claims = static_cast<int64_t>(claims->size());
  std::sort(claims->begin(), claims->end());
  r.claim_p50_ms = Percentile(*claims, 0.5);
  r.claim_p90_ms = Percentile(*claims, 0.9);
  r.claim_max_ms = claims->back();
  // Everything behind the open transaction is claimed: one more event, then nothing waiting.
  pqxx::connection c(env.url);
  pqxx::work tx(c);
  if (Status s = OutboxWriter("Bench", 1 << 20).Enqueue(tx, BenchEvent(events)); !s.ok()) return s;
  tx.commit();
  auto one = ClaimEverything(store, limits);
  if (!one.ok()) return one.status();
  r.one_event_claim_ms = one->empty() ? -1 : one->front();
  auto start = SteadyClock::now();
  auto idle = store.Claim(limits);
  if (!idle.ok()) return idle.status();
  r.idle_claim_ms = MillisSince(start);
  held.abort();
  return r;
}

}  // namespace eventlog::bench
