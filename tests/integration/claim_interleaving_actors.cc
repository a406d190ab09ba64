#include "tests/integration/claim_interleaving_actors.h"

#include <unistd.h>

#include <sstream>

#include "eventlog/outbox_writer.h"

namespace eventlog::testing {
namespace {

constexpr int kMaxRowsPerEnqueue = 4;

int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

// `n` rows through eventlog_enqueue() in one statement (the path of other languages).
std::vector<std::string> EnqueueWithFunction(pqxx::nontransaction& sql, int64_t n) {
  pqxx::result r = sql.exec_params(
      "SELECT eventlog_enqueue('ClaimInterleaving', jsonb_build_object('n', g))::text "
      "FROM generate_series(1, $1::bigint) g",
      n);
  std::vector<std::string> ids;
  for (const auto& row : r) ids.emplace_back(row[0].c_str());
  return ids;
}

// `n` rows through the C++ writer: one Enqueue, or EnqueueMany.
std::vector<std::string> EnqueueWithWriter(pqxx::nontransaction& sql, int64_t n) {
  static const OutboxWriter writer("Test", 1 << 20);
  std::vector<Event> events;
  std::vector<std::string> ids;
  for (int64_t i = 0; i < n; ++i) {
    events.push_back(MakeEvent("ClaimInterleaving", {{"n", i}}));
    ids.push_back(events.back().event_id);
  }
  Status s = n == 1 ? writer.Enqueue(sql, events[0]) : writer.EnqueueMany(sql, events);
  if (!s.ok()) throw InvariantBroken("enqueue failed: " + s.ToString());
  return ids;
}

std::string Join(const std::vector<std::string>& ids, size_t at_most = 3) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < at_most; ++i) out += (i ? "," : "") + ids[i];
  if (ids.size() > at_most) out += ",...";
  return out;
}

}  // namespace

// A line repeated (a drain's empty claims) is kept once with a count, so it does not push the
// actions that led there out of the log.
void ActionLog::Note(int64_t step, const std::string& action) {
  std::string line = "step " + std::to_string(step) + ": " + action;
  if (!recent_.empty() && recent_.back().first == line) {
    ++recent_.back().second;
    return;
  }
  recent_.emplace_back(std::move(line), 1);
  if (recent_.size() > kKept) recent_.pop_front();
}

std::string ActionLog::Recent() const {
  std::string out;
  for (const auto& [line, times] : recent_) {
    out += "  " + line + (times > 1 ? " (x" + std::to_string(times) + ")" : "") + "\n";
  }
  return out;
}

void ClaimModel::Commit(const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    committed[id] = true;
    unclaimed.insert(id);
  }
  events += static_cast<int64_t>(ids.size());
}

void ClaimModel::Discard(const std::vector<std::string>& ids) {
  for (const std::string& id : ids) committed[id] = false;
  discarded += static_cast<int64_t>(ids.size());
}

void ClaimModel::Claim(const Batch& batch) {
  for (const OutboxRow& row : batch.rows) {
    const std::string& id = row.event_id;
    auto before = claimed.find(id);
    if (before != claimed.end()) {
      throw InvariantBroken("event " + id + " claimed twice: by batch " +
                            std::to_string(before->second) + " and by batch " +
                            std::to_string(batch.batch_id));
    }
    auto c = committed.find(id);
    if (c == committed.end() || !c->second) {
      throw InvariantBroken("batch " + std::to_string(batch.batch_id) + " claimed event " + id +
                            (c == committed.end() ? ", which is not committed (open or prepared)"
                                                  : ", which was rolled back"));
    }
    claimed[id] = batch.batch_id;
    unclaimed.erase(id);
  }
  open[batch.batch_id] = batch;
}

WriterPool::WriterPool(const std::string& database_url, int writers, ClaimModel& model,
                       std::mt19937_64& rng)
    : gid_prefix_("eventlog_claims_" + std::to_string(getpid()) + "_"), model_(model), rng_(rng) {
  for (int i = 0; i < writers; ++i) {
    Writer w;
    w.conn = std::make_unique<pqxx::connection>(database_url);
    w.sql = std::make_unique<pqxx::nontransaction>(*w.conn);
    writers_.push_back(std::move(w));
  }
  control_ = std::make_unique<pqxx::connection>(database_url);
}

