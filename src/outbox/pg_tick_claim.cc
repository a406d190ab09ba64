#include "outbox/pg_tick_claim.h"

#include <algorithm>
#include <string>

#include "observe/logger.h"
#include "outbox/commit_flush.h"
#include "outbox/ledger_sql.h"
#include "outbox/tick_rows.h"

namespace eventlog {
namespace {

constexpr std::string_view kLogger = "eventlog.outbox";

// An event's columns, as OutboxRowFrom reads them; the time is NULL where no ClickHouse type
// holds it.
std::string EventColumnsSql(const std::string& t) {
  return t + "event_id, " + t + "event_type, CASE WHEN " + ledger_sql::kStorableTime +
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
          std::string(ledger_sql::kStorableTime)) +
      " LIMIT $7";
  return sql;
}
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

// A partition may go when none of its rows is still to claim (a transaction done_snapshot saw
// running, or one after it) and no open slice's ids reach into it. The caller holds the
// partition's lock, so every transaction that wrote into it has ended. The bounds are scalar
// subqueries (done_snapshot's xmax and its running transactions) so that each test is an index
// probe, not a scan of the partition.
std::string PartitionStillNeededSql(const std::string& partition) {
  return "SELECT NOT EXISTS (SELECT 1 FROM " + partition + ")" +  //
         " OR EXISTS (SELECT 1 FROM " + partition + " WHERE tx_id >= " + ledger_sql::kDoneXmax +
         ")" + " OR EXISTS (SELECT 1 FROM " + partition + " WHERE tx_id = ANY (" +
         ledger_sql::kDoneXip + "))" + " OR EXISTS (SELECT 1 FROM eventlog_batches b, " +
         partition + " o WHERE b.payload IS NULL AND o.id > b.id_after AND o.id <= b.id_to)";
}

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
    pqxx::result r = tx.exec(ledger_sql::kFetchPage);
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
  pqxx::row r = tx.exec1(ledger_sql::kClaimProbe);
  if (r[1].as<bool>()) return Status(StatusCode::kFailedPrecondition, kRestoredElsewhere);
  return r[0].as<bool>();
}

// The batch of `page` of the tick from snapshot `done` to `tick`: its id and lease token.
pqxx::row InsertSlice(pqxx::work& tx, const SliceClaimOptions& options, const Page& page,
                      const std::string& done, const std::string& tick) {
  return tx.exec_params1(ledger_sql::kInsertSlice, /*owner=*/options.owner,
                         /*lease_ms=*/static_cast<int64_t>(options.lease.count()),
                         /*event_count=*/page.readable,
                         /*first_readable_id=*/page.first_readable_id,
                         /*snap_lo=*/done, /*snap_hi=*/tick,
                         /*first_tx=*/std::to_string(page.first.tx), /*first_id=*/page.first.id,
                         /*last_tx=*/std::to_string(page.last.tx), /*last_id=*/page.last.id,
                         /*id_after=*/page.min_id - 1, /*id_to=*/page.max_id);
}

}  // namespace

Result<std::optional<Batch>> ClaimSlice(pqxx::connection& conn, const SliceClaimOptions& options,
                                        const ClaimLimits& limits) {
  auto waiting = SomethingWaiting(conn);
  if (!waiting.ok()) return waiting.status();
  if (!*waiting) return std::optional<Batch>();
  pqxx::work tx(conn);
  ForceCommitFlush(tx);
  tx.exec0(ledger_sql::kOrderedScans);
  pqxx::row state = tx.exec1(ledger_sql::kLockClaimState);
  const std::string done = state[0].c_str();
  const bool paged = !state[1].is_null();
  // A tick's snapshot is taken once the state is locked: claims are serialized, so each tick
  // starts where the one before ended.
  const std::string tick =
      paged ? state[1].c_str() : tx.exec1(ledger_sql::kCurrentSnapshot)[0].c_str();
  const RowKey after = paged ? RowKey{state[2].as<uint64_t>(), state[3].as<int64_t>()} : RowKey{};
  auto read = ReadPage(tx, done, tick, after, limits);
  if (!read.ok()) return read.status();
  const Page& page = *read;
  if (page.quarantined > 0) {
    tx.exec_params0(ledger_sql::kQuarantineOutboxRows, page.quarantined_ids);
    log::Error(kLogger,
               "outbox rows with an impossible event_date_time copied to dead letters and skipped",
               {{"count", page.quarantined}});
  }
  if (page.full) {
    tx.exec_params0(ledger_sql::kNextPage, tick, std::to_string(page.last.tx), page.last.id);
  } else if (paged || page.rows > 0) {
    tx.exec_params0(ledger_sql::kTickDone, tick);
  }  // an empty tick changes nothing: the next one still covers all that done_snapshot does not
  if (page.readable == 0) {
    if (page.quarantined == 0) SkipCommitFlush(tx);  // nothing to lose
    tx.commit();
    return std::optional<Batch>();
  }
  Batch b;
  b.full = page.full;
  pqxx::row ins = InsertSlice(tx, options, page, done, tick);
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
  pqxx::row s = tx.exec_params1(ledger_sql::kSliceBounds, batch_id);
  if (s[2].is_null()) return RowsOf(tx.exec_params(OldSliceRowsSql(), batch_id));
  return RowsOf(tx.exec_params(SliceRowsSql(), s[0].c_str(), s[1].c_str(), s[2].c_str(),
                               s[3].as<int64_t>() - 1, s[4].c_str(), s[5].as<int64_t>()));
}

std::vector<std::string> OutboxPartitions(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  std::vector<std::string> partitions;
  for (const auto& row : tx.exec(ledger_sql::kOutboxPartitions))
    partitions.emplace_back(row[0].c_str());
  return partitions;
}

int RecycleClaimedPartitions(pqxx::connection& conn, const std::vector<std::string>& partitions) {
  int truncated = 0;
  for (const std::string& partition : partitions) {
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
    SkipCommitFlush(tx);  // if lost, the next round truncates again
    tx.exec0("TRUNCATE " + partition);
    tx.commit();
    ++truncated;
  }
  return truncated;
}

}  // namespace eventlog
