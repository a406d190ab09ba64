-- Delivered rows leave event_outbox by TRUNCATE of a whole partition, not by DELETE (issue 8):
-- a DELETE writes every row again (WAL, dead tuples, vacuum), a TRUNCATE drops a file.
--
-- The outbox is a ring of four partitions over generations of 100,000 ids: ids 0..99,999 go to
-- event_outbox_0, the next 100,000 to event_outbox_1, ..., and after event_outbox_3 round to
-- event_outbox_0 again. Writers insert into event_outbox as before (the contract does not change)
-- and lock only the partition their row goes to. A relay truncates a partition once every row in
-- it is claimed and no open batch needs it (see RecycleClaimedPartitions), so no table is ever
-- created or dropped and the parent is never locked exclusively.
--
-- This migration copies the rows waiting in the outbox into the new table while it holds the
-- outbox's lock: writers wait for it (a few seconds per million waiting rows).

DROP VIEW IF EXISTS eventlog_unclaimed;
ALTER TABLE event_outbox RENAME TO event_outbox_before_006;
ALTER TABLE event_outbox_before_006 RENAME CONSTRAINT event_outbox_pkey TO event_outbox_before_006_pkey;
ALTER SEQUENCE event_outbox_id_seq OWNED BY NONE;

CREATE TABLE event_outbox (
  id bigint NOT NULL DEFAULT eventlog_next_outbox_id(),
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  event_date_time timestamptz NOT NULL,
  environment text NOT NULL,
  event_context text NOT NULL,
  metadata_version bigint NOT NULL DEFAULT 1 CHECK (metadata_version >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  tx_id xid8 NOT NULL DEFAULT pg_current_xact_id()
) PARTITION BY LIST (((id / 100000) % 4));
ALTER SEQUENCE event_outbox_id_seq OWNED BY event_outbox.id;

-- Ids are unique across the ring: an id has one partition, and each partition its unique index.
CREATE TABLE event_outbox_0 PARTITION OF event_outbox FOR VALUES IN (0);
CREATE TABLE event_outbox_1 PARTITION OF event_outbox FOR VALUES IN (1);
CREATE TABLE event_outbox_2 PARTITION OF event_outbox FOR VALUES IN (2);
CREATE TABLE event_outbox_3 PARTITION OF event_outbox FOR VALUES IN (3);
CREATE UNIQUE INDEX event_outbox_0_id_key ON event_outbox_0 (id);
CREATE UNIQUE INDEX event_outbox_1_id_key ON event_outbox_1 (id);
CREATE UNIQUE INDEX event_outbox_2_id_key ON event_outbox_2 (id);
CREATE UNIQUE INDEX event_outbox_3_id_key ON event_outbox_3 (id);

INSERT INTO event_outbox (id, event_id, event_type, event_date_time, environment, event_context,
                          metadata_version, created_at, tx_id)
SELECT id, event_id, event_type, event_date_time, environment, event_context, metadata_version,
       created_at, tx_id
  FROM event_outbox_before_006;
DROP TABLE event_outbox_before_006;

-- As migration 003 had them: new rows are checked, rows copied from before 003 are not (the
-- relay quarantines those it cannot send).
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_event_date_time_range
  CHECK (event_date_time >= timestamptz '1900-01-01 00:00:00+00'
         AND event_date_time < timestamptz '2300-01-01 00:00:00+00') NOT VALID;
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_event_type_not_empty
  CHECK (event_type <> '') NOT VALID;

CREATE VIEW eventlog_unclaimed AS
SELECT o.*
  FROM event_outbox o, eventlog_claim_state s
 WHERE o.id > s.scan_from
   AND NOT pg_visible_in_snapshot(o.tx_id, s.done_snapshot)
   AND (s.page_snapshot IS NULL OR o.id > s.page_after
        OR NOT pg_visible_in_snapshot(o.tx_id, s.page_snapshot));
