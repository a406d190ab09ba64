// One-row business transactions (a user) from 2 clients, without and with one outbox event in
// each, alternated so drift in the machine hits both alike; medians of the repetitions.
#include <future>
#include <pqxx/pqxx>

#include "bench/scenarios.h"
#include "bench/stats.h"
#include "eventlog/outbox_writer.h"
#include "outbox/pg_errors.h"

namespace eventlog::bench {
namespace {

constexpr int kClients = 2;
constexpr int kRepetitions = 3;
constexpr double kSecondsPerRun = 4;

// One client's transactions for kSecondsPerRun; `tag` keeps emails unique across runs.
Result<int64_t> BusinessTransactions(const BenchEnv& env, bool with_event, const std::string& tag) {
  int64_t done = 0;
  Status s = CatchPg([&] {
    pqxx::connection c(env.url);
    OutboxWriter writer("Bench", size_t{1} << 20);
    auto start = SteadyClock::now();
    while (SecondsSince(start) < kSecondsPerRun) {
      pqxx::work tx(c);
      std::string email = tag + "-" + std::to_string(done) + "@example.com";
      tx.exec_params0("INSERT INTO users (email) VALUES ($1)", email);
      if (with_event) {
        if (Status e = writer.Enqueue(tx, MakeEvent("UserCreated", {{"email", email}})); !e.ok()) {
          return e;
        }
      }
      tx.commit();
      ++done;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return done;
}

// Transactions per second of kClients clients at once.
Result<double> Rate(const BenchEnv& env, bool with_event, int run) {
  std::vector<std::future<Result<int64_t>>> clients;
  for (int i = 0; i < kClients; ++i) {
    std::string tag = (with_event ? "w" : "n") + std::to_string(run) + "c" + std::to_string(i);
    clients.push_back(
        std::async(std::launch::async, BusinessTransactions, std::cref(env), with_event, tag));
  }
  int64_t total = 0;
  for (auto& f : clients) {
    auto n = f.get();
    if (!n.ok()) return n.status();
    total += n.value();
  }
  return static_cast<double>(total) / kSecondsPerRun;
}

}  // namespace

Result<EnqueueResult> RunEnqueue(const BenchEnv& env) {
  if (Status s = FreshDatabases(env); !s.ok()) return s;
  std::vector<double> without;
  std::vector<double> with;
  for (int run = 0; run < kRepetitions; ++run) {
    auto plain = Rate(env, false, run);
    if (!plain.ok()) return plain.status();
    auto outbox = Rate(env, true, run);
    if (!outbox.ok()) return outbox.status();
    without.push_back(plain.value());
    with.push_back(outbox.value());
  }
  return EnqueueResult{Median(without), Median(with)};
}

}  // namespace eventlog::bench
