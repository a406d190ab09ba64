-- Percentiles of the batches' lags over the last $1 minutes.
SELECT count(*), coalesce(sum(events), 0),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_ms),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY lag_ms),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY lag_ms), max(lag_ms)::float8
  FROM eventlog_delivery_lag WHERE delivered_at > now() - $1 * interval '1 minute'
