#include "outbox/pg_tick_claim.h"

#include <algorithm>
#include <string>

#include "observe/logger.h"
#include "outbox/outbox_rules.h"

namespace eventlog {
namespace {

constexpr std::string_view kLogger = "eventlog.outbox";

// Cheap and read-only: is there a committed row no tick has taken, or can scan_from rise?
// (Only then does a claim lock the state; an idle relay writes nothing.)
constexpr const char* kProbeSql = R"sql(
SELECT s.page_snapshot IS NOT NULL OR s.candidate_id IS NULL
       OR (s.candidate_id > s.scan_from
           AND pg_snapshot_xmin(pg_current_snapshot()) >= s.candidate_xmax)
       OR EXISTS (SELECT 1 FROM event_outbox o
                   WHERE o.id > s.scan_from
                     AND NOT pg_visible_in_snapshot(o.tx_id, s.done_snapshot))
  FROM eventlog_claim_state s)sql";

constexpr const char* kLockStateSql = R"sql(
SELECT done_snapshot::text, scan_from, page_snapshot::text, coalesce(page_after, 0)
  FROM eventlog_claim_state FOR UPDATE)sql";

// The ids taken so far. Read before the claim's transaction has an id (before it locks the
// state): a writer takes its transaction id before its outbox id (eventlog_next_outbox_id), so
// every writer holding one of these ids has a smaller transaction id than the claim's.
constexpr const char* kLastIdSql = R"sql(
SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM event_outbox_id_seq)sql";

// An event's columns, as OutboxRowFrom reads them; the time is NULL where no ClickHouse type
// holds it.
std::string EventColumnsSql(const std::string& t = "") {
  return t + "event_id, " + t + "event_type, CASE WHEN " + kStorableTimeSql +
         " THEN (extract(epoch FROM event_date_time) * 1000000)::bigint END, " + t +
         "environment, " + t + "event_context, " + t + "metadata_version, " + t + "trace_id, " + t +
         "span_id";
}

// One page of a tick, narrow (ids, not rows: the claim holds the state's lock meanwhile): rows
// visible in $1 and not in $2 above id $3, in id order, at most $4 rows; each with its size for
// the byte cap ($5 per row plus its text) and whether a ClickHouse type holds its time. Read
// through a cursor, a few thousand rows at a time, so the byte cap stops the scan where it cuts
// (a window sum in SQL would read and sort all $4 rows every time).
const std::string& DeclarePageSql() {
  static const std::string sql = std::string(R"sql(
DECLARE eventlog_page NO SCROLL CURSOR FOR
SELECT id, $5 + octet_length(event_type) + octet_length(environment) + octet_length(event_context),
       )sql") + kStorableTimeSql +
                                 R"sql(
  FROM event_outbox
 WHERE id > $3 AND pg_visible_in_snapshot(tx_id, $1::pg_snapshot)
   AND NOT pg_visible_in_snapshot(tx_id, $2::pg_snapshot)
 ORDER BY id LIMIT $4)sql";
  return sql;
}
constexpr const char* kFetchPageSql = "FETCH 4096 FROM eventlog_page";

const std::string& SliceRowsSql() {
  static const std::string sql = "SELECT " + EventColumnsSql("o.") + R"sql(
  FROM event_outbox o, eventlog_batches s
 WHERE s.batch_id = $1 AND o.id > s.id_after AND o.id <= s.id_to
   AND pg_visible_in_snapshot(o.tx_id, s.snap_hi) AND NOT pg_visible_in_snapshot(o.tx_id, s.snap_lo)
 ORDER BY o.id)sql";
  return sql;
}

constexpr const char* kQuarantineSql = R"sql(
INSERT INTO event_dead_letters (event_id, event_type, event_date_time, environment,
                                event_context, metadata_version, trace_id, span_id, error, attempts)
SELECT event_id, event_type, event_date_time, environment, event_context, metadata_version,
       trace_id, span_id,
       'event_date_time ' || event_date_time::text ||
         ' is outside 1900-01-01..2299-12-31: no ClickHouse time type holds it', 0
  FROM event_outbox WHERE id = ANY($1::bigint[]))sql";

// $4: the batch's first readable row, whose creation time the batch records.
constexpr const char* kInsertSliceSql = R"sql(
INSERT INTO eventlog_batches (lease_token, owner, lease_until, event_count, oldest_created_at,
                              snap_lo, snap_hi, id_after, id_to)
VALUES (nextval('eventlog_lease_token_seq'), $1, now() + $2 * interval '1 millisecond', $3,
        (SELECT created_at FROM event_outbox WHERE id = $4),
        $5::pg_snapshot, $6::pg_snapshot, $7, $8)
