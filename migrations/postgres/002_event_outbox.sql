-- Events written in the business transaction, already converted to their final row.
CREATE TABLE IF NOT EXISTS event_outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  event_date_time timestamptz NOT NULL,
  environment text NOT NULL,
  event_context text NOT NULL,
  metadata_version bigint NOT NULL DEFAULT 1 CHECK (metadata_version >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The batch ledger: a claim moves rows out of event_outbox into one batch row (payload =
-- the rows as TSV). A batch lives here until ClickHouse holds all of its rows.
CREATE SEQUENCE IF NOT EXISTS eventlog_lease_token_seq;
CREATE TABLE IF NOT EXISTS eventlog_batches (
  batch_id bigserial PRIMARY KEY,
  lease_token bigint NOT NULL,
  owner text,
  lease_until timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  rejections integer NOT NULL DEFAULT 0,
  event_count integer NOT NULL,
  oldest_created_at timestamptz NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  payload text NOT NULL
);
CREATE INDEX IF NOT EXISTS eventlog_batches_lease_until_idx ON eventlog_batches (lease_until);

-- Rows ClickHouse refused on their last allowed attempt, with the reason. `eventlog requeue`
-- moves them back into event_outbox.
CREATE TABLE IF NOT EXISTS event_dead_letters (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  event_date_time timestamptz NOT NULL,
  environment text NOT NULL,
  event_context text NOT NULL,
  metadata_version bigint NOT NULL,
  error text NOT NULL,
  attempts integer NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS event_dead_letters_type_idx ON event_dead_letters (event_type);

CREATE TABLE IF NOT EXISTS eventlog_counters (
  name text PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO eventlog_counters (name, value) VALUES ('delivered', 0) ON CONFLICT DO NOTHING;
