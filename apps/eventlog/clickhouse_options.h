#pragma once

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
  o.compress_inserts = c.clickhouse_compression == "on" ||
                       (c.clickhouse_compression == "auto" && !IsLoopbackHost(c.clickhouse_host));
  return o;
}

}  // namespace eventlog::app