RETURNING batch_id, lease_token)sql";

constexpr const char* kNextPageSql =
    "UPDATE eventlog_claim_state SET page_snapshot = $1::pg_snapshot, page_after = $2";

// The tick is claimed whole: its snapshot becomes done_snapshot. scan_from rises to the
// candidate once every transaction older than candidate_xmax has ended by done_snapshot (so
// each row up to the candidate is claimed); a new candidate replaces a used one: $2 the ids read
// before this claim's transaction took its id $4 (NULL for a paged tick, whose ids were not
// kept). Not the snapshot's xmax: a writer that took an id can still run with a transaction id
// at or above it (xmax is one past the newest transaction that ended). With $3 false (an empty
// tick) the row is only written when scan_from or the candidate moves.
constexpr const char* kTickDoneSql = R"sql(
UPDATE eventlog_claim_state s
   SET done_snapshot = $1::pg_snapshot, page_snapshot = NULL, page_after = NULL,
       scan_from = CASE WHEN s.candidate_id IS NOT NULL
                         AND pg_snapshot_xmin($1::pg_snapshot) >= s.candidate_xmax
                        THEN greatest(s.scan_from, s.candidate_id) ELSE s.scan_from END,
       candidate_id = CASE WHEN s.candidate_id IS NULL
                            OR pg_snapshot_xmin($1::pg_snapshot) >= s.candidate_xmax
                           THEN $2::bigint ELSE s.candidate_id END,
       candidate_xmax = CASE WHEN s.candidate_id IS NULL
                              OR pg_snapshot_xmin($1::pg_snapshot) >= s.candidate_xmax
                             THEN CASE WHEN $2::bigint IS NULL THEN NULL ELSE $4::xid8 END
                             ELSE s.candidate_xmax END
 WHERE $3 OR s.candidate_id IS NULL OR pg_snapshot_xmin($1::pg_snapshot) >= s.candidate_xmax)sql";

// Every row with an id at or below this is claimed and no open slice batch needs it: the rows of
// ticks done (scan_from), less those of slices still open. It only rises (new slices start above
// scan_from), so a value read once stays safe.
constexpr const char* kRecycleBoundSql = R"sql(
SELECT least(s.scan_from, (SELECT min(id_after) FROM eventlog_batches WHERE payload IS NULL))
  FROM eventlog_claim_state s)sql";

// The outbox's partitions (migration 006): a ring of generations of ids.
constexpr int kOutboxPartitions = 4;

OutboxRow OutboxRowFrom(const pqxx::row& r) {
  OutboxRow o;
  o.event_id = r[0].c_str();
  o.event_type = r[1].c_str();
  o.event_time_us = r[2].as<int64_t>();
  o.environment = r[3].c_str();
  o.event_context = r[4].c_str();
  o.metadata_version = r[5].as<uint64_t>();
  o.trace_id = r[6].c_str();
  o.span_id = r[7].c_str();
  return o;
}

// What one page holds: how many rows to send, and the ids of rows no ClickHouse type can hold.
struct Page {
  int64_t readable = 0;
  int64_t first_readable_id = 0;
  std::string quarantined_ids;  // a PostgreSQL array literal, "{}" when none
  int64_t quarantined = 0;
  int64_t last_id = 0;
  bool full = false;  // rows of the tick remain after this page
};

Page ReadPage(pqxx::work& tx, const std::string& snapshot, const std::string& done, int64_t after,
              const ClaimLimits& limits) {
  tx.exec_params0(DeclarePageSql(), snapshot, done, after, limits.max_rows, kClaimRowOverheadBytes);
  Page page;
  page.quarantined_ids = "{";
  int64_t rows = 0;
  int64_t bytes_before = 0;  // rows are taken while the bytes before each stay under the cap
  bool cut = false;          // the byte cap stopped the page before a row of the tick
  while (!cut && rows < limits.max_rows) {
    pqxx::result r = tx.exec(kFetchPageSql);
    if (r.empty()) break;
    for (const auto& row : r) {
      if (bytes_before >= limits.max_bytes) {
        cut = true;
        break;
      }
      bytes_before += row[1].as<int64_t>();
      ++rows;
      page.last_id = row[0].as<int64_t>();
      if (!row[2].as<bool>()) {
        page.quarantined_ids += (page.quarantined++ ? "," : "") + std::string(row[0].c_str());
      } else if (page.readable++ == 0) {
        page.first_readable_id = page.last_id;
      }
    }
  }
  page.quarantined_ids += "}";
  // At the row cap the tick may go on; below it without a cut, the cursor ran out of rows.
  page.full = cut || rows >= limits.max_rows;
  return page;
}

