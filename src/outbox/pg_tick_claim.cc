#include "outbox/pg_tick_claim.h"

#include <algorithm>
#include <string>

#include "observe/logger.h"
#include "outbox/outbox_rules.h"
#include "outbox/tick_rows.h"

namespace eventlog {
namespace {

constexpr std::string_view kLogger = "eventlog.outbox";

// Cheap and read-only (an idle relay writes nothing): [0] is there a committed row no tick has
// taken, or a paged tick to finish? [1] does the claim state or the outbox hold transaction ids
// this server has not reached (a dump restored into another cluster, a replica behind)? Each
// tick range is one index probe; transactions still running are not in any range, so their
// rows are not even looked at. Without JIT, on whatever connection: over a big outbox PostgreSQL
// judged the claim's statements costly enough to compile them first (190 ms a probe with
// 2,000,000 rows waiting), and the setting stays for the claim that follows.
constexpr const char* kProbeSql = R"sql(
SET jit = off;
SELECT s.page_snapshot IS NOT NULL
       OR EXISTS (SELECT 1 FROM eventlog_tick_ranges(s.done_snapshot, pg_current_snapshot()) r
                   WHERE EXISTS (SELECT 1 FROM event_outbox o
                                  WHERE o.tx_id >= r.lo AND o.tx_id < r.hi)),
       pg_snapshot_xmax(coalesce(s.page_snapshot, s.done_snapshot))
         > pg_snapshot_xmax(pg_current_snapshot())
       OR EXISTS (SELECT 1 FROM event_outbox o
                   WHERE o.tx_id >= pg_snapshot_xmax(pg_current_snapshot()))
  FROM eventlog_claim_state s)sql";

// done_snapshot's xmax and its running transactions, as values an index condition can use.
constexpr const char* kDoneXmaxSql =
    "(SELECT pg_snapshot_xmax(done_snapshot) FROM eventlog_claim_state)";
constexpr const char* kDoneXipSql =
    "(SELECT array_agg(x) FROM eventlog_claim_state, pg_snapshot_xip(done_snapshot) x)::xid8[]";

constexpr const char* kLockStateSql = R"sql(
SELECT done_snapshot::text, page_snapshot::text, page_after_tx::text, page_after_id
  FROM eventlog_claim_state FOR UPDATE)sql";

// An event's columns, as OutboxRowFrom reads them; the time is NULL where no ClickHouse type
// holds it.
std::string EventColumnsSql(const std::string& t) {
  return t + "event_id, " + t + "event_type, CASE WHEN " + kStorableTimeSql +
         " THEN (extract(epoch FROM " + t + "event_date_time) * 1000000)::bigint END, " + t +
         "environment, " + t + "event_context, " + t + "metadata_version, " + t + "trace_id, " + t +
         "span_id";
}

constexpr const char* kLastRowKey = "18446744073709551615";  // the largest xid8: no upper bound

// One page of a tick, narrow (ids, not rows: the claim holds the state's lock meanwhile): at most
// $7 rows, each with its size for the byte cap ($8 per row plus its text) and whether a
// ClickHouse type holds its time. Read through a cursor, a few thousand rows at a time, so the
// byte cap stops the scan where it cuts; ReadPage checks the order.
const std::string& DeclarePageSql() {
  static const std::string sql =
      "DECLARE eventlog_page NO SCROLL CURSOR FOR " +
      TickRowsSql(
          "o.tx_id::text, o.id, $8 + octet_length(o.event_type) + "
          "octet_length(o.environment) + octet_length(o.event_context), " +
          std::string(kStorableTimeSql)) +
      " LIMIT $7";
  return sql;
}
// A page must come from ordered index scans that stop at the row cap: the planner, not knowing
// the ranges' width, would otherwise sort every row of a big tick for each page (a 500,000-row
// tick: 200 ms a page instead of 2.5). (JIT is off since the probe.)
constexpr const char* kOrderedScansSql =
    "SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off; "
    "SET LOCAL enable_seqscan = off";
constexpr const char* kFetchPageSql = "FETCH 4096 FROM eventlog_page";

// A slice's rows: its tick's rows from its first row to its last (the bound before the first is
// the same transaction, one id lower: ids are integers). No ORDER BY: the rows come in the nested
// loop's order, and nothing depends on it (sorting 15,000 whole rows spilled to disk: +50 %).
const std::string& SliceRowsSql() {
  static const std::string sql = TickRowsSql(EventColumnsSql("o."));
  return sql;
}

// A slice written before migration 010: the rows of its tick with id_after < id <= id_to.
const std::string& OldSliceRowsSql() {
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

// $4: the batch's first readable row, whose creation time the batch records. id_after/id_to:
// the hull of the slice's ids, which partition truncation checks.
constexpr const char* kInsertSliceSql = R"sql(
INSERT INTO eventlog_batches (lease_token, owner, lease_until, event_count, oldest_created_at,
                              snap_lo, snap_hi, first_tx, first_id, last_tx, last_id,
                              id_after, id_to)
VALUES (nextval('eventlog_lease_token_seq'), $1, now() + $2 * interval '1 millisecond', $3,
        (SELECT created_at FROM event_outbox WHERE id = $4),
        $5::pg_snapshot, $6::pg_snapshot, $7::xid8, $8, $9::xid8, $10, $11, $12)
RETURNING batch_id, lease_token)sql";

