-- Whether batch $1 (batch_id) holds $2 (event_count) events.
SELECT event_count = $2 FROM eventlog_batches WHERE batch_id = $1
