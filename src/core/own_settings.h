#pragma once

#include "core/settings.h"

// The settings that read themselves, not as one of the kinds of setting_kinds.h: lists, the
// ClickHouse nodes (whose defaults depend on one another), and values with rules of their own.
namespace eventlog::settings {

Setting Sources();            // EVENTLOG_SOURCES
Setting ClickHouseHost();     // CLICKHOUSE_HOST
Setting ClickHousePort();     // CLICKHOUSE_PORT; REQUIRES: after CLICKHOUSE_PROTOCOL
Setting ClickHouseHosts();    // CLICKHOUSE_HOSTS; REQUIRES: after the protocol, host and port
Setting ClickHouseCluster();  // CLICKHOUSE_CLUSTER
Setting EnvironmentName();    // ENVIRONMENT
Setting LogLevel();           // LOG_LEVEL
Setting LogFormatSetting();   // LOG_FORMAT

}  // namespace eventlog::settings
