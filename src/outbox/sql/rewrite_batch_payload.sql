-- A payload batch without its unreadable lines. $1 batch_id, $2 payload, $3 event_count.
UPDATE eventlog_batches SET payload = $2, event_count = $3 WHERE batch_id = $1
