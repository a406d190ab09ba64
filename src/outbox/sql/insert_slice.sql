-- A new slice batch. $1 owner, $2 lease_ms, $3 event_count, $4 the batch's first readable row
-- (whose creation time the batch records), $5 snap_lo, $6 snap_hi, $7 first_tx, $8 first_id,
-- $9 last_tx, $10 last_id, $11 id_after, $12 id_to (the hull of the slice's ids, which partition
-- truncation checks).
INSERT INTO eventlog_batches (lease_token, owner, lease_until, event_count, oldest_created_at,
                              snap_lo, snap_hi, first_tx, first_id, last_tx, last_id,
                              id_after, id_to)
VALUES (nextval('eventlog_lease_token_seq'), $1, now() + $2 * interval '1 millisecond', $3,
        (SELECT created_at FROM event_outbox WHERE id = $4),
        $5::pg_snapshot, $6::pg_snapshot, $7::xid8, $8, $9::xid8, $10, $11, $12)
RETURNING batch_id, lease_token
