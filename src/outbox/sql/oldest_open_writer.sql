-- The oldest transaction still open that has written into event_outbox, a prepared (two-phase)
-- transaction left behind included: its events wait for it, and the outbox partition it holds
-- cannot be truncated, so the outbox grows while it stays open. Claims of everyone else's
-- events go on. One row or none: who (`pid 123 (app)` or `prepared transaction 'gid'`) and the
-- age in seconds (NULL when this role may not see the session's start: grant it
-- pg_read_all_stats). Read from pg_locks: a writer holds a lock on its partition until it ends.
SELECT CASE WHEN l.pid IS NOT NULL
            THEN 'pid ' || l.pid || coalesce(' (' || nullif(a.application_name, '') || ')', '')
            ELSE 'prepared transaction ''' || p.gid || '''' END,
       extract(epoch FROM now() - coalesce(a.xact_start, p.prepared))::float8
  FROM pg_locks l
  JOIN pg_inherits i ON i.inhrelid = l.relation AND i.inhparent = 'event_outbox'::regclass
  LEFT JOIN pg_stat_activity a ON a.pid = l.pid
  LEFT JOIN pg_locks t  -- a prepared transaction's locks have no pid: its xid names it
         ON l.pid IS NULL AND t.locktype = 'transactionid'
        AND t.virtualtransaction = l.virtualtransaction
  LEFT JOIN pg_prepared_xacts p ON p.transaction = t.transactionid
 WHERE l.locktype = 'relation' AND l.granted AND l.mode = 'RowExclusiveLock'
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND (l.pid IS NULL OR l.pid <> pg_backend_pid())
 ORDER BY coalesce(a.xact_start, p.prepared) NULLS LAST
 LIMIT 1
