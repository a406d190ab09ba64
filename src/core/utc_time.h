#pragma once

#include <cstdint>
#include <string>

namespace eventlog {

// "2024-05-01 12:00:00[.ffffff]" in UTC, with `precision` fractional digits (0: none).
std::string FormatUtcDateTime(int64_t time_us, int precision);

}  // namespace eventlog
