// The claim state machine (claims by tick, PgQ-style snapshots) against the real PostgreSQL,
// driven in random interleavings (issue 15 §1): writers with short and long transactions,
// savepoints, prepared transactions and ticks of exactly N x the row cap; claims at every cap,
// batches completed or left open, lease takeovers, truncations, ids wrapping round the
// partition ring. After every step the database must agree with the test's own model: no row
// claimed twice or claimed uncommitted, no unclaimed row truncated, open batches readable,
// eventlog_unclaimed exact. Now and then, and at the end, every transaction ends and the claims
// must take every committed row within a bounded number of claims.
//
// Seeded and reproducible: a failure prints its seed; rerun it with EVENTLOG_CLAIMS_SEED=<n>.
// EVENTLOG_CLAIMS_SEEDS (default 3, or 1 with a given seed) and EVENTLOG_CLAIMS_STEPS (default
// 1500) size the run; `make test-claims-soak` runs many more.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

#include "tests/integration/claim_interleaving_actors.h"
#include "tests/integration/claim_interleaving_claims.h"
#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

constexpr int kWriters = 4;
constexpr size_t kMaxPrepared = 8;
constexpr size_t kManyOpenBatches = 8;
constexpr int64_t kRingIds = 400000;  // the outbox ring: 4 partitions x 100,000 ids

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::stoll(v) : fallback;
}

struct RunFigures {
  int64_t seeds = 0;
  int64_t steps = 0;
  int64_t events = 0;
  int64_t discarded = 0;
  int64_t prepared = 0;
  int64_t exact_ticks = 0;
  ClaimFigures claims;
  std::vector<std::string> failures;

  void Add(const ClaimFigures& c) {
    claims.claims += c.claims;
    claims.empty_claims += c.empty_claims;
    claims.takeovers += c.takeovers;
    claims.completed += c.completed;
    claims.truncations += c.truncations;
    claims.wraps += c.wraps;
    claims.drains += c.drains;
    claims.settled += c.settled;
  }
};

// One seed's run: every random choice comes from one PRNG, in one thread.
class SeedRun {
 public:
  SeedRun(uint64_t seed, const WaitForFn& wait_for)
      : rng_(seed),
        writers_(Servers().database_url, kWriters, model_, rng_),
        claims_(Servers().database_url, model_, rng_, wait_for) {}

  // Runs `steps` random actions then a final drain; the failure message, or "" when none.
  std::string Run(uint64_t seed, int64_t steps, RunFigures& figures) {
    std::string failure;
    int64_t step = 0;
    try {
      for (step = 1; step <= steps; ++step) {
        log_.Note(step, Act(step));
        claims_.CheckInvariants();
      }
      step = steps + 1;
      log_.Note(step, "final: " + writers_.EndAll(step));
      claims_.Drain(step, log_, /*settle=*/true);
    } catch (const std::exception& e) {
      failure = Describe(seed, steps, std::min(step, steps + 1), e.what());
    }
    figures.steps += std::min(step, steps);
    figures.events += model_.events;
    figures.discarded += model_.discarded;
    figures.prepared += writers_.prepared_total();
    figures.exact_ticks += exact_ticks_;
    figures.Add(claims_.figures());
    return failure;
  }

 private:
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

  // Picks one action among those the state allows, by weight, and runs it.
  std::string Act(int64_t step) {
    std::vector<std::pair<int64_t, std::function<std::string()>>> options;
    auto add = [&](bool allowed, int64_t weight, std::function<std::string()> action) {
      if (allowed) options.emplace_back(weight, std::move(action));
    };
    const bool nothing_open = writers_.NothingOpen();
    add(writers_.AnyIdle(), 8, [&] { return writers_.Begin(step); });
    add(writers_.AnyOpen(), 10, [&] { return writers_.Enqueue(); });
    add(writers_.AnyOpen(), 3, [&] { return writers_.Savepoint(); });
    add(writers_.AnyWithSavepoint(), 3, [&] { return writers_.RollbackToSavepoint(); });
    add(writers_.AnyWithSavepoint(), 1, [&] { return writers_.ReleaseSavepoint(); });
    add(writers_.AnyEndable(step), 8, [&] { return writers_.End(step, true); });
    add(writers_.AnyEndable(step), 2, [&] { return writers_.End(step, false); });
    add(writers_.AnyEndable(step) && writers_.prepared_count() < kMaxPrepared, 2,
        [&] { return writers_.Prepare(step); });
    add(writers_.AnyFinishablePrepared(step), 3,
        [&] { return writers_.FinishPrepared(step, Uniform(0, 3) != 0); });
    add(writers_.AnyIdle(), 3, [&] { return ExactTick(); });
    add(true, 20, [&] { return claims_.Claim(); });
    const bool many_open = model_.open.size() > kManyOpenBatches;
    add(!model_.open.empty(), many_open ? 20 : 6, [&] { return claims_.Complete(); });
    add(!model_.open.empty(), 3, [&] { return claims_.TakeOver(); });
    add(true, 3, [&] { return claims_.Truncate(); });
    add(nothing_open, 10, [&] { return claims_.AdvanceIds(); });
    add(true, 3, [&] { return claims_.ChangeCap(); });
    add(true, 1, [&] { return Progress(step); });
    int64_t total = 0;
    for (const auto& o : options) total += o.first;
    int64_t pick = Uniform(0, total - 1);
    for (auto& o : options) {
      if (pick < o.first) return o.second();
      pick -= o.first;
    }
    return "nothing";  // unreachable: the weights add up to `total`
  }

