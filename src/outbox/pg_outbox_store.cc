#include "outbox/pg_outbox_store.h"

#include <pqxx/pqxx>

#include "core/stored_text.h"
#include "observe/logger.h"
#include "outbox/ledger_payload.h"
#include "outbox/pg_tick_claim.h"
#include "outbox/slice_copy.h"

namespace eventlog {
namespace {

// The batch whose lease ran out first. Its relay gave it back (owner NULL, a retry that is due)
// or died holding it (owner set: a takeover).
constexpr const char* kTakeOverSql = R"sql(
WITH due AS (SELECT batch_id, owner FROM eventlog_batches WHERE lease_until <= now()
              ORDER BY batch_id LIMIT 1 FOR UPDATE SKIP LOCKED)
UPDATE eventlog_batches b
   SET owner = $1, lease_token = nextval('eventlog_lease_token_seq'),
       lease_until = now() + $2 * interval '1 millisecond', updated_at = now()
  FROM due
 WHERE b.batch_id = due.batch_id
RETURNING b.batch_id, b.lease_token, b.attempts, b.rejections, b.timeouts, b.payload,
          due.owner IS NOT NULL)sql";

// At most this often a relay truncates the outbox partitions every claim has passed (after a
// claim, in transactions of its own).
constexpr auto kRecycleEvery = std::chrono::seconds(1);

constexpr const char* kInsertDeadLetterSql = R"sql(
INSERT INTO event_dead_letters (event_id, event_type, event_date_time, environment, event_context,
                                metadata_version, error, attempts, trace_id, span_id)
VALUES ($1::uuid, $2, timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4, $5, $6, $7, $8,
        $9, $10))sql";

constexpr const char* kInsertUnreadableSql = R"sql(
INSERT INTO event_dead_letters (raw_row, error, attempts) VALUES ($1, $2, $3))sql";

constexpr std::string_view kLogger = "eventlog.outbox";

// Ends a batch (fenced by its token) and records how long its oldest event waited, for
// `eventlog status`; lag records older than an hour go. One round trip.
constexpr const char* kCompleteSql = R"sql(
WITH done AS (DELETE FROM eventlog_batches WHERE batch_id = $1 AND lease_token = $2
              RETURNING oldest_created_at),
     lag AS (INSERT INTO eventlog_delivery_lag (events, lag_ms)
             SELECT $3, (extract(epoch FROM clock_timestamp() - oldest_created_at) * 1000)::bigint
               FROM done WHERE $3 > 0),
     pruned AS (DELETE FROM eventlog_delivery_lag WHERE delivered_at < now() - interval '1 hour')
SELECT count(*) FROM done)sql";

Status LeaseLost(const Batch& b) {
  return {StatusCode::kLeaseLost,
          "batch " + std::to_string(b.batch_id) + " was taken over by another relay"};
}

// For Complete and Release only: if PostgreSQL loses such a commit in a crash, the batch
// reappears in the ledger and its recovery check finds the rows already in ClickHouse. A claim
// stays durable: a lost claim would put delivered rows back into the outbox as new ones.
void SkipCommitFlush(pqxx::work& tx) { tx.exec0("SET LOCAL synchronous_commit = off"); }

// Claims and renewals must survive a PostgreSQL crash whatever the role or database default
// is (synchronous_commit = off is a common tuning): a lost claim would put rows that are
// already in ClickHouse back into the outbox as new ones.
void ForceCommitFlush(pqxx::work& tx) { tx.exec0("SET LOCAL synchronous_commit = on"); }

// Damaged ledger lines leave their batch as dead letters that keep the raw text.
void QuarantineUnreadable(pqxx::work& tx, int64_t batch_id, int attempts,
                          const std::vector<UnreadableLine>& lines) {
  if (lines.empty()) return;
  for (const UnreadableLine& u : lines) {
    // The whole line (made valid UTF-8, passwords masked): the payload is rewritten without it.
    tx.exec_params(kInsertUnreadableSql, StoredText(u.text, u.text.size()), StoredText(u.error),
                   attempts);
  }
  log::Error(kLogger, "unreadable ledger lines moved to dead letters",
             {{"batch_id", batch_id}, {"count", lines.size()}, {"error", lines.front().error}});
}

void InsertDeadLetters(pqxx::work& tx, const std::vector<DeadLetter>& dead, int attempts) {
  for (const DeadLetter& d : dead) {
    tx.exec_params(kInsertDeadLetterSql, d.row.event_id, d.row.event_type, d.row.event_time_us,
                   d.row.environment, d.row.event_context,
                   static_cast<int64_t>(d.row.metadata_version), StoredText(d.error), attempts,
                   d.row.trace_id, d.row.span_id);
  }
}

