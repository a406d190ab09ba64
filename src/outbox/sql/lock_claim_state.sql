-- Serializes claims: done_snapshot, and the paged tick's snapshot and last row when a tick is
-- being claimed page by page.
SELECT done_snapshot::text, page_snapshot::text, page_after_tx::text, page_after_id
  FROM eventlog_claim_state FOR UPDATE
