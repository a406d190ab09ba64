-- The outbox's partitions (migration 006: a ring of generations of ids), as the schema has them.
SELECT inhrelid::regclass::text FROM pg_inherits
 WHERE inhparent = 'event_outbox'::regclass ORDER BY inhrelid
