#pragma once

#include <memory>

#include "clickhouse/http_client.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/event_sink.h"
#include "eventlog/status.h"

// What the settings say of ClickHouse, made into its options and sinks: the policy that the
// apps only call. Thread-compatible (no state).
namespace eventlog {

// The client options of Config's CLICKHOUSE_* settings, for its first node. Compression "auto"
// is on unless every node is loopback (there gzip only costs CPU).
ClickHouseOptions ToClickHouseOptions(const Config& config);

// True when the relay writes to several nodes or a cluster (ClusterSink), not to one node.
bool UsesClusterSink(const Config& config);

// Where a relay thread writes: ClickHouseSink for the one node of CLICKHOUSE_HOST, ClusterSink
// for CLICKHOUSE_HOSTS or CLICKHOUSE_CLUSTER, timing its health checks on `clock`. `probe`
// receives the start-up check's result.
std::unique_ptr<EventSink> MakeClickHouseSink(const Config& config, ClickHouseOptions options,
                                              Clock& clock, Status& probe);

// Where `migrate` runs its ClickHouse DDL: the first node of CLICKHOUSE_HOSTS that answers (a
// cluster's DDL runs ON CLUSTER from there), connected to database `default` (CLICKHOUSE_SCHEMA
// may not exist yet: the migration creates it). Else the last node's error, naming the node.
Result<ClickHouseOptions> MigrationNode(const Config& config);

}  // namespace eventlog
