#pragma once

#include <chrono>
#include <string>

namespace eventlog {

// A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits, as canonical lowercase
// text. Ids made later sort after earlier ones (within a process, also within one millisecond).
std::string NewUuid7(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// True for 8-4-4-4-12 hexadecimal text.
bool IsUuidText(std::string_view text);

}  // namespace eventlog
