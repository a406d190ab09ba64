// `make bench`: figures measured side by side in one run, reported as ratios.
//   1. drain: a backlog of N outbox events relayed to ClickHouse (events/s), at two batch sizes,
//      next to ClickHouse's own bulk-ingest rate (one INSERT of N rows) measured in the same run;
//   2. enqueue: one-row business transactions with and without an outbox event (tx/s).
// Uses its own databases (eventlog_bench) on the servers `make bench` starts.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <string>

#include "clickhouse/clickhouse_sink.h"
#include "eventlog/outbox_writer.h"
#include "eventlog/relay.h"
#include "observe/logger.h"
#include "outbox/pg_outbox_store.h"

namespace eventlog::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

struct Setup {
  std::string admin_url =
      EnvOr("EVENTLOG_BENCH_ADMIN_URL", "postgresql://eventlog:eventlog@127.0.0.1:55432/eventlog");
  std::string url = EnvOr("EVENTLOG_BENCH_DATABASE_URL",
                          "postgresql://eventlog:eventlog@127.0.0.1:55432/eventlog_bench");
  ClickHouseOptions ch;
  Setup() {
    ch.port = std::stoi(EnvOr("EVENTLOG_BENCH_CLICKHOUSE_PORT", "58123"));
    ch.user = "eventlog";
    ch.password = "eventlog";
    ch.database = "eventlog_bench";
    ch.timeout_ms = 120000;
  }
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

void Prepare(const Setup& s) {
  {
    pqxx::connection admin(s.admin_url);
    pqxx::nontransaction tx(admin);
    if (tx.exec("SELECT 1 FROM pg_database WHERE datname = 'eventlog_bench'").empty()) {
      tx.exec0("CREATE DATABASE eventlog_bench");
    }
  }
  // The schema comes from `eventlog migrate` itself (it creates the ClickHouse database too).
  std::string cmd = "env DATABASE_URL='" + s.url +
                    "' CLICKHOUSE_PORT=" + std::to_string(s.ch.port) +
                    " CLICKHOUSE_USER=eventlog CLICKHOUSE_PASSWORD=eventlog "
                    "CLICKHOUSE_SCHEMA=eventlog_bench LOG_LEVEL=warn " EVENTLOG_BIN
                    " --env-file /dev/null migrate";
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "bench: eventlog migrate failed\n");
    std::exit(1);
  }
}

void Reset(const Setup& s) {
  pqxx::connection c(s.url);
  pqxx::work tx(c);
  tx.exec0("TRUNCATE users, event_outbox, eventlog_batches, event_dead_letters");
  tx.commit();
  ClickHouseClient ch(s.ch);
  Check(ch.Execute("TRUNCATE TABLE event_log").status(), "truncate");
}

// N events of ~75 bytes of context, straight into the outbox.
void FillOutbox(const Setup& s, int n) {
  pqxx::connection c(s.url);
  pqxx::work tx(c);
  tx.exec_params(
      "INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, "
      "event_context) SELECT gen_random_uuid(), 'user_created', now(), 'Bench', "
      "'{\"email\":\"user' || g || "
      "'@example.com\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}' "
      "FROM generate_series(1, $1) g",
      n);
  tx.commit();
  pqxx::nontransaction vac(c);
  vac.exec0("VACUUM ANALYZE event_outbox");
}

double DrainRate(const Setup& s, int n, int batch_size) {
  Reset(s);
  FillOutbox(s, n);
  PgOutboxStore store(s.url, "bench", std::chrono::milliseconds(600000));
  ClickHouseSink sink(s.ch, "event_log");
  RelayPolicy policy;
  policy.batch_size = batch_size;
  auto start = Clock::now();
  int64_t delivered = 0;
  for (;;) {
    StepOutcome o = RunRelayStep(store, sink, policy);
    Check(o.error, "relay step");
    if (!o.claimed) break;
    delivered += o.delivered;
  }
  double secs = Seconds(start);
  if (delivered != n) {
    std::fprintf(stderr, "bench: delivered %lld of %d\n", static_cast<long long>(delivered), n);
    std::exit(1);
  }
  return n / secs;
}

double BulkIngestRate(const Setup& s, int n) {
  Reset(s);
  std::vector<OutboxRow> rows(static_cast<size_t>(n));
  int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  for (int i = 0; i < n; ++i) {
    OutboxRow& r = rows[static_cast<size_t>(i)];
    r.event_id = MakeEvent("UserCreated", {}).event_id;
    r.event_type = "user_created";
    r.event_time_us = now_us;
    r.environment = "Bench";
    r.event_context = "{\"email\":\"user" + std::to_string(i) +
                      "@example.com\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}";
  }
  ClickHouseSink sink(s.ch, "event_log");
  Check(sink.Probe(), "probe");
  auto start = Clock::now();
  Check(sink.Insert(0, rows), "bulk insert");
  return n / Seconds(start);
}

// One-row business transactions (a user), with or without an outbox event, for `secs`.
double EnqueueRate(const Setup& s, bool with_event, double secs) {
  pqxx::connection c(s.url);
  OutboxWriter writer("Bench", 1 << 20);
  int64_t i = 0;
  auto start = Clock::now();
  while (Seconds(start) < secs) {
    pqxx::work tx(c);
    std::string email = std::string(with_event ? "e" : "n") + std::to_string(i++) + "@example.com";
    tx.exec_params("INSERT INTO users (email) VALUES ($1)", email);
    if (with_event)
      Check(writer.Enqueue(tx, MakeEvent("UserCreated", {{"email", email}})), "enqueue");
    tx.commit();
  }
  return static_cast<double>(i) / Seconds(start);
}

}  // namespace
}  // namespace eventlog::bench

int main() {
  using namespace eventlog::bench;
  eventlog::log::Init(eventlog::LogFormat::kConsole, "warn");
  Setup s;
  Prepare(s);
  const int n = std::stoi(EnvOr("EVENTLOG_BENCH_EVENTS", "200000"));
  double bulk = BulkIngestRate(s, n);
  double drain100 = DrainRate(s, n / 10, 100);
  double drain10k = DrainRate(s, n, 10000);
  Reset(s);
  double plain = EnqueueRate(s, false, 5);
  double outbox = EnqueueRate(s, true, 5);
  std::printf("events=%d\n", n);
  std::printf("clickhouse_bulk_insert_rows_per_s=%.0f\n", bulk);
  std::printf("drain_batch_100_events_per_s=%.0f  (%.1f%% of bulk)\n", drain100,
              100 * drain100 / bulk);
  std::printf("drain_batch_10000_events_per_s=%.0f  (%.1f%% of bulk)\n", drain10k,
              100 * drain10k / bulk);
  std::printf("business_tx_per_s_without_outbox=%.0f\n", plain);
  std::printf("business_tx_per_s_with_outbox=%.0f  (%.1f%% of without)\n", outbox,
              100 * outbox / plain);
  return 0;
}
