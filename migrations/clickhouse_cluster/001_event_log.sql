CREATE DATABASE IF NOT EXISTS {database} ON CLUSTER {cluster};
CREATE TABLE IF NOT EXISTS {database}.{table}_local ON CLUSTER {cluster} (
  event_id UUID,
  event_type String,
  event_date_time {time_type},
  environment String,
  event_context String,
  metadata_version UInt64,
  trace_id String DEFAULT '',
  span_id String DEFAULT ''
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}.{table}_local', '{replica}')
PARTITION BY toYYYYMM(event_date_time)
ORDER BY (event_type, event_date_time)
SETTINGS replicated_deduplication_window = 1000;
CREATE TABLE IF NOT EXISTS {database}.{table} ON CLUSTER {cluster} AS {database}.{table}_local
ENGINE = Distributed({cluster}, {database}, {table}_local, {shard_key})
