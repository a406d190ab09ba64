#pragma once

#include <string>
#include <vector>

#include "core/config.h"
#include "eventlog/status.h"

namespace eventlog {

// CLICKHOUSE_HOST: a name, an IPv4 address, or an IPv6 address (in brackets or bare); host:port
// is refused, naming CLICKHOUSE_PORT (the port comes from CLICKHOUSE_PORT only).
Status CheckClickHouseHost(const std::string& host);

// CLICKHOUSE_HOSTS into `out` (unset or empty: left as it is). Errors never show an entry's
// credentials, whatever their form; an entry with credentials is refused.
Status ReadClickHouseHosts(const EnvMap& env, int default_port,
                           std::vector<ClickHouseEndpoint>& out);

}  // namespace eventlog
