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

// The ids every transaction that began before the next snapshot may hold: read BEFORE that
// snapshot is taken (a later statement), see eventlog_next_outbox_id.
constexpr const char* kLastIdSql = R"sql(
SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM event_outbox_id_seq)sql";

// An event's columns, as OutboxRowFrom reads them; the time is NULL where no ClickHouse type
// holds it.
std::string EventColumnsSql(const std::string& t = "") {
  return t + "event_id, " + t + "event_type, CASE WHEN " + kStorableTimeSql +
         " THEN (extract(epoch FROM event_date_time) * 1000000)::bigint END, " + t +
         "environment, " + t + "event_context, " + t + "metadata_version";
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
                                event_context, metadata_version, error, attempts)
SELECT event_id, event_type, event_date_time, environment, event_context, metadata_version,
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
// candidate once no transaction older than the candidate's snapshot can be missing from
// done_snapshot; a new candidate ($2: ids read before $1 was taken; NULL for a paged tick,
// whose ids were not kept) replaces a used one. With $3 false (an empty tick) the row is only
// written when scan_from or the candidate moves.
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
                             THEN CASE WHEN $2::bigint IS NULL THEN NULL
                                       ELSE pg_snapshot_xmax($1::pg_snapshot) END
                             ELSE s.candidate_xmax END
 WHERE $3 OR s.candidate_id IS NULL OR pg_snapshot_xmin($1::pg_snapshot) >= s.candidate_xmax)sql";

// Rows at or below every claim's scan_from and below every slice batch: delivered or dead.
constexpr const char* kDeleteClaimedSql = R"sql(
DELETE FROM event_outbox
 WHERE id <= (SELECT least(s.scan_from,
                           (SELECT min(id_after) FROM eventlog_batches WHERE payload IS NULL),
                           (SELECT min(id) FROM event_outbox) + $1 - 1)
                FROM eventlog_claim_state s))sql";

OutboxRow OutboxRowFrom(const pqxx::row& r) {
  OutboxRow o;
  o.event_id = r[0].c_str();
  o.event_type = r[1].c_str();
  o.event_time_us = r[2].as<int64_t>();
  o.environment = r[3].c_str();
  o.event_context = r[4].c_str();
  o.metadata_version = r[5].as<uint64_t>();
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
  tx.exec_params0(DeclarePageSql(), snapshot, done, after, limits.max_rows,
                  kClaimRowOverheadBytes);
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
  pqxx::row state = tx.exec1(kLockStateSql);
  const std::string done = state[0].c_str();
  const int64_t scan_from = state[1].as<int64_t>();
  const bool paged = !state[2].is_null();
  std::optional<int64_t> last_id;
  std::string snapshot;
  if (paged) {
    snapshot = state[2].c_str();
  } else {
    last_id = tx.exec1(kLastIdSql)[0].as<int64_t>();
    snapshot = tx.exec1("SELECT pg_current_snapshot()::text")[0].c_str();
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
    tx.exec_params(kTickDoneSql, snapshot, last_id, page.last_id != 0);
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

int64_t DeleteClaimedRows(pqxx::connection& conn, int64_t max_rows) {
  pqxx::work tx(conn);
  tx.exec0("SET LOCAL synchronous_commit = off");  // if lost, the next cleanup deletes them
  pqxx::result r = tx.exec_params(kDeleteClaimedSql, max_rows);
  tx.commit();
  return r.affected_rows();
}

}  // namespace eventlog
