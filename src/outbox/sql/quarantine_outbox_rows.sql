-- Outbox rows no ClickHouse time type holds, copied to dead letters. $1 their ids (bigint[]).
INSERT INTO event_dead_letters ({{event_columns}}, error, attempts)
SELECT {{event_columns}},
       'event_date_time ' || event_date_time::text ||
         ' is outside 1900-01-01..2299-12-31: no ClickHouse time type holds it', 0
  FROM event_outbox WHERE id = ANY($1::bigint[])
