// One-row business transactions (a user) from 2 clients: without an event, with one through
// OutboxWriter::Enqueue (a statement of its own), and with one in the user's own INSERT
// (OutboxWriter::InStatement); alternated so drift in the machine hits all alike; medians.
#include <future>
#include <map>
#include <pqxx/pqxx>

#include "bench/scenarios.h"
#include "bench/stats.h"
#include "eventlog/outbox_writer.h"
#include "outbox/pg_errors.h"

namespace eventlog::bench {
namespace {

constexpr int kClients = 2;
constexpr int kRepetitions = 5;
constexpr double kSecondsPerRun = 2.5;

// How a business transaction writes its event, if at all.
enum class Mode { kWithout, kEnqueueCall, kInStatement };

// One business transaction: a user row and, by `mode`, its event.
Status OneTransaction(pqxx::connection& c, const OutboxWriter& writer, Mode mode,
                      const std::string& email) {
  pqxx::work tx(c);
  if (mode == Mode::kInStatement) {  // the event rides in the user's INSERT
    auto in = writer.InStatement(MakeEvent("UserCreated", {{"email", email}}), 2);
    if (!in.ok()) return in.status();
    std::vector<std::string> params = {email};
    params.insert(params.end(), in->params.begin(), in->params.end());
    c.prepare("bench_user_with_event",
              "WITH " + in->cte + " INSERT INTO users (email) VALUES ($1)");
    tx.exec_prepared0("bench_user_with_event", pqxx::prepare::make_dynamic_params(params));
  } else {
    tx.exec_params0("INSERT INTO users (email) VALUES ($1)", email);
    if (mode == Mode::kEnqueueCall) {
      if (Status e = writer.Enqueue(tx, MakeEvent("UserCreated", {{"email", email}})); !e.ok()) {
        return e;
      }
    }
  }
  tx.commit();
  return Status::Ok();
}

// One client's transactions for kSecondsPerRun; `tag` keeps emails unique across runs.
Result<int64_t> BusinessTransactions(const BenchEnv& env, Mode mode, const std::string& tag) {
  int64_t done = 0;
  Status s = CatchPg([&] {
    pqxx::connection c(env.url);
    OutboxWriter writer("Bench", size_t{1} << 20);
    auto start = SteadyClock::now();
    while (SecondsSince(start) < kSecondsPerRun) {
      std::string email = tag + "-" + std::to_string(done) + "@example.com";
      if (Status e = OneTransaction(c, writer, mode, email); !e.ok()) return e;
      ++done;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return done;
}

// Transactions per second of kClients clients at once.
Result<double> Rate(const BenchEnv& env, Mode mode, int run) {
  std::vector<std::future<Result<int64_t>>> clients;
  for (int i = 0; i < kClients; ++i) {
    std::string tag = "m" + std::to_string(static_cast<int>(mode)) + "r" + std::to_string(run) +
                      "c" + std::to_string(i);
    clients.push_back(
        std::async(std::launch::async, BusinessTransactions, std::cref(env), mode, tag));
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
  std::map<Mode, std::vector<double>> rates;
  for (int run = 0; run < kRepetitions; ++run) {
    for (Mode mode : {Mode::kWithout, Mode::kEnqueueCall, Mode::kInStatement}) {
      auto rate = Rate(env, mode, run);
      if (!rate.ok()) return rate.status();
      rates[mode].push_back(rate.value());
    }
  }
  // Commit flushes make the rate swing between rounds on a shared disk: the ratios are taken
  // within each round (the three modes back to back) and their median reported.
  std::vector<double> enqueue_ratios;
  std::vector<double> in_statement_ratios;
  for (int run = 0; run < kRepetitions; ++run) {
    enqueue_ratios.push_back(rates[Mode::kEnqueueCall][run] / rates[Mode::kWithout][run]);
    in_statement_ratios.push_back(rates[Mode::kInStatement][run] / rates[Mode::kWithout][run]);
  }
  return EnqueueResult{Median(rates[Mode::kWithout]), Median(rates[Mode::kEnqueueCall]),
                       Median(rates[Mode::kInStatement]), Median(enqueue_ratios),
                       Median(in_statement_ratios)};
}

}  // namespace eventlog::bench