  // One transaction of exactly N x the current row cap (issue 15 §1: such a tick, paged while
  // an older transaction was open, stalled every later claim).
  std::string ExactTick() {
    ++exact_ticks_;
    return writers_.ExactTick(Uniform(1, 3) * claims_.cap());
  }

  // Every transaction ends; every committed row must then be claimed, promptly.
  std::string Progress(int64_t step) {
    log_.Note(step, writers_.EndAll(step));
    if (Uniform(0, 1) == 0) log_.Note(step, claims_.AdvanceIds());
    claims_.CheckInvariants();
    claims_.Drain(step, log_, /*settle=*/Uniform(0, 2) == 0);
    return "progress check passed";
  }

  std::string Describe(uint64_t seed, int64_t steps, int64_t step, const std::string& what) {
    std::string state;
    try {
      state = claims_.ClaimStateText();
    } catch (const std::exception& e) {
      state = std::string("unreadable: ") + e.what();
    }
    return "seed=" + std::to_string(seed) + " step=" + std::to_string(step) + ": " + what +
           "\n  claim state: " + state + "\n  last actions:\n" + log_.Recent() +
           "  reproduce: EVENTLOG_CLAIMS_SEED=" + std::to_string(seed) +
           " EVENTLOG_CLAIMS_STEPS=" + std::to_string(steps) +
           " --gtest_filter='ClaimInterleaving*'";
  }

  std::mt19937_64 rng_;
  ClaimModel model_;
  ActionLog log_;
  WriterPool writers_;
  ClaimSide claims_;
  int64_t exact_ticks_ = 0;
};

class ClaimInterleavingTest : public IntegrationTest {
 protected:
  // Each seed starts from the same place: an empty outbox at the first id of the ring, and a
  // claim state that says "everything before now is claimed" (true of an empty outbox), so a
  // state another test left behind does not carry over.
  void ResetForSeed() {
    PgExec("TRUNCATE event_outbox, eventlog_batches");
    const int64_t last = std::stoll(PgScalar("SELECT last_value FROM event_outbox_id_seq"));
    const int64_t start = (last / kRingIds + 1) * kRingIds;
    PgExec("SELECT setval('event_outbox_id_seq', " + std::to_string(start) + ", false)");
    PgExec(
        "UPDATE eventlog_claim_state SET done_snapshot = pg_current_snapshot(), "
        "page_snapshot = NULL, page_after_tx = NULL, page_after_id = NULL");
  }
};

TEST_F(ClaimInterleavingTest, RandomInterleavingsClaimEveryCommittedRowExactlyOnce) {
  const bool given = std::getenv("EVENTLOG_CLAIMS_SEED") != nullptr;
  const uint64_t first_seed = given ? static_cast<uint64_t>(EnvInt("EVENTLOG_CLAIMS_SEED", 0))
                                    : std::random_device()() % 1000000000;
  const int64_t seeds = EnvInt("EVENTLOG_CLAIMS_SEEDS", given ? 1 : 3);
  const int64_t steps = EnvInt("EVENTLOG_CLAIMS_STEPS", 1500);
  const WaitForFn wait_for = [](const std::function<bool()>& c) {
    return WaitFor(c, std::chrono::seconds(10));
  };
  const auto started = std::chrono::steady_clock::now();
  RunFigures figures;
  for (int64_t k = 0; k < seeds; ++k) {
    const uint64_t seed = first_seed + static_cast<uint64_t>(k);
    std::printf("CLAIMS-RANDOM seed=%llu steps=%lld\n", static_cast<unsigned long long>(seed),
                static_cast<long long>(steps));
    std::fflush(stdout);
    ResetForSeed();
    std::string failure = SeedRun(seed, wait_for).Run(seed, steps, figures);
    ++figures.seeds;
    if (!failure.empty()) {
      ADD_FAILURE() << failure;
      figures.failures.push_back(std::to_string(seed));
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string failed;
  for (const std::string& s : figures.failures) failed += (failed.empty() ? "" : ",") + s;
  std::printf(
      "CLAIMS-RANDOM seeds=%lld steps=%lld events=%lld claims=%lld takeovers=%lld "
      "truncations=%lld rolled_back=%lld prepared=%lld exact_ticks=%lld empty_claims=%lld "
      "completed=%lld wraps=%lld drains=%lld settled=%lld failed_seeds=%s "
      "seconds=%.1f\n",
      static_cast<long long>(figures.seeds), static_cast<long long>(figures.steps),
      static_cast<long long>(figures.events), static_cast<long long>(figures.claims.claims),
      static_cast<long long>(figures.claims.takeovers),
      static_cast<long long>(figures.claims.truncations), static_cast<long long>(figures.discarded),
      static_cast<long long>(figures.prepared), static_cast<long long>(figures.exact_ticks),
      static_cast<long long>(figures.claims.empty_claims),
      static_cast<long long>(figures.claims.completed),
      static_cast<long long>(figures.claims.wraps), static_cast<long long>(figures.claims.drains),
      static_cast<long long>(figures.claims.settled), failed.empty() ? "none" : failed.c_str(),
      seconds);
}

}  // namespace
}  // namespace eventlog::testing