constexpr const char* kNextPageSql = R"sql(
UPDATE eventlog_claim_state
   SET page_snapshot = $1::pg_snapshot, page_after_tx = $2::xid8, page_after_id = $3)sql";

// The tick is claimed whole: every committed row its snapshot sees is claimed.
constexpr const char* kTickDoneSql = R"sql(
UPDATE eventlog_claim_state
   SET done_snapshot = $1::pg_snapshot, page_snapshot = NULL, page_after_tx = NULL,
       page_after_id = NULL)sql";

// A partition may go when none of its rows is still to claim (a transaction done_snapshot saw
// running, or one after it) and no open slice's ids reach into it. The caller holds the
// partition's lock, so every transaction that wrote into it has ended. The bounds are scalar
// subqueries so that each test is an index probe, not a scan of the partition.
std::string PartitionStillNeededSql(const std::string& partition) {
  return "SELECT NOT EXISTS (SELECT 1 FROM " + partition + ")" +  //
         " OR EXISTS (SELECT 1 FROM " + partition + " WHERE tx_id >= " + kDoneXmaxSql + ")" +
         " OR EXISTS (SELECT 1 FROM " + partition + " WHERE tx_id = ANY (" + kDoneXipSql + "))" +
         " OR EXISTS (SELECT 1 FROM eventlog_batches b, " + partition +
         " o WHERE b.payload IS NULL AND o.id > b.id_after AND o.id <= b.id_to)";
}

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

// The readable rows of a slice (rows quarantined at the claim have no time).
std::vector<OutboxRow> RowsOf(const pqxx::result& r) {
  std::vector<OutboxRow> rows;
  rows.reserve(r.size());
  for (const auto& row : r) {
    if (!row[2].is_null()) rows.push_back(OutboxRowFrom(row));
  }
  return rows;
}

// A row's place in a tick: (transaction id, outbox id).
struct RowKey {
  uint64_t tx = 0;
  int64_t id = 0;
  bool operator<(const RowKey& o) const { return tx < o.tx || (tx == o.tx && id < o.id); }
};

// What one page holds: how many rows to send, and the ids of rows no ClickHouse type can hold.
struct Page {
  int64_t rows = 0;
  int64_t readable = 0;
  int64_t first_readable_id = 0;
  std::string quarantined_ids;  // a PostgreSQL array literal, "{}" when none
  int64_t quarantined = 0;
  RowKey first, last;
  int64_t min_id = 0, max_id = 0;  // the hull of the page's ids
  bool full = false;               // rows of the tick remain after this page
};

// Adds one row (in tick order) to the page.
Status AddRow(Page& page, const pqxx::row& row) {
  const RowKey key{row[0].as<uint64_t>(), row[1].as<int64_t>()};
  if (page.rows > 0 && !(page.last < key)) {  // a page must be a prefix of the tick's order
    return {StatusCode::kInternal, "claim page out of (tx_id, id) order at outbox id " +
                                       std::to_string(key.id) + ": claim refused"};
  }
  if (page.rows++ == 0) {
    page.first = key;
    page.min_id = page.max_id = key.id;
  }
  page.last = key;
  page.min_id = std::min(page.min_id, key.id);
  page.max_id = std::max(page.max_id, key.id);
  if (!row[3].as<bool>()) {
    page.quarantined_ids += (page.quarantined++ ? "," : "") + std::to_string(key.id);
  } else if (page.readable++ == 0) {
    page.first_readable_id = key.id;
  }
  return Status::Ok();
}

Result<Page> ReadPage(pqxx::work& tx, const std::string& done, const std::string& tick,
                      const RowKey& after, const ClaimLimits& limits) {
  tx.exec_params0(DeclarePageSql(), done, tick, std::to_string(after.tx), after.id, kLastRowKey,
                  int64_t{0}, limits.max_rows, kClaimRowOverheadBytes);
  Page page;
  page.quarantined_ids = "{";
  int64_t bytes_before = 0;  // rows are taken while the bytes before each stay under the cap
  bool cut = false;          // the byte cap stopped the page before a row of the tick
  while (!cut && page.rows < limits.max_rows) {
    pqxx::result r = tx.exec(kFetchPageSql);
    if (r.empty()) break;
    for (const auto& row : r) {
      if (bytes_before >= limits.max_bytes) {
        cut = true;
        break;
      }
      bytes_before += row[2].as<int64_t>();
      if (Status s = AddRow(page, row); !s.ok()) return s;
    }
  }
  page.quarantined_ids += "}";
  // At the row cap the tick may go on; below it without a cut, the cursor ran out of rows.
  page.full = cut || page.rows >= limits.max_rows;
  return page;
}

