-- Where slice batch $1 (batch_id)'s rows are; first_tx NULL for a slice written before migration
-- 010.
SELECT snap_lo::text, snap_hi::text, first_tx::text, first_id, last_tx::text, last_id
  FROM eventlog_batches WHERE batch_id = $1
