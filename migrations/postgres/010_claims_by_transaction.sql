-- Claims find a tick's rows by their transaction, and the outbox contract is enforced (issue 15).
--
-- A tick's rows are those whose transaction its snapshot sees committed and the previous tick's
-- snapshot did not: a transaction the previous snapshot listed as running (its xip) that has
-- ended since, or one that began after it (tx_id >= its xmax) and has ended. An index on
-- (tx_id, id) finds exactly those rows, so a claim reads the rows it takes and hardly any other,
-- however many rows committed behind a transaction held open for hours. (Before, claims scanned
-- ids above a bound that such a transaction held back, and that bound's bookkeeping could stall
-- for good after a tick of exactly N x the row cap.) Ids no longer matter to the claim: only
-- tx_id does, and a CHECK makes every new row carry its own transaction's id.
--
-- Stop every relay of an older version before this migration (they fail on the dropped columns).

CREATE INDEX IF NOT EXISTS event_outbox_tx_id_id_idx ON event_outbox (tx_id, id);

-- The ranges of transaction ids whose rows belong to the tick from snapshot `done` to `tick`,
-- in ascending order, disjoint: one range per transaction `done` saw running and `tick` sees
-- committed, then the ids `done` had not seen start, less those `tick` sees running.
CREATE OR REPLACE FUNCTION eventlog_tick_ranges(done pg_snapshot, tick pg_snapshot)
RETURNS TABLE (lo xid8, hi xid8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lo, hi FROM (
    SELECT x AS lo, (x::text::numeric + 1)::text::xid8 AS hi
      FROM pg_snapshot_xip(done) x
     WHERE pg_visible_in_snapshot(x, tick)
    UNION ALL
    SELECT coalesce(((lag(b) OVER (ORDER BY b))::text::numeric + 1)::text::xid8,
                    pg_snapshot_xmax(done)),
           b
      FROM (SELECT x AS b FROM pg_snapshot_xip(tick) x WHERE x >= pg_snapshot_xmax(done)
            UNION ALL SELECT pg_snapshot_xmax(tick)) bounds
  ) r
  WHERE lo < hi
  ORDER BY lo
$$;

-- Where claiming stands now: done_snapshot (every committed row it sees is claimed) and, while a
-- tick too big for one batch is taken page by page, page_snapshot with the last row claimed so far
-- in (tx_id, id) order. scan_from and the candidate bound are gone with the id scan.
ALTER TABLE eventlog_claim_state ADD COLUMN IF NOT EXISTS page_after_tx xid8;
ALTER TABLE eventlog_claim_state ADD COLUMN IF NOT EXISTS page_after_id bigint;

-- A slice batch now names its first and last row in (tx_id, id) order; id_after/id_to become the
-- hull of its ids (what partition truncation checks). Slices written before keep their meaning
-- (first_tx NULL: the rows with id_after < id <= id_to between the two snapshots).
ALTER TABLE eventlog_batches ADD COLUMN IF NOT EXISTS first_tx xid8;
ALTER TABLE eventlog_batches ADD COLUMN IF NOT EXISTS first_id bigint;
ALTER TABLE eventlog_batches ADD COLUMN IF NOT EXISTS last_tx xid8;
ALTER TABLE eventlog_batches ADD COLUMN IF NOT EXISTS last_id bigint;

-- A tick the old claims were paging through: its remaining rows become batches of the old kind,
-- due at once (10,000 rows each, in id order), and the tick is done.
DO $$
DECLARE
  s record;
BEGIN
  SELECT * INTO s FROM eventlog_claim_state FOR UPDATE;
  IF s.page_snapshot IS NULL THEN RETURN; END IF;
  INSERT INTO eventlog_batches (lease_token, owner, lease_until, event_count, oldest_created_at,
                                payload, snap_lo, snap_hi, id_after, id_to)
  SELECT nextval('eventlog_lease_token_seq'), NULL, now(), count(*), min(created_at), NULL,
         s.done_snapshot, s.page_snapshot, min(id) - 1, max(id)
    FROM (SELECT id, created_at, (row_number() OVER (ORDER BY id) - 1) / 10000 AS chunk
            FROM event_outbox
           WHERE id > greatest(s.scan_from, s.page_after)
             AND pg_visible_in_snapshot(tx_id, s.page_snapshot)
             AND NOT pg_visible_in_snapshot(tx_id, s.done_snapshot)) rest
   GROUP BY chunk;
  UPDATE eventlog_claim_state SET done_snapshot = page_snapshot, page_snapshot = NULL;
END $$;

DROP VIEW IF EXISTS eventlog_unclaimed;
ALTER TABLE eventlog_claim_state DROP COLUMN IF EXISTS scan_from;
ALTER TABLE eventlog_claim_state DROP COLUMN IF EXISTS page_after;
ALTER TABLE eventlog_claim_state DROP COLUMN IF EXISTS candidate_id;
ALTER TABLE eventlog_claim_state DROP COLUMN IF EXISTS candidate_xmax;

-- The outbox rows no claim has taken yet (committed ones: a reader sees no others): the one
-- definition of "unclaimed", for `eventlog status`, the metrics and tests. Exact in every state,
-- in the middle of a paged tick too.
CREATE VIEW eventlog_unclaimed AS
SELECT o.*
  FROM event_outbox o
 WHERE (o.tx_id >= (SELECT pg_snapshot_xmax(done_snapshot) FROM eventlog_claim_state)
        OR o.tx_id = ANY ((SELECT array_agg(x)
                             FROM eventlog_claim_state, pg_snapshot_xip(done_snapshot) x)::xid8[]))
   AND NOT EXISTS (SELECT 1 FROM eventlog_claim_state s
                    WHERE pg_visible_in_snapshot(o.tx_id, s.page_snapshot)
                      AND (o.tx_id, o.id) <= (s.page_after_tx, s.page_after_id));

-- Ids are only an order now: a plain sequence default, no function call per row.
ALTER TABLE event_outbox ALTER COLUMN id SET DEFAULT nextval('event_outbox_id_seq');

-- The contract, enforced on every new row (NOT VALID: rows already there, and rows a dump
-- restores before these constraints, are not rechecked):
-- * tx_id is the writing transaction's own id. An older one would look claimed already and a
--   newer one never committed: either way the event would be lost without a word.
-- * id comes from the sequence. An id above it would break a later writer's insert.
ALTER TABLE event_outbox DROP CONSTRAINT IF EXISTS event_outbox_tx_id_is_the_writers;
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_tx_id_is_the_writers
  CHECK (tx_id = pg_current_xact_id()) NOT VALID;
ALTER TABLE event_outbox DROP CONSTRAINT IF EXISTS event_outbox_id_from_the_sequence;
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_id_from_the_sequence
  CHECK (id > 0 AND id <= pg_sequence_last_value('event_outbox_id_seq')) NOT VALID;

-- After a dump is restored into another cluster (whose transaction counter is lower), the claim
-- state and the rows' tx_id name transactions this server has not reached, and claims refuse to
-- run. With every relay stopped, SELECT eventlog_rebase_claims() translates them: rows no claim
-- took get this transaction's id (the next tick takes them), each open slice batch's rows get an
-- id of their own below every live transaction (the batch keeps exactly its rows), rows already
-- claimed and delivered go, and the claim state starts from this transaction's snapshot.
CREATE OR REPLACE FUNCTION eventlog_rebase_claims() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  me xid8 := pg_current_xact_id();
  b record;
  k bigint := 3;  -- the first normal transaction id; slices get 4, 5, ...
  slices bigint := 0;
  unclaimed bigint;
  dropped bigint;
BEGIN
  LOCK TABLE eventlog_claim_state, eventlog_batches IN EXCLUSIVE MODE;
  LOCK TABLE event_outbox IN EXCLUSIVE MODE;  -- writers wait until this commits
  PERFORM 1 FROM eventlog_claim_state FOR UPDATE;
  IF NOT EXISTS (SELECT 1 FROM eventlog_claim_state
                  WHERE pg_snapshot_xmax(coalesce(page_snapshot, done_snapshot))
                        > pg_snapshot_xmax(pg_current_snapshot()))
     AND NOT EXISTS (SELECT 1 FROM event_outbox
                      WHERE tx_id >= pg_snapshot_xmax(pg_current_snapshot())) THEN
    RAISE EXCEPTION 'eventlog_rebase_claims: the claim state and the outbox belong to this '
      'cluster already; nothing to do' USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  CREATE TEMP TABLE eventlog_rebase (id bigint PRIMARY KEY, tx xid8 NOT NULL) ON COMMIT DROP;
  FOR b IN SELECT * FROM eventlog_batches WHERE payload IS NULL ORDER BY batch_id LOOP
    k := k + 1;
    INSERT INTO eventlog_rebase
    SELECT o.id, k::text::xid8 FROM event_outbox o
     WHERE o.id > b.id_after AND o.id <= b.id_to
       AND pg_visible_in_snapshot(o.tx_id, b.snap_hi) AND NOT pg_visible_in_snapshot(o.tx_id, b.snap_lo)
       AND (b.first_tx IS NULL OR ((o.tx_id, o.id) >= (b.first_tx, b.first_id)
                                   AND (o.tx_id, o.id) <= (b.last_tx, b.last_id)));
    UPDATE eventlog_batches
       SET snap_lo = (k || ':' || k || ':')::pg_snapshot,
           snap_hi = ((k + 1) || ':' || (k + 1) || ':')::pg_snapshot,
           first_tx = k::text::xid8, last_tx = k::text::xid8,
           first_id = coalesce((SELECT min(id) FROM eventlog_rebase WHERE tx = k::text::xid8), 0),
           last_id = coalesce((SELECT max(id) FROM eventlog_rebase WHERE tx = k::text::xid8), 0)
     WHERE batch_id = b.batch_id;
    UPDATE eventlog_batches SET id_after = first_id - 1, id_to = last_id WHERE batch_id = b.batch_id;
    slices := slices + 1;
  END LOOP;
  IF k + 1 >= pg_snapshot_xmin(pg_current_snapshot())::text::bigint THEN
    RAISE EXCEPTION 'eventlog_rebase_claims: too many open slice batches (%) for this cluster''s '
      'transaction counter', slices;
  END IF;
  -- Unclaimed: rows no claim took before the dump, and rows written in this cluster since the
  -- restore (their tx_id is their own row's xmin; a restored row's xmin is the restore's).
  INSERT INTO eventlog_rebase
  SELECT id, me FROM eventlog_unclaimed
  UNION
  SELECT id, me FROM event_outbox o
   WHERE o.tx_id::text::numeric % 4294967296 = o.xmin::text::numeric
  ON CONFLICT (id) DO NOTHING;
  GET DIAGNOSTICS unclaimed = ROW_COUNT;
  ALTER TABLE event_outbox DROP CONSTRAINT event_outbox_tx_id_is_the_writers;
  UPDATE event_outbox o SET tx_id = r.tx FROM eventlog_rebase r WHERE o.id = r.id;
  DELETE FROM event_outbox o WHERE NOT EXISTS (SELECT 1 FROM eventlog_rebase r WHERE r.id = o.id);
  GET DIAGNOSTICS dropped = ROW_COUNT;
  ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_tx_id_is_the_writers
    CHECK (tx_id = pg_current_xact_id()) NOT VALID;
  UPDATE eventlog_claim_state
     SET done_snapshot = pg_current_snapshot(), page_snapshot = NULL, page_after_tx = NULL,
         page_after_id = NULL;
  RETURN format('%s unclaimed rows kept for the next claim, %s open slice batches kept, '
                '%s claimed rows removed', unclaimed, slices, dropped);
END $$;
