-- $1 batch_id, $2 lease_token (the fence), $3 lease_ms.
UPDATE eventlog_batches SET lease_until = now() + $3 * interval '1 millisecond'
 WHERE batch_id = $1 AND lease_token = $2
