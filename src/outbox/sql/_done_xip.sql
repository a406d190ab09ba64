(SELECT array_agg(x) FROM eventlog_claim_state, pg_snapshot_xip(done_snapshot) x)::xid8[]
