-- Delivery lag for `eventlog status` (issue 9): each delivered batch records how long its oldest
-- event waited (its outbox row's creation to the batch's completion). Rows older than an hour
-- are pruned as batches complete.
CREATE TABLE IF NOT EXISTS eventlog_delivery_lag (
  delivered_at timestamptz NOT NULL DEFAULT now(),
  events integer NOT NULL,
  lag_ms bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS eventlog_delivery_lag_delivered_at_idx
  ON eventlog_delivery_lag (delivered_at);
