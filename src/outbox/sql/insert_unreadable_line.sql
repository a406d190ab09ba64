-- A damaged ledger line, kept as text. $1 raw_row, $2 error, $3 attempts.
INSERT INTO event_dead_letters (raw_row, error, attempts) VALUES ($1, $2, $3)
