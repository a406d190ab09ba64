(SELECT pg_snapshot_xmax(done_snapshot) FROM eventlog_claim_state)
