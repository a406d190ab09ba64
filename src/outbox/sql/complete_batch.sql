-- Ends a batch (fenced by its token) and records how long its oldest event waited, for
-- `eventlog status`; lag records older than an hour go. One round trip. 1: the batch was ours.
-- $1 batch_id, $2 lease_token, $3 delivered (events).
WITH done AS (DELETE FROM eventlog_batches WHERE batch_id = $1 AND lease_token = $2
              RETURNING oldest_created_at),
     lag AS (INSERT INTO eventlog_delivery_lag (events, lag_ms)
             SELECT $3, (extract(epoch FROM clock_timestamp() - oldest_created_at) * 1000)::bigint
               FROM done WHERE $3 > 0),
     pruned AS (DELETE FROM eventlog_delivery_lag WHERE delivered_at < now() - interval '1 hour')
SELECT count(*) FROM done