bool NothingWaiting(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  return !tx.exec1(kProbeSql)[0].as<bool>();
}

}  // namespace

Result<std::optional<Batch>> ClaimSlice(pqxx::connection& conn, const SliceClaimOptions& options,
                                        const ClaimLimits& limits) {
  if (NothingWaiting(conn)) return std::optional<Batch>();
  pqxx::work tx(conn);
  // A claim must survive a PostgreSQL crash whatever the role or database default is: a lost
  // claim would hand rows already in ClickHouse to the next claim.
  tx.exec0("SET LOCAL synchronous_commit = on");
  const int64_t last_id = tx.exec1(kLastIdSql)[0].as<int64_t>();  // before any transaction id
  pqxx::row state = tx.exec1(kLockStateSql);
  const std::string done = state[0].c_str();
  const int64_t scan_from = state[1].as<int64_t>();
  const bool paged = !state[2].is_null();
  std::string snapshot;
  std::string claim_xid;  // taken by the row lock, after last_id was read
  if (paged) {
    snapshot = state[2].c_str();
  } else {
    pqxx::row now = tx.exec1("SELECT pg_current_snapshot()::text, pg_current_xact_id()::text");
    snapshot = now[0].c_str();
    claim_xid = now[1].c_str();
  }
  // Rows of this tick at or below page_after are in earlier pages' batches.
  const int64_t after = paged ? std::max(scan_from, state[3].as<int64_t>()) : scan_from;
  Page page = ReadPage(tx, snapshot, done, after, limits);
  if (page.quarantined > 0) {
    tx.exec_params0(kQuarantineSql, page.quarantined_ids);
    log::Error(kLogger,
               "outbox rows with an impossible event_date_time copied to dead letters and skipped",
               {{"count", page.quarantined}});
  }
  if (page.full) {
    tx.exec_params0(kNextPageSql, snapshot, page.last_id);
  } else {
    tx.exec_params(kTickDoneSql, snapshot, paged ? std::optional<int64_t>() : last_id,
                   page.last_id != 0, paged ? std::optional<std::string>() : claim_xid);
  }
  if (page.readable == 0) {
    if (page.quarantined == 0) tx.exec0("SET LOCAL synchronous_commit = off");  // nothing to lose
    tx.commit();
    return std::optional<Batch>();
  }
  Batch b;
  b.full = page.full;
  pqxx::row ins =
      tx.exec_params1(kInsertSliceSql, options.owner, static_cast<int64_t>(options.lease.count()),
                      page.readable, page.first_readable_id, done, snapshot, after, page.last_id);
  b.batch_id = ins[0].as<int64_t>();
  b.lease_token = ins[1].as<int64_t>();
  tx.commit();
  // The rows themselves are read after the lock is gone, so the relays of a fleet read theirs in
  // parallel. If this fails, the batch stays leased to us and is taken over when the lease ends.
  pqxx::nontransaction read(conn);
  b.rows = ReadSliceRows(read, b.batch_id);
  return std::optional<Batch>(std::move(b));
}

std::vector<OutboxRow> ReadSliceRows(pqxx::transaction_base& tx, int64_t batch_id) {
  pqxx::result r = tx.exec_params(SliceRowsSql(), batch_id);
  std::vector<OutboxRow> rows;
  rows.reserve(r.size());
  for (const auto& row : r) {
    if (!row[2].is_null()) rows.push_back(OutboxRowFrom(row));  // quarantined at the claim
  }
  return rows;
}

int RecycleClaimedPartitions(pqxx::connection& conn) {
  int truncated = 0;
  for (int k = 0; k < kOutboxPartitions; ++k) {
    const std::string partition = "event_outbox_" + std::to_string(k);
    pqxx::work tx(conn);
    // Never wait: a writer with an open transaction in this partition, or a reader of the outbox,
    // holds a lock; the next round tries again. Once we hold it, no row can enter or leave.
    try {
      tx.exec0("LOCK TABLE " + partition + " IN ACCESS EXCLUSIVE MODE NOWAIT");
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() == "55P03") continue;  // lock_not_available
      throw;
    }
    pqxx::row r =
        tx.exec1("SELECT (SELECT max(id) FROM " + partition + "), (" + kRecycleBoundSql + ")");
    if (r[0].is_null() || r[1].is_null() || r[0].as<int64_t>() > r[1].as<int64_t>()) continue;
    tx.exec0("SET LOCAL synchronous_commit = off");  // if lost, the next round truncates again
    tx.exec0("TRUNCATE " + partition);
    tx.commit();
    ++truncated;
  }
  return truncated;
}

}  // namespace eventlog