WriterPool::~WriterPool() {
  for (Writer& w : writers_) {
    if (w.open) w.conn.reset();  // closing the connection rolls its transaction back
  }
  for (size_t i = prepared_.size(); i > 0; --i) {
    try {
      pqxx::nontransaction tx(*control_);
      tx.exec0("ROLLBACK PREPARED " + tx.quote(prepared_[i - 1].gid));
    } catch (const std::exception&) {
      // The test's set-up rolls back what a crashed run left (gids of this test only).
    }
  }
}

int WriterPool::Pick(bool (*want)(const Writer&, int64_t), bool random, int64_t step) const {
  std::vector<int> fit;
  for (size_t i = 0; i < writers_.size(); ++i) {
    if (want(writers_[i], step)) fit.push_back(static_cast<int>(i));
  }
  if (fit.empty()) return -1;
  if (!random) return fit.front();
  return fit[static_cast<size_t>(Uniform(rng_, 0, static_cast<int64_t>(fit.size()) - 1))];
}

bool WriterPool::AnyEndable(int64_t step) const {
  return Pick(&WriterPool::IsEndable, false, step) >= 0;
}

bool WriterPool::AnyFinishablePrepared(int64_t step) const {
  for (const PreparedTx& p : prepared_) {
    if (step - p.prepared >= p.hold) return true;
  }
  return false;
}

// One in four transactions is long: it stays open across tens to hundreds of steps, so ticks,
// pages and the scan bound all happen under it.
int64_t WriterPool::HoldSteps() {
  return Uniform(rng_, 0, 3) == 0 ? Uniform(rng_, 20, 200) : Uniform(rng_, 0, 5);
}

std::vector<std::string> WriterPool::Write(Writer& w, int64_t rows) {
  std::vector<std::string> ids =
      Uniform(rng_, 0, 1) ? EnqueueWithFunction(*w.sql, rows) : EnqueueWithWriter(*w.sql, rows);
  if (static_cast<int64_t>(ids.size()) != rows) throw InvariantBroken("enqueue lost rows");
  w.rows.insert(w.rows.end(), ids.begin(), ids.end());
  return ids;
}

std::string WriterPool::Begin(int64_t step) {
  const int i = Pick(&WriterPool::IsIdle, true);
  Writer& w = writers_[static_cast<size_t>(i)];
  w.sql->exec0("BEGIN");
  w.open = true;
  w.began = step;
  w.hold = HoldSteps();
  w.rows.clear();
  w.savepoints.clear();
  const auto ids = Write(w, Uniform(rng_, 1, kMaxRowsPerEnqueue));
  return "w" + std::to_string(i) + " BEGIN (hold " + std::to_string(w.hold) + "), " +
         std::to_string(ids.size()) + " rows";
}

std::string WriterPool::Enqueue() {
  const int i = Pick(&WriterPool::IsOpen, true);
  const auto ids = Write(writers_[static_cast<size_t>(i)], Uniform(rng_, 1, kMaxRowsPerEnqueue));
  return "w" + std::to_string(i) + " enqueue " + std::to_string(ids.size()) + " rows " + Join(ids);
}

std::string WriterPool::Savepoint() {
  const int i = Pick(&WriterPool::IsOpen, true);
  Writer& w = writers_[static_cast<size_t>(i)];
  w.sql->exec0("SAVEPOINT sp" + std::to_string(w.savepoints.size()));
  w.savepoints.push_back(w.rows.size());
  // Rows right away, so a rollback to this savepoint has rows to take back.
  const auto ids = Write(w, Uniform(rng_, 1, kMaxRowsPerEnqueue));
  return "w" + std::to_string(i) + " SAVEPOINT sp" + std::to_string(w.savepoints.size() - 1) +
         ", " + std::to_string(ids.size()) + " rows " + Join(ids);
}

// Back to a random open savepoint: the rows written since are gone, the savepoint stays.
std::string WriterPool::RollbackToSavepoint() {
  const int i = Pick(&WriterPool::HasSavepoint, true);
  Writer& w = writers_[static_cast<size_t>(i)];
  const size_t k =
      static_cast<size_t>(Uniform(rng_, 0, static_cast<int64_t>(w.savepoints.size()) - 1));
  w.sql->exec0("ROLLBACK TO SAVEPOINT sp" + std::to_string(k));
  const size_t mark = w.savepoints[k];
  std::vector<std::string> gone(w.rows.begin() + static_cast<std::ptrdiff_t>(mark), w.rows.end());
  model_.Discard(gone);
  w.rows.resize(mark);
  w.savepoints.resize(k + 1);
  return "w" + std::to_string(i) + " ROLLBACK TO SAVEPOINT sp" + std::to_string(k) + " (" +
         std::to_string(gone.size()) + " rows gone)";
}

