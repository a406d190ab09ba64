#include "outbox/pg_outbox_store.h"

#include <pqxx/pqxx>

#include "core/stored_text.h"
#include "observe/logger.h"
#include "outbox/commit_flush.h"
#include "outbox/ledger_payload.h"
#include "outbox/ledger_sql.h"
#include "outbox/pg_tick_claim.h"
#include "outbox/slice_copy.h"

namespace eventlog {
namespace {

// At most this often a relay truncates the outbox partitions every claim has passed (after a
// claim, in transactions of its own).
constexpr auto kRecycleEvery = std::chrono::seconds(1);

constexpr std::string_view kLogger = "eventlog.outbox";

Status LeaseLost(const Batch& b) {
  return {StatusCode::kLeaseLost,
          "batch " + std::to_string(b.batch_id) + " was taken over by another relay"};
}

// Damaged ledger lines leave their batch as dead letters that keep the raw text.
void QuarantineUnreadable(pqxx::work& tx, int64_t batch_id, int attempts,
                          const std::vector<UnreadableLine>& lines) {
  if (lines.empty()) return;
  for (const UnreadableLine& u : lines) {
    // The whole line (made valid UTF-8, passwords masked): the payload is rewritten without it.
    tx.exec_params(ledger_sql::kInsertUnreadableLine, StoredText(u.text, u.text.size()),
                   StoredText(u.error), attempts);
  }
  log::Error(kLogger, "unreadable ledger lines moved to dead letters",
             {{"batch_id", batch_id}, {"count", lines.size()}, {"error", lines.front().error}});
}

void InsertDeadLetters(pqxx::work& tx, const std::vector<DeadLetter>& dead, int attempts) {
  for (const DeadLetter& d : dead) {
    tx.exec_params(ledger_sql::kInsertDeadLetter, d.row.event_id, d.row.event_type,
                   d.row.event_time_us, d.row.environment, d.row.event_context,
                   static_cast<int64_t>(d.row.metadata_version), d.row.trace_id, d.row.span_id,
                   StoredText(d.error), attempts);
  }
}

void AddDelivered(pqxx::work& tx, int64_t n) {
  if (n > 0) {
    tx.exec_params(ledger_sql::kAddDelivered, n);
  }
}

// release_batch.sql's parameters, named as it names them.
struct ReleaseParams {
  int64_t batch_id = 0;
  int64_t lease_token = 0;
  int64_t retry_in_ms = 0;
  int attempted = 0;  // 0 or 1, added to the batch's counter; so are rejected and timed_out
  int rejected = 0;
  std::string last_error;
  int64_t event_count = 0;  // with payload: what the batch holds unless keep_slice
  std::string payload;
  int timed_out = 0;
  bool keep_slice = false;
};

pqxx::result ReleaseBatch(pqxx::work& tx, const ReleaseParams& p) {
  return tx.exec_params(ledger_sql::kReleaseBatch, p.batch_id, p.lease_token, p.retry_in_ms,
                        p.attempted, p.rejected, p.last_error, p.event_count, p.payload,
                        p.timed_out, p.keep_slice);
}

// The clock of the stores given none: only its Now() is called, which is thread-safe.
Clock& RealClockOfStores() {
  static const std::unique_ptr<Clock> clock = MakeRealClock();
  return *clock;
}

}  // namespace

PgOutboxStore::PgOutboxStore(std::string database_url, std::string owner,
                             std::chrono::milliseconds lease, Clock& clock)
    : clock_(clock),
      conn_(database_url, 1),
      copy_(database_url),
      owner_(std::move(owner)),
      lease_(lease) {}

PgOutboxStore::PgOutboxStore(std::string database_url, std::string owner,
                             std::chrono::milliseconds lease)
    : PgOutboxStore(std::move(database_url), std::move(owner), lease, RealClockOfStores()) {}

Result<std::unique_ptr<RowStream>> PgOutboxStore::StreamRows(const Batch& batch,
                                                             const StreamFormat& format) {
  std::string sql;
  Status s = conn_.Run([&](pqxx::connection& conn) -> Status {
    pqxx::nontransaction tx(conn);
    auto copy = SliceCopySql(tx, batch, format);
    if (!copy.ok()) return copy.status();
    sql = std::move(copy.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return copy_.Open(sql, format.expected_rows);
}

Result<std::vector<OutboxRow>> PgOutboxStore::LoadRows(const Batch& batch) {
  std::vector<OutboxRow> rows;
  Status s = conn_.Run([&](pqxx::connection& conn) -> Status {
    pqxx::nontransaction tx(conn);
    rows = ReadSliceRows(tx, batch.batch_id);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return rows;
}

void PgOutboxStore::NoteLeaseSet(const Batch& batch,
                                 std::chrono::steady_clock::time_point before_tx) {
  leased_token_ = batch.lease_token;
  leased_at_ = before_tx;
}

Result<std::optional<Batch>> PgOutboxStore::Claim(const ClaimLimits& limits) {
  // PostgreSQL computes lease_until from its transaction's start (now()): the skip window of
  // Renew must start no later, or a slow claim would let it outlive the real lease.
  const auto before_tx = clock_.Now();
  std::optional<Batch> claimed;
  Status s = conn_.Run([&](pqxx::connection& conn) -> Status {
    auto due = TakeOverDueBatch(conn);
    if (!due.ok()) return due.status();
    if (due->has_value()) {
      claimed = std::move(due.value());
      return Status::Ok();
    }
    auto fresh = ClaimSlice(conn, {owner_, lease_}, limits);
    if (!fresh.ok()) return fresh.status();
    claimed = std::move(fresh.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (claimed) NoteLeaseSet(*claimed, before_tx);
  RecycleClaimedPartitionsNowAndThen();
  return claimed;
}

Result<std::optional<Batch>> PgOutboxStore::TakeOverDueBatch(pqxx::connection& conn) {
  pqxx::work tx(conn);
  ForceCommitFlush(tx);
  pqxx::result r =
      tx.exec_params(ledger_sql::kTakeOverDueBatch, owner_, static_cast<int64_t>(lease_.count()));
  if (r.empty()) return std::optional<Batch>();
  Batch b;
  b.batch_id = r[0][0].as<int64_t>();
  b.lease_token = r[0][1].as<int64_t>();
  b.attempts = r[0][2].as<int>();
  b.rejections = r[0][3].as<int>();
  b.timeouts = r[0][4].as<int>();
  b.recovered = true;
  b.taken_over = r[0][6].as<bool>();
  if (r[0][5].is_null()) {  // a slice: its rows are still in event_outbox
    b.rows = ReadSliceRows(tx, b.batch_id);
    tx.commit();
    return std::optional<Batch>(std::move(b));
  }
  DecodedPayload decoded = DecodeLedgerPayload(r[0][5].c_str());
  if (!decoded.unreadable.empty()) {
    QuarantineUnreadable(tx, b.batch_id, b.attempts, decoded.unreadable);
    tx.exec_params(ledger_sql::kRewriteBatchPayload, b.batch_id, EncodeLedgerPayload(decoded.rows),
                   static_cast<int64_t>(decoded.rows.size()));
  }
  b.rows = std::move(decoded.rows);
  tx.commit();
  return std::optional<Batch>(std::move(b));
}

Status PgOutboxStore::Renew(const Batch& batch) {
  // Within the first quarter of a lease we set, nobody can have taken the batch over.
  const auto before_tx = clock_.Now();
  if (batch.lease_token == leased_token_ && before_tx - leased_at_ < lease_ / 4) {
    return Status::Ok();
  }
  Status s = conn_.Run([&](pqxx::connection& conn) -> Status {
    pqxx::work tx(conn);
    ForceCommitFlush(tx);
    pqxx::result r = tx.exec_params(ledger_sql::kRenewLease, batch.batch_id, batch.lease_token,
                                    static_cast<int64_t>(lease_.count()));
    if (r.affected_rows() != 1) return LeaseLost(batch);
    tx.commit();
    return Status::Ok();
  });
  if (s.ok()) NoteLeaseSet(batch, before_tx);
  return s;
}

Status PgOutboxStore::Complete(const Batch& batch, int64_t delivered,
                               const std::vector<DeadLetter>& dead) {
  return conn_.Run([&](pqxx::connection& conn) -> Status {
    pqxx::work tx(conn);
    SkipCommitFlush(tx);
    pqxx::row r =
        tx.exec_params1(ledger_sql::kCompleteBatch, batch.batch_id, batch.lease_token, delivered);
    if (r[0].as<int64_t>() != 1) return LeaseLost(batch);
    InsertDeadLetters(tx, dead, batch.attempts + 1);
    AddDelivered(tx, delivered);
    tx.commit();
    return Status::Ok();
  });
}

void PgOutboxStore::RecycleClaimedPartitionsNowAndThen() {
  const auto now = clock_.Now();
  if (now - recycled_at_ < kRecycleEvery) return;
  recycled_at_ = now;
  int truncated = 0;
  Status s = conn_.Run([&](pqxx::connection& conn) -> Status {
    if (partitions_.empty()) partitions_ = OutboxPartitions(conn);
    truncated = RecycleClaimedPartitions(conn, partitions_);
    return Status::Ok();
  });
  if (!s.ok()) {  // harmless: the rows wait for the next round
    log::Warn(kLogger, "could not truncate claimed outbox partitions", {{"error", s.ToString()}});
  } else if (truncated > 0) {
    log::Debug(kLogger, "claimed outbox partitions truncated", {{"count", truncated}});
  }
}

Status PgOutboxStore::Release(const Batch& batch, const BatchRetry& retry) {
  return conn_.Run([&](pqxx::connection& conn) -> Status {
    pqxx::work tx(conn);
    SkipCommitFlush(tx);
    // Rows unchanged (as many remain as the batch holds, none dead): the batch keeps what it
    // is, a slice of the outbox or a payload. Otherwise what remains becomes its payload, and its
    // slice is let go. (The relay moves the rows out of `batch`: count them here.)
    const bool unchanged =
        retry.whole_batch || (retry.dead.empty() && retry.delivered == 0 &&
                              tx.exec_params1(ledger_sql::kBatchHoldsCount, batch.batch_id,
                                              static_cast<int64_t>(retry.remaining.size()))[0]
                                  .as<bool>());
    pqxx::result r = ReleaseBatch(
        tx, {.batch_id = batch.batch_id,
             .lease_token = batch.lease_token,
             .retry_in_ms = static_cast<int64_t>(retry.retry_in.count()),
             .attempted = retry.attempted ? 1 : 0,
             .rejected = retry.rejected ? 1 : 0,
             .last_error = StoredText(retry.error),
             .event_count = static_cast<int64_t>(retry.remaining.size()),
             .payload = unchanged ? std::string() : EncodeLedgerPayload(retry.remaining),
             .timed_out = retry.timed_out ? 1 : 0,
             .keep_slice = unchanged});
    if (r.affected_rows() != 1) return LeaseLost(batch);
    InsertDeadLetters(tx, retry.dead, batch.attempts + 1);
    AddDelivered(tx, retry.delivered);
    tx.commit();
    return Status::Ok();
  });
}

}  // namespace eventlog
