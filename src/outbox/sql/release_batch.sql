-- Gives a batch back (fenced by its token) to be retried after $3. With $10 it keeps what it is
-- (a slice of the outbox or a payload); otherwise its remaining rows become its payload and its
-- slice is let go.
-- $1 batch_id, $2 lease_token, $3 retry_in_ms, $4 attempted (0/1), $5 rejected (0/1),
-- $6 last_error, $7 event_count, $8 payload, $9 timed_out (0/1), $10 keep_slice.
UPDATE eventlog_batches
   SET owner = NULL, lease_until = now() + $3 * interval '1 millisecond',
       attempts = attempts + $4, rejections = rejections + $5, last_error = $6,
       timeouts = timeouts + $9, updated_at = now(),
       event_count = CASE WHEN $10 THEN event_count ELSE $7 END,
       payload = CASE WHEN $10 THEN payload ELSE $8 END,
       snap_lo = CASE WHEN $10 THEN snap_lo END, snap_hi = CASE WHEN $10 THEN snap_hi END,
       id_after = CASE WHEN $10 THEN id_after END, id_to = CASE WHEN $10 THEN id_to END,
       first_tx = CASE WHEN $10 THEN first_tx END, first_id = CASE WHEN $10 THEN first_id END,
       last_tx = CASE WHEN $10 THEN last_tx END, last_id = CASE WHEN $10 THEN last_id END
 WHERE batch_id = $1 AND lease_token = $2