void AddDelivered(pqxx::work& tx, int64_t n) {
  if (n > 0) {
    tx.exec_params("UPDATE eventlog_counters SET value = value + $1 WHERE name = 'delivered'", n);
  }
}

}  // namespace

PgOutboxStore::PgOutboxStore(std::string database_url, std::string owner,
                             std::chrono::milliseconds lease)
    : conn_(database_url, 1), copy_(database_url), owner_(std::move(owner)), lease_(lease) {}

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
  const auto before_tx = std::chrono::steady_clock::now();
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
  pqxx::result r = tx.exec_params(kTakeOverSql, owner_, static_cast<int64_t>(lease_.count()));
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
    tx.exec_params("UPDATE eventlog_batches SET payload = $2, event_count = $3 WHERE batch_id = $1",
                   b.batch_id, EncodeLedgerPayload(decoded.rows),
                   static_cast<int64_t>(decoded.rows.size()));
  }
  b.rows = std::move(decoded.rows);
  tx.commit();
  return std::optional<Batch>(std::move(b));
}

Status PgOutboxStore::Renew(const Batch& batch) {
  // Within the first quarter of a lease we set, nobody can have taken the batch over.
  const auto before_tx = std::chrono::steady_clock::now();
  if (batch.lease_token == leased_token_ && before_tx - leased_at_ < lease_ / 4) {
    return Status::Ok();
  }
  Status s = conn_.Run([&](pqxx::connection& conn) -> Status {
    pqxx::work tx(conn);
    ForceCommitFlush(tx);
    pqxx::result r = tx.exec_params(
        "UPDATE eventlog_batches SET lease_until = now() + $3 * interval '1 millisecond' "
        "WHERE batch_id = $1 AND lease_token = $2",
        batch.batch_id, batch.lease_token, static_cast<int64_t>(lease_.count()));
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
    pqxx::row r = tx.exec_params1(kCompleteSql, batch.batch_id, batch.lease_token, delivered);
    if (r[0].as<int64_t>() != 1) return LeaseLost(batch);
    InsertDeadLetters(tx, dead, batch.attempts + 1);
    AddDelivered(tx, delivered);
    tx.commit();
    return Status::Ok();
  });
}

void PgOutboxStore::RecycleClaimedPartitionsNowAndThen() {
  const auto now = std::chrono::steady_clock::now();
  if (now - recycled_at_ < kRecycleEvery) return;
  recycled_at_ = now;
  int truncated = 0;
  Status s = conn_.Run([&](pqxx::connection& conn) -> Status {
    truncated = RecycleClaimedPartitions(conn);
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
        retry.whole_batch ||
        (retry.dead.empty() && retry.delivered == 0 &&
         tx.exec_params1("SELECT event_count = $2 FROM eventlog_batches "
                         "WHERE batch_id = $1",
                         batch.batch_id, static_cast<int64_t>(retry.remaining.size()))[0]
             .as<bool>());
    pqxx::result r = tx.exec_params(
        "UPDATE eventlog_batches SET owner = NULL, "
        "lease_until = now() + $3 * interval '1 millisecond', attempts = attempts + $4, "
        "rejections = rejections + $5, last_error = $6, timeouts = timeouts + $9, "
        "updated_at = now(), event_count = CASE WHEN $10 THEN event_count ELSE $7 END, "
        "payload = CASE WHEN $10 THEN payload ELSE $8 END, "
        "snap_lo = CASE WHEN $10 THEN snap_lo END, snap_hi = CASE WHEN $10 THEN snap_hi END, "
        "id_after = CASE WHEN $10 THEN id_after END, id_to = CASE WHEN $10 THEN id_to END, "
        "first_tx = CASE WHEN $10 THEN first_tx END, first_id = CASE WHEN $10 THEN first_id END, "
        "last_tx = CASE WHEN $10 THEN last_tx END, last_id = CASE WHEN $10 THEN last_id END "
        "WHERE batch_id = $1 AND lease_token = $2",
        batch.batch_id, batch.lease_token, static_cast<int64_t>(retry.retry_in.count()),
        retry.attempted ? 1 : 0, retry.rejected ? 1 : 0, StoredText(retry.error),
        static_cast<int64_t>(retry.remaining.size()),
        unchanged ? std::string() : EncodeLedgerPayload(retry.remaining), retry.timed_out ? 1 : 0,
        unchanged);
    if (r.affected_rows() != 1) return LeaseLost(batch);
    InsertDeadLetters(tx, retry.dead, batch.attempts + 1);
    AddDelivered(tx, retry.delivered);
    tx.commit();
    return Status::Ok();
  });
}

}  // namespace eventlog
