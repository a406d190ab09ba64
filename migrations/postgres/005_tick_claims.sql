-- Claims read the rows that committed between two snapshots (PgQ's ticks) instead of moving
-- every row into the ledger and deleting it (issue 8): the outbox row stays where it was
-- written, a batch records which rows it holds, and delivered rows are deleted later in bulk.
-- Stop every relay of an older version before this migration: an older relay moves rows out
-- of event_outbox, which the new claims do not expect.

-- Every row carries the id of the transaction that wrote it: a claim takes the rows whose
-- transaction had ended by its snapshot and not by the previous claim's.
ALTER TABLE event_outbox ADD COLUMN IF NOT EXISTS tx_id xid8 NOT NULL DEFAULT pg_current_xact_id();

-- A transaction takes its transaction id before it takes an outbox id. So a claim that reads
-- the id sequence and then takes a snapshot knows: a transaction missing from that snapshot
-- (it began later) writes only ids above what it read. That bounds where later claims look.
CREATE OR REPLACE FUNCTION eventlog_next_outbox_id() RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_current_xact_id();
  RETURN nextval('event_outbox_id_seq');
END $$;
ALTER TABLE event_outbox ALTER COLUMN id SET DEFAULT eventlog_next_outbox_id();

-- Where claiming stands (one row):
--   done_snapshot  rows of transactions visible in it are claimed (all of them, in batches)
--   scan_from      every row of a transaction not visible in done_snapshot has a larger id
--   page_snapshot  a tick too big for one batch, taken page by page: its rows with
--   page_after     id <= page_after are claimed too
--   candidate_*    (ids read, then a snapshot's xmax): scan_from rises to candidate_id once
--                  done_snapshot's xmin reaches candidate_xmax
-- The first snapshot, '1:1:', holds no transaction: every row is still to claim.
CREATE TABLE IF NOT EXISTS eventlog_claim_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  done_snapshot pg_snapshot NOT NULL,
  scan_from bigint NOT NULL,
  page_snapshot pg_snapshot,
  page_after bigint,
  candidate_id bigint,
  candidate_xmax xid8
);
INSERT INTO eventlog_claim_state (done_snapshot, scan_from) VALUES ('1:1:', 0)
ON CONFLICT DO NOTHING;

-- A batch is either a tick's slice of event_outbox (the rows with id_after < id <= id_to whose
-- transaction is visible in snap_hi and not in snap_lo; payload NULL) or, once part of it was
-- delivered or it comes from an older version, its remaining rows as a payload.
ALTER TABLE eventlog_batches ALTER COLUMN payload DROP NOT NULL;
ALTER TABLE eventlog_batches ADD COLUMN IF NOT EXISTS snap_lo pg_snapshot;
ALTER TABLE eventlog_batches ADD COLUMN IF NOT EXISTS snap_hi pg_snapshot;
ALTER TABLE eventlog_batches ADD COLUMN IF NOT EXISTS id_after bigint;
ALTER TABLE eventlog_batches ADD COLUMN IF NOT EXISTS id_to bigint;

-- The outbox rows no claim has taken yet (committed ones: a reader sees no others), for
-- `eventlog status` and for tests.
CREATE OR REPLACE VIEW eventlog_unclaimed AS
SELECT o.*
  FROM event_outbox o, eventlog_claim_state s
 WHERE o.id > s.scan_from
   AND NOT pg_visible_in_snapshot(o.tx_id, s.done_snapshot)
   AND (s.page_snapshot IS NULL OR o.id > s.page_after
        OR NOT pg_visible_in_snapshot(o.tx_id, s.page_snapshot));

-- Backends must not hold ids taken before their transaction began (see eventlog_next_outbox_id).
ALTER SEQUENCE event_outbox_id_seq CACHE 1;
