#include "bench/workload.h"

#include <algorithm>
#include <future>
#include <pqxx/pqxx>

#include "eventlog/outbox_writer.h"
#include "outbox/pg_errors.h"

namespace eventlog::bench {
namespace {

constexpr size_t kPerTransaction = 2000;
constexpr size_t kBytesPerTransaction = size_t{16} << 20;

Status FillRange(const BenchEnv& env, int64_t first, int64_t end, size_t padding_bytes) {
  const size_t per_tx =
      std::clamp(kBytesPerTransaction / (padding_bytes + 256), size_t{1}, kPerTransaction);
  return CatchPg([&] {
    pqxx::connection c(env.url);
    OutboxWriter writer("Bench", size_t{1} << 20);
    std::vector<Event> events;
    for (int64_t seq = first; seq < end;) {
      events.clear();
      for (; seq < end && events.size() < per_tx; ++seq) {
        events.push_back(BenchEvent(seq, padding_bytes));
      }
      pqxx::work tx(c);
      if (Status s = writer.EnqueueMany(tx, events); !s.ok()) return s;
      tx.commit();
    }
    return Status::Ok();
  });
}

}  // namespace

Event BenchEvent(int64_t seq, size_t padding_bytes) {
  return MakeEvent("UserCreated", {{"seq", seq},
                                   {"email", "user" + std::to_string(seq) + "@example.com"},
                                   {"first_name", "Ada"},
                                   {"last_name", "Lovelace"},
                                   {"plan", "pro"},
                                   {"source", "bench"},
                                   {"note", std::string(padding_bytes, 'x')}});
}

Status FillBacklog(const BenchEnv& env, int64_t n, size_t padding_bytes) {
  int64_t half = n / 2;
  auto other =
      std::async(std::launch::async, [&] { return FillRange(env, half, n, padding_bytes); });
  Status mine = FillRange(env, 0, half, padding_bytes);
  Status theirs = other.get();
  if (!mine.ok()) return mine;
  if (!theirs.ok()) return theirs;
  return CatchPg([&] {
    pqxx::connection c(env.url);
    pqxx::nontransaction tx(c);
    tx.exec0("VACUUM ANALYZE");
    return Status::Ok();
  });
}

std::vector<OutboxRow> BulkRows(int64_t n) {
  std::vector<OutboxRow> rows;
  rows.reserve(static_cast<size_t>(n));
  for (int64_t seq = 0; seq < n; ++seq) {
    auto row = ToOutboxRow(BenchEvent(seq), "Bench", size_t{1} << 20);
    rows.push_back(std::move(row.value()));
  }
  return rows;
}

}  // namespace eventlog::bench