constexpr const char* kRestoredElsewhere =
    "eventlog_claim_state or event_outbox holds transaction ids this PostgreSQL server has not "
    "reached: the database was restored into another cluster (pg_dump/pg_restore) or is a replica "
    "behind the primary. Claims are refused, so that no event is taken for claimed or skipped; "
    "with every relay stopped, run SELECT eventlog_rebase_claims(); (README, \"Backups, restores "
    "and upgrades\")";

// Whether a claim should look (rows wait, or a paged tick is unfinished).
Result<bool> SomethingWaiting(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  pqxx::row r = tx.exec1(kProbeSql);
  if (r[1].as<bool>()) return Status(StatusCode::kFailedPrecondition, kRestoredElsewhere);
  return r[0].as<bool>();
}

}  // namespace

Result<std::optional<Batch>> ClaimSlice(pqxx::connection& conn, const SliceClaimOptions& options,
                                        const ClaimLimits& limits) {
  auto waiting = SomethingWaiting(conn);
  if (!waiting.ok()) return waiting.status();
  if (!*waiting) return std::optional<Batch>();
  pqxx::work tx(conn);
  // A claim must survive a PostgreSQL crash whatever the role or database default is: a lost
  // claim would hand rows already in ClickHouse to the next claim.
  tx.exec0("SET LOCAL synchronous_commit = on");
  tx.exec0(kOrderedScansSql);
  pqxx::row state = tx.exec1(kLockStateSql);
  const std::string done = state[0].c_str();
  const bool paged = !state[1].is_null();
  // A tick's snapshot is taken once the state is locked: claims are serialized, so each tick
  // starts where the one before ended.
  const std::string tick =
      paged ? state[1].c_str() : tx.exec1("SELECT pg_current_snapshot()::text")[0].c_str();
  const RowKey after = paged ? RowKey{state[2].as<uint64_t>(), state[3].as<int64_t>()} : RowKey{};
  auto read = ReadPage(tx, done, tick, after, limits);
  if (!read.ok()) return read.status();
  const Page& page = *read;
  if (page.quarantined > 0) {
    tx.exec_params0(kQuarantineSql, page.quarantined_ids);
    log::Error(kLogger,
               "outbox rows with an impossible event_date_time copied to dead letters and skipped",
               {{"count", page.quarantined}});
  }
  if (page.full) {
    tx.exec_params0(kNextPageSql, tick, std::to_string(page.last.tx), page.last.id);
  } else if (paged || page.rows > 0) {
    tx.exec_params0(kTickDoneSql, tick);
  }  // an empty tick changes nothing: the next one still covers all that done_snapshot does not
  if (page.readable == 0) {
    if (page.quarantined == 0) tx.exec0("SET LOCAL synchronous_commit = off");  // nothing to lose
    tx.commit();
    return std::optional<Batch>();
  }
  Batch b;
  b.full = page.full;
  pqxx::row ins = tx.exec_params1(
      kInsertSliceSql, options.owner, static_cast<int64_t>(options.lease.count()), page.readable,
      page.first_readable_id, done, tick, std::to_string(page.first.tx), page.first.id,
      std::to_string(page.last.tx), page.last.id, page.min_id - 1, page.max_id);
  b.batch_id = ins[0].as<int64_t>();
  b.lease_token = ins[1].as<int64_t>();
  b.event_count = page.readable;
  tx.commit();
  if (limits.stream_rows) {  // the caller streams them (SliceCopySql)
    b.streamable = true;
    return std::optional<Batch>(std::move(b));
  }
  // The rows themselves are read after the lock is gone, so the relays of a fleet read theirs in
  // parallel. If this fails, the batch stays leased to us and is taken over when the lease ends.
  pqxx::nontransaction rows(conn);
  b.rows = RowsOf(rows.exec_params(SliceRowsSql(), done, tick, std::to_string(page.first.tx),
                                   page.first.id - 1, std::to_string(page.last.tx), page.last.id));
  return std::optional<Batch>(std::move(b));
}

std::vector<OutboxRow> ReadSliceRows(pqxx::transaction_base& tx, int64_t batch_id) {
  pqxx::row s = tx.exec_params1(kSliceBoundsSql, batch_id);
  if (s[2].is_null()) return RowsOf(tx.exec_params(OldSliceRowsSql(), batch_id));
  return RowsOf(tx.exec_params(SliceRowsSql(), s[0].c_str(), s[1].c_str(), s[2].c_str(),
                               s[3].as<int64_t>() - 1, s[4].c_str(), s[5].as<int64_t>()));
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
    if (tx.exec1(PartitionStillNeededSql(partition))[0].as<bool>()) continue;
    tx.exec0("SET LOCAL synchronous_commit = off");  // if lost, the next round truncates again
    tx.exec0("TRUNCATE " + partition);
    tx.commit();
    ++truncated;
  }
  return truncated;
}

}  // namespace eventlog
