#pragma once

#include <string>
#include <string_view>

#include "eventlog/status.h"

namespace eventlog {

// `data` as a gzip stream (zlib, fast level): ClickHouse takes INSERT bodies sent with
// `Content-Encoding: gzip`. Worth it where the network, not the CPU, is the limit.
Result<std::string> Gzip(std::string_view data);

}  // namespace eventlog
