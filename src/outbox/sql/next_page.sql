-- The tick goes on after this page. $1 the tick's snapshot, $2 and $3 its last row's tx_id, id.
UPDATE eventlog_claim_state
   SET page_snapshot = $1::pg_snapshot, page_after_tx = $2::xid8, page_after_id = $3
