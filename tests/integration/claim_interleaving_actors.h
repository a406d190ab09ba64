#pragma once

// The writer side of the randomized claim interleaving test (issue 15 §1): the test's model of
// which outbox rows exist, and writer connections that open, fill and end transactions
// (savepoints, prepared transactions) in whatever order the test's PRNG picks.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/outbox_store.h"

namespace eventlog::testing {

// An invariant broke (or a call that must work failed): the test adds the seed, the step and
// the recent actions, so the failure reproduces from its message.
class InvariantBroken : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The last actions, for failure messages.
class ActionLog {
 public:
  void Note(int64_t step, const std::string& action);
  std::string Recent() const;  // one action a line, oldest first

 private:
  static constexpr size_t kKept = 20;
  std::deque<std::pair<std::string, int64_t>> recent_;  // line, times in a row
};

// What the test knows independently of the claim code: every event_id it committed or rolled
// back, and every event_id a claim returned. REQUIRES: ids are unique (UUIDv7).
struct ClaimModel {
  std::map<std::string, bool> committed;   // id -> committed (false: rolled back)
  std::set<std::string> unclaimed;         // committed, not yet returned by a claim
  std::map<std::string, int64_t> claimed;  // id -> the batch that claimed it
  std::map<int64_t, Batch> open;           // batches claimed and not completed
  int64_t events = 0;                      // rows committed
  int64_t discarded = 0;                   // rows rolled back (transaction or savepoint)

  void Commit(const std::vector<std::string>& ids);
  void Discard(const std::vector<std::string>& ids);
  // Records a fresh batch; throws InvariantBroken if a row of it is claimed twice, was rolled
  // back or never committed.
  void Claim(const Batch& batch);
};

// One connection with at most one open transaction. Transactions are plain SQL (BEGIN,
// SAVEPOINT, PREPARE TRANSACTION ...) over an autocommit nontransaction, so libpqxx does not
// get in the way of savepoints and two-phase commit.
struct Writer {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<pqxx::nontransaction> sql;
  bool open = false;
  int64_t began = 0;               // step of BEGIN
  int64_t hold = 0;                // steps it stays open at least (a long transaction)
  std::vector<std::string> rows;   // event_ids written and not rolled back to a savepoint
  std::vector<size_t> savepoints;  // rows.size() at each savepoint, innermost last
};

struct PreparedTx {
  std::string gid;
  std::vector<std::string> rows;
  int64_t prepared = 0;  // step of PREPARE TRANSACTION
  int64_t hold = 0;
};

// The writers and the prepared transactions they left. Every action is picked by the caller
// (so one PRNG decides everything); each returns a line for the action log. Not thread-safe.
class WriterPool {
 public:
  WriterPool(const std::string& database_url, int writers, ClaimModel& model, std::mt19937_64& rng);
  ~WriterPool();  // rolls back every open and prepared transaction

  // REQUIRES (each): a writer in the right state exists; the caller checks with the queries.
  std::string Begin(int64_t step);
  std::string Enqueue();
  std::string Savepoint();
  std::string RollbackToSavepoint();
  std::string ReleaseSavepoint();
  std::string End(int64_t step, bool commit);  // a writer whose hold has passed
  std::string Prepare(int64_t step);           // likewise
  std::string FinishPrepared(int64_t step,
                             bool commit);  // a prepared transaction whose hold has passed
  // One short transaction of exactly `rows` rows, committed: a tick of rows x cap.
  std::string ExactTick(int64_t rows);
  // Commits or rolls back every transaction, prepared ones too.
  std::string EndAll(int64_t step);

  bool AnyIdle() const { return Pick(&WriterPool::IsIdle, false) >= 0; }
  bool AnyOpen() const { return Pick(&WriterPool::IsOpen, false) >= 0; }
  bool AnyWithSavepoint() const { return Pick(&WriterPool::HasSavepoint, false) >= 0; }
  bool AnyEndable(int64_t step) const;
  bool AnyFinishablePrepared(int64_t step) const;
  bool NothingOpen() const { return !AnyOpen() && prepared_.empty(); }
  size_t prepared_count() const { return prepared_.size(); }
  int64_t prepared_total() const { return prepared_total_; }

 private:
  static bool IsIdle(const Writer& w, int64_t) { return !w.open; }
  static bool IsOpen(const Writer& w, int64_t) { return w.open; }
  static bool HasSavepoint(const Writer& w, int64_t) { return w.open && !w.savepoints.empty(); }
  static bool IsEndable(const Writer& w, int64_t step) {
    return w.open && step - w.began >= w.hold;
  }
  // A random writer for which `want` holds (-1: none); `random` false takes the first.
  int Pick(bool (*want)(const Writer&, int64_t), bool random, int64_t step = 0) const;
  std::vector<std::string> Write(Writer& w, int64_t rows);
  int64_t HoldSteps();
  std::string EndPrepared(size_t index, bool commit);

  std::string gid_prefix_;
  ClaimModel& model_;
  std::mt19937_64& rng_;
  std::vector<Writer> writers_;
  std::vector<PreparedTx> prepared_;
  std::unique_ptr<pqxx::connection> control_;  // ends prepared transactions when no writer is idle
  int64_t prepared_total_ = 0;
  int64_t next_gid_ = 0;
};

}  // namespace eventlog::testing
