-- The batch whose lease ran out first. Its relay gave it back (owner NULL, a retry that is due)
-- or died holding it (owner set: a takeover).
-- $1 owner, $2 lease_ms.
WITH due AS (SELECT batch_id, owner FROM eventlog_batches WHERE lease_until <= now()
              ORDER BY batch_id LIMIT 1 FOR UPDATE SKIP LOCKED)
UPDATE eventlog_batches b
   SET owner = $1, lease_token = nextval('eventlog_lease_token_seq'),
       lease_until = now() + $2 * interval '1 millisecond', updated_at = now()
  FROM due
 WHERE b.batch_id = due.batch_id
RETURNING b.batch_id, b.lease_token, b.attempts, b.rejections, b.timeouts, b.payload,
          due.owner IS NOT NULL
