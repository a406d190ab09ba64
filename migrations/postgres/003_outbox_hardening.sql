-- Rows the relay cannot send must be refused when they are written, not found at claim time:
-- a timestamp ClickHouse cannot hold in any time type ('infinity', year 2500) stalled every
-- claim. NOT VALID: rows written before this migration are not checked here; the relay
-- quarantines any it cannot read as dead letters.
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_event_date_time_range
  CHECK (event_date_time >= timestamptz '1900-01-01 00:00:00+00'
         AND event_date_time < timestamptz '2300-01-01 00:00:00+00') NOT VALID;
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_event_type_not_empty
  CHECK (event_type <> '') NOT VALID;

-- Tries of a batch whose INSERT timed out: past two, the relay sends it in smaller parts.
ALTER TABLE eventlog_batches ADD COLUMN IF NOT EXISTS timeouts integer NOT NULL DEFAULT 0;

-- A dead letter may be a row the relay could not read at all (a damaged ledger line): it keeps
-- the raw text and its error, and none of the event's columns.
ALTER TABLE event_dead_letters ADD COLUMN IF NOT EXISTS raw_row text;
ALTER TABLE event_dead_letters ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE event_dead_letters ALTER COLUMN event_type DROP NOT NULL;
ALTER TABLE event_dead_letters ALTER COLUMN event_date_time DROP NOT NULL;
ALTER TABLE event_dead_letters ALTER COLUMN environment DROP NOT NULL;
ALTER TABLE event_dead_letters ALTER COLUMN event_context DROP NOT NULL;
ALTER TABLE event_dead_letters ALTER COLUMN metadata_version DROP NOT NULL;
