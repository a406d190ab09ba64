#pragma once

#include <algorithm>
#include <memory>

#include "clickhouse/cluster_sink.h"
#include "clickhouse/http_client.h"
#include "eventlog/config.h"

namespace eventlog::app {

inline ClickHouseOptions ToClickHouseOptions(const Config& c) {
  ClickHouseOptions o;
  o.protocol = c.clickhouse_protocol;
  o.host = c.clickhouse_host;
  o.port = c.clickhouse_port;
  o.user = c.clickhouse_user;
  o.password = c.clickhouse_password;
  o.database = c.clickhouse_schema;
  o.connect_timeout_ms = c.clickhouse_connect_timeout_ms;
  o.timeout_ms = c.clickhouse_timeout_ms;
  o.proxy = c.clickhouse_proxy;
  const bool all_loopback =
      std::all_of(c.clickhouse_hosts.begin(), c.clickhouse_hosts.end(),
                  [](const ClickHouseEndpoint& node) { return IsLoopbackHost(node.host); });
  o.compress_inserts =
      c.clickhouse_compression == "on" || (c.clickhouse_compression == "auto" && !all_loopback);
  return o;
}

// True when the relay writes to several nodes or a cluster (ClusterSink), not to one node.
inline bool UsesClusterSink(const Config& c) {
  return c.clickhouse_hosts.size() > 1 || !c.clickhouse_cluster.empty();
}

// Where a relay thread writes: ClickHouseSink for the one node of CLICKHOUSE_HOST, ClusterSink
// for CLICKHOUSE_HOSTS or CLICKHOUSE_CLUSTER. `probe` receives the start-up check's result.
inline std::unique_ptr<EventSink> MakeClickHouseSink(const Config& c, ClickHouseOptions options,
                                                     Status& probe) {
  if (!UsesClusterSink(c)) {
    auto sink = std::make_unique<ClickHouseSink>(options, c.clickhouse_event_log_table);
    probe = sink->Probe();
    return sink;
  }
  auto sink = std::make_unique<ClusterSink>(
      ClusterSinkOptions{.base = options,
                         .nodes = c.clickhouse_hosts,
                         .cluster = c.clickhouse_cluster,
                         .table = c.clickhouse_event_log_table,
                         .health_check = std::chrono::milliseconds(c.clickhouse_health_check_ms)});
  probe = sink->Probe();
  return sink;
}

}  // namespace eventlog::app
