#include "outbox/pg_outbox_store.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "core/row_codec.h"
#include "core/stored_text.h"
#include "observe/logger.h"
#include "outbox/outbox_rules.h"

namespace eventlog {
namespace {

constexpr const char* kTakeOverSql = R"sql(
UPDATE eventlog_batches
   SET owner = $1, lease_token = nextval('eventlog_lease_token_seq'),
       lease_until = now() + $2 * interval '1 millisecond', updated_at = now()
 WHERE batch_id = (SELECT batch_id FROM eventlog_batches WHERE lease_until <= now()
                    ORDER BY batch_id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING batch_id, lease_token, attempts, rejections, timeouts, payload)sql";

// Rows whose time no ClickHouse type can hold ('infinity', written before the CHECK of
// migration 003 or around it) go to dead letters in the claim itself, so they cannot stall it.
const std::string& ClaimRowsSql() {
  static const std::string sql = std::string(R"sql(
WITH picked AS (
  SELECT id, $3 + octet_length(event_type) + octet_length(environment) +
             octet_length(event_context) AS bytes
    FROM event_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
), bounded AS (
  SELECT id FROM (SELECT id, bytes, sum(bytes) OVER (ORDER BY id) AS running FROM picked) w
   WHERE running - bytes < $2
), claimed AS (
  DELETE FROM event_outbox WHERE id IN (SELECT id FROM bounded)
  RETURNING id, event_id, event_type, event_date_time, environment, event_context,
            metadata_version, created_at, )sql") +
                                 kStorableTimeSql + R"sql( AS readable
), quarantined AS (
  INSERT INTO event_dead_letters (event_id, event_type, event_date_time, environment,
                                  event_context, metadata_version, error, attempts)
  SELECT event_id, event_type, event_date_time, environment, event_context, metadata_version,
         'event_date_time ' || event_date_time::text ||
           ' is outside 1900-01-01..2299-12-31: no ClickHouse time type holds it', 0
    FROM claimed WHERE NOT readable
)
SELECT id, event_id, event_type,
       CASE WHEN readable THEN (extract(epoch FROM event_date_time) * 1000000)::bigint END,
       environment, event_context, metadata_version, created_at,
       (SELECT count(*) FROM picked) = $1 OR
         (SELECT count(*) FROM picked) > (SELECT count(*) FROM bounded)
  FROM claimed)sql";
  return sql;
}

constexpr const char* kInsertBatchSql = R"sql(
INSERT INTO eventlog_batches (lease_token, owner, lease_until, event_count, oldest_created_at, payload)
VALUES (nextval('eventlog_lease_token_seq'), $1, now() + $2 * interval '1 millisecond', $3, $4, $5)
RETURNING batch_id, lease_token)sql";

constexpr const char* kInsertDeadLetterSql = R"sql(
INSERT INTO event_dead_letters (event_id, event_type, event_date_time, environment, event_context,
                                metadata_version, error, attempts)
VALUES ($1::uuid, $2, timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4, $5, $6, $7, $8))sql";

constexpr const char* kInsertUnreadableSql = R"sql(
INSERT INTO event_dead_letters (raw_row, error, attempts) VALUES ($1, $2, $3))sql";

constexpr std::string_view kLogger = "eventlog.outbox";

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
                   static_cast<int64_t>(d.row.metadata_version), StoredText(d.error), attempts);
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
    : conn_(std::move(database_url), 1), owner_(std::move(owner)), lease_(lease) {}

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
    auto fresh = ClaimNewRows(conn, limits);
    if (!fresh.ok()) return fresh.status();
    claimed = std::move(fresh.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (claimed) NoteLeaseSet(*claimed, before_tx);
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

Result<std::optional<Batch>> PgOutboxStore::ClaimNewRows(pqxx::connection& conn,
                                                         const ClaimLimits& limits) {
  pqxx::work tx(conn);
  ForceCommitFlush(tx);
  pqxx::result r =
      tx.exec_params(ClaimRowsSql(), limits.max_rows, limits.max_bytes, kClaimRowOverheadBytes);
  if (r.empty()) return std::optional<Batch>();
  int64_t quarantined = 0;
  // Keep outbox order inside the batch (DELETE ... RETURNING does not promise one).
  std::vector<std::pair<int64_t, OutboxRow>> ordered;
  ordered.reserve(r.size());
  std::string oldest_created_at;
  int64_t oldest_id = INT64_MAX;
  for (const auto& row : r) {
    if (row[3].is_null()) {  // moved to dead letters by the claim statement
      ++quarantined;
      continue;
    }
    OutboxRow o;
    int64_t id = row[0].as<int64_t>();
    o.event_id = row[1].c_str();
    o.event_type = row[2].c_str();
    o.event_time_us = row[3].as<int64_t>();
    o.environment = row[4].c_str();
    o.event_context = row[5].c_str();
    o.metadata_version = row[6].as<uint64_t>();
    if (id < oldest_id) {
      oldest_id = id;
      oldest_created_at = row[7].c_str();
    }
    ordered.emplace_back(id, std::move(o));
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  if (quarantined > 0) {
    log::Error(kLogger, "outbox rows with an impossible event_date_time moved to dead letters",
               {{"count", quarantined}});
  }
  if (ordered.empty()) {  // every claimed row was quarantined: nothing to send
    tx.commit();
    return std::optional<Batch>();
  }
  Batch b;
  b.full = r[0][8].as<bool>();
  b.rows.reserve(ordered.size());
  for (auto& [id, row] : ordered) b.rows.push_back(std::move(row));
  pqxx::result ins = tx.exec_params(kInsertBatchSql, owner_, static_cast<int64_t>(lease_.count()),
                                    static_cast<int64_t>(b.rows.size()), oldest_created_at,
                                    EncodeLedgerPayload(b.rows));
  b.batch_id = ins[0][0].as<int64_t>();
  b.lease_token = ins[0][1].as<int64_t>();
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
    pqxx::result r =
        tx.exec_params("DELETE FROM eventlog_batches WHERE batch_id = $1 AND lease_token = $2",
                       batch.batch_id, batch.lease_token);
    if (r.affected_rows() != 1) return LeaseLost(batch);
    InsertDeadLetters(tx, dead, batch.attempts + 1);
    AddDelivered(tx, delivered);
    tx.commit();
    return Status::Ok();
  });
}

Status PgOutboxStore::Release(const Batch& batch, const BatchRetry& retry) {
  return conn_.Run([&](pqxx::connection& conn) -> Status {
    pqxx::work tx(conn);
    SkipCommitFlush(tx);
    pqxx::result r = tx.exec_params(
        "UPDATE eventlog_batches SET owner = NULL, "
        "lease_until = now() + $3 * interval '1 millisecond', attempts = attempts + $4, "
        "rejections = rejections + $5, last_error = $6, event_count = $7, payload = $8, "
        "timeouts = timeouts + $9, updated_at = now() WHERE batch_id = $1 AND lease_token = $2",
        batch.batch_id, batch.lease_token, static_cast<int64_t>(retry.retry_in.count()),
        retry.attempted ? 1 : 0, retry.rejected ? 1 : 0, StoredText(retry.error),
        static_cast<int64_t>(retry.remaining.size()), EncodeLedgerPayload(retry.remaining),
        retry.timed_out ? 1 : 0);
    if (r.affected_rows() != 1) return LeaseLost(batch);
    InsertDeadLetters(tx, retry.dead, batch.attempts + 1);
    AddDelivered(tx, retry.delivered);
    tx.commit();
    return Status::Ok();
  });
}

}  // namespace eventlog
