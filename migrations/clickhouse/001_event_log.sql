CREATE DATABASE IF NOT EXISTS {database};
CREATE TABLE IF NOT EXISTS {database}.{table} (
  event_id UUID,
  event_type String,
  event_date_time {time_type},
  environment String,
  event_context String,
  metadata_version UInt64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(event_date_time)
ORDER BY (event_type, event_date_time)