std::string WriterPool::ReleaseSavepoint() {
  const int i = Pick(&WriterPool::HasSavepoint, true);
  Writer& w = writers_[static_cast<size_t>(i)];
  w.sql->exec0("RELEASE SAVEPOINT sp" + std::to_string(w.savepoints.size() - 1));
  w.savepoints.pop_back();
  return "w" + std::to_string(i) + " RELEASE SAVEPOINT sp" + std::to_string(w.savepoints.size());
}

std::string WriterPool::End(int64_t step, bool commit) {
  const int i = Pick(&WriterPool::IsEndable, true, step);
  Writer& w = writers_[static_cast<size_t>(i)];
  w.sql->exec0(commit ? "COMMIT" : "ROLLBACK");
  w.open = false;
  if (commit) {
    model_.Commit(w.rows);
  } else {
    model_.Discard(w.rows);
  }
  return "w" + std::to_string(i) + (commit ? " COMMIT " : " ROLLBACK ") +
         std::to_string(w.rows.size()) + " rows (open since step " + std::to_string(w.began) + ")";
}

std::string WriterPool::Prepare(int64_t step) {
  const int i = Pick(&WriterPool::IsEndable, true, step);
  Writer& w = writers_[static_cast<size_t>(i)];
  PreparedTx p{gid_prefix_ + std::to_string(next_gid_++), w.rows, step, HoldSteps()};
  w.sql->exec0("PREPARE TRANSACTION " + w.sql->quote(p.gid));
  w.open = false;
  ++prepared_total_;
  prepared_.push_back(std::move(p));
  return "w" + std::to_string(i) + " PREPARE TRANSACTION '" + prepared_.back().gid + "' (" +
         std::to_string(prepared_.back().rows.size()) + " rows, hold " +
         std::to_string(prepared_.back().hold) + ")";
}

// From another connection: an idle writer's, else the pool's own.
std::string WriterPool::EndPrepared(size_t index, bool commit) {
  PreparedTx p = prepared_[index];
  prepared_.erase(prepared_.begin() + static_cast<std::ptrdiff_t>(index));
  const std::string sql =
      (commit ? "COMMIT PREPARED " : "ROLLBACK PREPARED ") + control_->quote(p.gid);
  const int i = Pick(&WriterPool::IsIdle, true);
  if (i >= 0) {
    writers_[static_cast<size_t>(i)].sql->exec0(sql);
  } else {
    pqxx::nontransaction tx(*control_);
    tx.exec0(sql);
  }
  if (commit) {
    model_.Commit(p.rows);
  } else {
    model_.Discard(p.rows);
  }
  return sql + " from " + (i >= 0 ? "w" + std::to_string(i) : std::string("control")) + " (" +
         std::to_string(p.rows.size()) + " rows)";
}

std::string WriterPool::FinishPrepared(int64_t step, bool commit) {
  std::vector<size_t> due;
  for (size_t k = 0; k < prepared_.size(); ++k) {
    if (step - prepared_[k].prepared >= prepared_[k].hold) due.push_back(k);
  }
  return EndPrepared(
      due[static_cast<size_t>(Uniform(rng_, 0, static_cast<int64_t>(due.size()) - 1))], commit);
}

std::string WriterPool::ExactTick(int64_t rows) {
  const int i = Pick(&WriterPool::IsIdle, true);
  Writer& w = writers_[static_cast<size_t>(i)];
  w.rows.clear();
  w.sql->exec0("BEGIN");
  Write(w, rows);
  w.sql->exec0("COMMIT");
  model_.Commit(w.rows);
  return "w" + std::to_string(i) + " one transaction of exactly " + std::to_string(rows) +
         " rows, committed";
}

std::string WriterPool::EndAll(int64_t step) {
  int ended = 0;
  while (AnyOpen()) {
    const int i = Pick(&WriterPool::IsOpen, false);
    writers_[static_cast<size_t>(i)].hold = 0;
    (void)End(step, Uniform(rng_, 0, 3) != 0);
    ++ended;
  }
  while (!prepared_.empty()) {
    (void)EndPrepared(0, Uniform(rng_, 0, 3) != 0);
    ++ended;
  }
  std::ostringstream out;
  out << "ended every transaction (" << ended << ")";
  return out.str();
}

}  // namespace eventlog::testing
