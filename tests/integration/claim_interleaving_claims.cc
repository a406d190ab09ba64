#include "tests/integration/claim_interleaving_claims.h"

#include <array>
#include <set>

#include "outbox/pg_tick_claim.h"

namespace eventlog::testing {
namespace {

// Row caps: 1 and small ones page every tick, 100 takes most ticks whole.
constexpr std::array<int, 8> kCaps = {1, 2, 3, 4, 5, 7, 10, 100};
// Leases never run out by themselves during a run: a takeover is made on purpose.
constexpr auto kLease = std::chrono::hours(1);
// The outbox ring (migration 006): four partitions over generations of 100,000 ids.
constexpr int64_t kRingIds = 400000;

int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

std::string Describe(const ClaimLimits& limits) {
  return "cap " + std::to_string(limits.max_rows) +
         (limits.max_bytes == INT64_MAX ? "" : " bytes " + std::to_string(limits.max_bytes));
}

// A batch within its limits: not empty, at most max_rows, and each row but the first taken
// while the bytes before it stay under max_bytes (outbox_store.h).
void CheckShape(const Batch& b, const ClaimLimits& limits) {
  const std::string name = "batch " + std::to_string(b.batch_id);
  if (b.rows.empty()) throw InvariantBroken(name + " holds no row");
  if (static_cast<int64_t>(b.rows.size()) > limits.max_rows) {
    throw InvariantBroken(name + " holds " + std::to_string(b.rows.size()) + " rows, over its " +
                          Describe(limits));
  }
  int64_t before = 0;
  for (const OutboxRow& r : b.rows) {
    if (before >= limits.max_bytes) {
      throw InvariantBroken(name + " goes on past its byte cap: " + Describe(limits));
    }
    before +=
        kClaimRowOverheadBytes +
        static_cast<int64_t>(r.event_type.size() + r.environment.size() + r.event_context.size());
  }
  if (b.recovered || b.taken_over) throw InvariantBroken(name + ": a fresh claim says recovered");
}

}  // namespace

ClaimSide::ClaimSide(const std::string& database_url, ClaimModel& model, std::mt19937_64& rng,
                     WaitForFn wait_for)
    : url_(database_url),
      model_(model),
      rng_(rng),
      wait_for_(std::move(wait_for)),
      claim_conn_(std::make_unique<pqxx::connection>(database_url)),
      control_(std::make_unique<pqxx::connection>(database_url)),
      completer_(database_url, "completer", kLease) {
  (void)ChangeCap();
}

std::string ClaimSide::ChangeCap() {
  cap_ = kCaps[static_cast<size_t>(Uniform(rng_, 0, kCaps.size() - 1))];
  return "row cap now " + std::to_string(cap_);
}

ClaimLimits ClaimSide::PickLimits() {
  const int rows = Uniform(rng_, 0, 9) < 7
                       ? cap_
                       : kCaps[static_cast<size_t>(Uniform(rng_, 0, kCaps.size() - 1))];
  // A row here weighs about 110 bytes: these caps cut a batch after 1 to 6 rows.
  return Uniform(rng_, 0, 6) == 0 ? ClaimLimits(rows, Uniform(rng_, 50, 600)) : ClaimLimits(rows);
}

std::optional<Batch> ClaimSide::ClaimWith(const ClaimLimits& limits) {
  auto got = ClaimSlice(*claim_conn_, {"claims-test", kLease}, limits);
  if (!got.ok()) throw InvariantBroken("claim failed: " + got.status().ToString());
  if (!got->has_value()) {
    ++figures_.empty_claims;
    return std::nullopt;
  }
  CheckShape(**got, limits);
  model_.Claim(**got);
  ++figures_.claims;
  return std::move(got.value());
}

std::string ClaimSide::Claim() {
  const ClaimLimits limits = PickLimits();
  auto b = ClaimWith(limits);
  if (!b) return "claim " + Describe(limits) + ": nothing";
  return "claim " + Describe(limits) + ": batch " + std::to_string(b->batch_id) + ", " +
         std::to_string(b->rows.size()) + " rows" + (b->full ? " (full)" : "");
}

std::map<int64_t, Batch>::iterator ClaimSide::PickOpen() {
  auto it = model_.open.begin();
  std::advance(it, Uniform(rng_, 0, static_cast<int64_t>(model_.open.size()) - 1));
  return it;
}

void ClaimSide::CompleteBatch(const Batch& batch) {
  Status s = completer_.Complete(batch, static_cast<int64_t>(batch.rows.size()), {});
  if (!s.ok()) {
    throw InvariantBroken("completing batch " + std::to_string(batch.batch_id) +
                          " failed: " + s.ToString());
  }
  ++figures_.completed;
}

std::string ClaimSide::Complete() {
  auto it = PickOpen();
  const int64_t id = it->first;
  CompleteBatch(it->second);
  model_.open.erase(it);
  return "complete batch " + std::to_string(id);
}

// A taken-over batch is the same batch: same id, same rows in the same order, a new token.
// (Its rows are not a new claim: the model keeps them claimed once.)
std::string ClaimSide::TakeOver() {
  Batch& held = PickOpen()->second;
  const std::string name = "batch " + std::to_string(held.batch_id);
  {
    pqxx::nontransaction tx(*control_);
    tx.exec_params0(
        "UPDATE eventlog_batches SET lease_until = now() - interval '1 s' WHERE batch_id = $1",
        held.batch_id);
  }
  PgOutboxStore heir(url_, "heir-" + std::to_string(figures_.takeovers), kLease);
  auto got = heir.Claim(PickLimits());
  if (!got.ok())
    throw InvariantBroken("takeover of " + name + " failed: " + got.status().ToString());
  if (!got->has_value()) throw InvariantBroken("takeover of " + name + ": the claim found nothing");
  const Batch& b = **got;
  if (b.batch_id != held.batch_id) {
    throw InvariantBroken("takeover of " + name + " returned batch " + std::to_string(b.batch_id));
  }
  if (!b.recovered || !b.taken_over) throw InvariantBroken(name + " taken over, not marked so");
  if (b.rows != held.rows) {
    throw InvariantBroken(name + " taken over hands back " + std::to_string(b.rows.size()) +
                          " rows, claimed with " + std::to_string(held.rows.size()) +
                          " (or other ones)");
  }
  if (b.lease_token == held.lease_token) throw InvariantBroken(name + " kept its lease token");
  held.lease_token = b.lease_token;
  ++figures_.takeovers;
  return "takeover of " + name + " (" + std::to_string(b.rows.size()) + " rows)";
}

std::string ClaimSide::Truncate() {
  const int n = RecycleClaimedPartitions(*control_);
  figures_.truncations += n;
  return "RecycleClaimedPartitions: " + std::to_string(n) + " truncated";
}

std::string ClaimSide::AdvanceIds() {
  pqxx::nontransaction tx(*control_);
  const int64_t last = tx.exec1("SELECT last_value FROM event_outbox_id_seq")[0].as<int64_t>();
  const int64_t next = last + Uniform(rng_, 20000, 150000);
  tx.exec_params1("SELECT setval('event_outbox_id_seq', $1)", next);
  if (next / kRingIds > last / kRingIds) ++figures_.wraps;
  return "setval(event_outbox_id_seq, " + std::to_string(next) + ")";
}

void ClaimSide::CheckInvariants() {
  pqxx::nontransaction tx(*control_);
  std::set<std::string> present;
  for (const auto& r : tx.exec("SELECT event_id::text FROM event_outbox")) {
    present.insert(r[0].c_str());
  }
  for (const std::string& id : present) {
    auto c = model_.committed.find(id);
    if (c == model_.committed.end() || !c->second) {
      throw InvariantBroken("event_outbox shows event " + id + ", which " +
                            (c == model_.committed.end() ? "is not committed" : "rolled back"));
    }
  }
  for (const std::string& id : model_.unclaimed) {
    if (present.count(id) == 0) {
      throw InvariantBroken("committed event " + id +
                            " is gone from event_outbox before any claim took it");
    }
  }
  for (const auto& [id, held] : model_.open) {
    if (ReadSliceRows(tx, id) != held.rows) {
      throw InvariantBroken("open batch " + std::to_string(id) + " no longer reads its " +
                            std::to_string(held.rows.size()) + " rows");
    }
  }
  const int64_t pending = tx.exec1("SELECT count(*) FROM eventlog_unclaimed")[0].as<int64_t>();
  if (pending != static_cast<int64_t>(model_.unclaimed.size())) {
    throw InvariantBroken("eventlog_unclaimed counts " + std::to_string(pending) +
                          ", committed minus claimed is " +
                          std::to_string(model_.unclaimed.size()));
  }
}

void ClaimSide::Drain(int64_t step, ActionLog& log, bool settle) {
  ++figures_.drains;
  const int cap = kCaps[static_cast<size_t>(Uniform(rng_, 0, kCaps.size() - 1))];
  const int64_t waiting = static_cast<int64_t>(model_.unclaimed.size());
  const int64_t bound = (waiting + cap - 1) / cap + 10;
  int64_t claims = 0;
  for (; claims < bound && !model_.unclaimed.empty(); ++claims) {
    auto b = ClaimWith({cap});
    log.Note(step, "drain: claim cap " + std::to_string(cap) + ": " +
                       (b ? std::to_string(b->rows.size()) + " rows" : std::string("nothing")));
    if (b && Uniform(rng_, 0, 1) == 0) {
      CompleteBatch(*b);
      model_.open.erase(b->batch_id);
    }
    CheckInvariants();
  }
  if (!model_.unclaimed.empty()) {
    throw InvariantBroken("claims do not progress: no transaction is open and " +
                          std::to_string(model_.unclaimed.size()) + " of " +
                          std::to_string(waiting) + " committed rows are still unclaimed after " +
                          std::to_string(claims) + " claims at cap " + std::to_string(cap) +
                          " (e.g. " + *model_.unclaimed.begin() + ")");
  }
  if (!settle) return;
  for (const auto& [id, held] : model_.open) CompleteBatch(held);
  model_.open.clear();
  log.Note(step, "drain: every batch completed; idle claims and truncations until empty");
  Settle(cap);
}

// Every row is claimed and delivered and no writer of the outbox is open: every partition can
// go. (A transaction elsewhere in the cluster, one that never wrote into this outbox, holds
// nothing back: claims find rows by transaction, not by a scan bound.)
void ClaimSide::Settle(int cap) {
  const bool emptied = wait_for_([&] {
    if (ClaimWith({cap})) throw InvariantBroken("an idle claim returned a batch");
    figures_.truncations += RecycleClaimedPartitions(*control_);
    pqxx::nontransaction tx(*control_);
    return tx.exec1("SELECT count(*) = 0 FROM event_outbox")[0].as<bool>();
  });
  if (emptied) {
    ++figures_.settled;
    return;
  }
  const std::string other = ForeignTransaction();
  throw InvariantBroken(
      "every row is claimed and delivered and no writer is open, yet the outbox is not "
      "truncated" +
      (other.empty() ? std::string() : " (open elsewhere: " + other + ")"));
}

std::string ClaimSide::ClaimStateText() {
  pqxx::nontransaction tx(*control_);
  pqxx::row r = tx.exec1(
      "SELECT format('done_snapshot=%s page_snapshot=%s page_after=(%s, %s) last_id=%s', "
      "done_snapshot, page_snapshot, page_after_tx, page_after_id, "
      "(SELECT last_value FROM event_outbox_id_seq)) FROM eventlog_claim_state");
  return r[0].c_str();
}

// A transaction this test did not open (all of its own are ended now), open for a while and
// so holding back every snapshot's xmin: another database's session, or a prepared one. "" if
// none.
std::string ClaimSide::ForeignTransaction() {
  pqxx::nontransaction tx(*control_);
  pqxx::result r = tx.exec(
      "SELECT format('%s pid %s xid %s xmin %s open for %s', datname, pid, backend_xid, "
      "backend_xmin, now() - xact_start) FROM pg_stat_activity "
      "WHERE pid <> pg_backend_pid() AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL) "
      "AND xact_start < now() - interval '2 s' "
      "UNION ALL SELECT format('prepared transaction %s in %s', gid, database) "
      "FROM pg_prepared_xacts LIMIT 1");
  return r.empty() ? "" : r[0][0].c_str();
}

}  // namespace eventlog::testing
