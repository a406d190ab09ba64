#include "clickhouse/sink_choice.h"

#include <algorithm>
#include <chrono>

#include "clickhouse/clickhouse_sink.h"
#include "clickhouse/cluster_sink.h"

namespace eventlog {

ClickHouseOptions ToClickHouseOptions(const Config& c) {
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

bool UsesClusterSink(const Config& c) {
  return c.clickhouse_hosts.size() > 1 || !c.clickhouse_cluster.empty();
}

std::unique_ptr<EventSink> MakeClickHouseSink(const Config& c, ClickHouseOptions options,
                                              Clock& clock, Status& probe) {
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
                         .health_check = std::chrono::milliseconds(c.clickhouse_health_check_ms)},
      &clock);
  probe = sink->Probe();
  return sink;
}

Result<ClickHouseOptions> MigrationNode(const Config& config) {
  ClickHouseOptions options = ToClickHouseOptions(config);
  options.database = "default";
  Status last;
  for (const ClickHouseEndpoint& node : config.clickhouse_hosts) {
    options.host = node.host;
    options.port = node.port;
    ClickHouseClient client(options);
    auto r = client.Execute("SELECT 1");
    if (r.ok()) return options;
    last = Status(r.status().code(), node.ToString() + ": " + r.status().message());
  }
  return last;
}

}  // namespace eventlog
