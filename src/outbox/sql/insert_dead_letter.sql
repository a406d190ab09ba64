-- An event the relay gave up on. $1..$8 the event's columns ($3: microseconds since the epoch),
-- $9 error, $10 attempts.
INSERT INTO event_dead_letters ({{event_columns}}, error, attempts)
VALUES ($1::uuid, $2, timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4, $5, $6, $7,
        $8, $9, $10)
