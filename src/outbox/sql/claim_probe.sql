-- Cheap and read-only (an idle relay writes nothing): [0] is there a committed row no tick has
-- taken, or a paged tick to finish? [1] does the claim state or the outbox hold transaction ids
-- this server has not reached (a dump restored into another cluster, a replica behind)? Each
-- tick range is one index probe; transactions still running are not in any range, so their
-- rows are not even looked at. Without JIT, on whatever connection: over a big outbox PostgreSQL
-- judged the claim's statements costly enough to compile them first (190 ms a probe with
-- 2,000,000 rows waiting), and the setting stays for the claim that follows.
SET jit = off;
SELECT s.page_snapshot IS NOT NULL
       OR EXISTS (SELECT 1 FROM eventlog_tick_ranges(s.done_snapshot, pg_current_snapshot()) r
                   WHERE EXISTS (SELECT 1 FROM event_outbox o
                                  WHERE o.tx_id >= r.lo AND o.tx_id < r.hi)),
       pg_snapshot_xmax(coalesce(s.page_snapshot, s.done_snapshot))
         > pg_snapshot_xmax(pg_current_snapshot())
       OR EXISTS (SELECT 1 FROM event_outbox o
                   WHERE o.tx_id >= pg_snapshot_xmax(pg_current_snapshot()))
  FROM eventlog_claim_state s
