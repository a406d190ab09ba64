-- $1 events delivered.
UPDATE eventlog_counters SET value = value + $1 WHERE name = 'delivered'
