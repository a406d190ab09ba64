#pragma once

#include <vector>

#include "eventlog/config.h"
#include "eventlog/status.h"

namespace eventlog {

// CLICKHOUSE_HOSTS into `out` (unset or empty: left as it is). Errors never show an entry's
// credentials, whatever their form; an entry with credentials is refused.
Status ReadClickHouseHosts(const EnvMap& env, int default_port,
                           std::vector<ClickHouseEndpoint>& out);

}  // namespace eventlog
