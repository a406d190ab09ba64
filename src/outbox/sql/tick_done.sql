-- The tick ($1, its snapshot) is claimed whole: every committed row its snapshot sees is claimed.
UPDATE eventlog_claim_state
   SET done_snapshot = $1::pg_snapshot, page_snapshot = NULL, page_after_tx = NULL,
       page_after_id = NULL
