-- Trace contexts (issue 9): each event keeps the W3C trace id and span id of the work that made
-- it (empty when it has none), and takes them to event_log. Adding a column with a constant
-- default rewrites nothing.
ALTER TABLE event_outbox ADD COLUMN IF NOT EXISTS trace_id text NOT NULL DEFAULT '';
ALTER TABLE event_outbox ADD COLUMN IF NOT EXISTS span_id text NOT NULL DEFAULT '';
ALTER TABLE event_dead_letters ADD COLUMN IF NOT EXISTS trace_id text NOT NULL DEFAULT '';
ALTER TABLE event_dead_letters ADD COLUMN IF NOT EXISTS span_id text NOT NULL DEFAULT '';
