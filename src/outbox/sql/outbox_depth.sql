-- What waits for delivery, the one definition of "pending" and its age, for `eventlog status`
-- and the metrics alike: the rows no claim has taken (eventlog_unclaimed, migration 010) plus the
-- events of open batches; the oldest pending event is the oldest of either. No scan of the
-- backlog: ids and a few index lookups.
WITH u AS (SELECT count(*) AS events, min(created_at) AS oldest FROM eventlog_unclaimed),
     b AS (SELECT coalesce(sum(event_count), 0) AS events, count(*) AS open,
                  count(*) FILTER (WHERE attempts > 0) AS retrying,
                  min(oldest_created_at) AS oldest
             FROM eventlog_batches)
SELECT u.events AS unclaimed, u.events + b.events AS pending, b.open AS open_batches,
       b.retrying AS retrying_batches,
       coalesce(extract(epoch FROM now() - least(b.oldest, u.oldest))::float8, 0)
         AS oldest_pending_age_s,
       (SELECT count(*) FROM event_dead_letters) AS dead_letters,
       (SELECT value FROM eventlog_counters WHERE name = 'delivered') AS delivered,
       coalesce((SELECT last_error FROM eventlog_batches WHERE last_error IS NOT NULL
                  ORDER BY updated_at DESC LIMIT 1), '') AS last_error
  FROM u, b
