-- Moves the dead letters the filter ($1 all, $2 event_type or NULL, $3 ids or NULL) names back
-- into event_outbox in the order they failed, except those the outbox would refuse (its CHECK
-- constraints): an unreadable row (raw_row) or a time no ClickHouse type holds stays a dead letter.
WITH moved AS (DELETE FROM event_dead_letters
                WHERE {{dead_letter_filter}} AND raw_row IS NULL AND event_type <> ''
                  AND {{storable_time}}
               RETURNING id, {{event_columns}})
INSERT INTO event_outbox ({{event_columns}})
SELECT {{event_columns}} FROM moved ORDER BY id
