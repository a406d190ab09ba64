#pragma once

// The relay side of the randomized claim interleaving test (issue 15 §1): claims at random row
// and byte caps, batches completed or left open, lease takeovers, truncations, ids moved round
// the partition ring; and the checks of every invariant against the test's model.

#include <cstdint>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <string>

#include "outbox/pg_outbox_store.h"
#include "tests/integration/claim_interleaving_actors.h"

namespace eventlog::testing {

struct ClaimFigures {
  int64_t claims = 0;        // claims that returned a new batch
  int64_t empty_claims = 0;  // claims that returned nothing
  int64_t takeovers = 0;
  int64_t completed = 0;
  int64_t truncations = 0;  // partitions truncated by RecycleClaimedPartitions
  int64_t wraps = 0;        // times the ids went once round the ring of partitions
  int64_t drains = 0;       // progress checks
  int64_t settled = 0;      // drains that then emptied the outbox
};

// Polls a condition until it holds or a deadline passes (the fixture's WaitFor).
using WaitForFn = std::function<bool(const std::function<bool()>&)>;

// Not thread-safe; one per seed.
class ClaimSide {
 public:
  ClaimSide(const std::string& database_url, ClaimModel& model, std::mt19937_64& rng,
            WaitForFn wait_for);

  // The row cap of the current step: claims mostly use it, and writers make ticks of exact
  // multiples of it (the shape of issue 15 §1). Changes now and then.
  int cap() const { return cap_; }
  std::string ChangeCap();

  std::string Claim();     // a new batch, at the current cap or a random one, maybe a byte cap
  std::string Complete();  // REQUIRES: an open batch
  std::string TakeOver();  // REQUIRES: an open batch. Its lease runs out; a claim takes it
  std::string Truncate();
  // Moves the id sequence forward, towards the next generation of the ring.
  // REQUIRES: no writer transaction is open, prepared ones included (the contract allows it).
  std::string AdvanceIds();

  // REQUIRES: no writer transaction is open. Every committed row must be claimed within a
  // bounded number of claims; with `settle`, every batch is then completed and the outbox
  // must empty (the scan bound passes every row, every partition is truncated).
  void Drain(int64_t step, ActionLog& log, bool settle);

  // Throws InvariantBroken unless the database agrees with the model right now.
  void CheckInvariants();

  std::string ClaimStateText();  // eventlog_claim_state, for failure messages
  const ClaimFigures& figures() const { return figures_; }

 private:
  ClaimLimits PickLimits();
  // A fresh claim through ClaimSlice, checked and recorded in the model.
  std::optional<Batch> ClaimWith(const ClaimLimits& limits);
  std::map<int64_t, Batch>::iterator PickOpen();
  void CompleteBatch(const Batch& batch);
  void Settle(int cap);
  std::string ForeignTransaction();

  std::string url_;
  ClaimModel& model_;
  std::mt19937_64& rng_;
  WaitForFn wait_for_;
  std::unique_ptr<pqxx::connection> claim_conn_;  // ClaimSlice's: no transaction object open
  std::unique_ptr<pqxx::connection> control_;     // checks, truncations, the sequence
  PgOutboxStore completer_;
  int cap_ = 1;
  ClaimFigures figures_;
};

}  // namespace eventlog::testing
