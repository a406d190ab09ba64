#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eventlog {

// Text from a server or a library made fit to store and log: registered secrets masked,
// invalid UTF-8 and NUL bytes replaced by '?' (PostgreSQL refuses both in text), and cut at a
// character boundary to at most `max_bytes` (plus a "..." marker), so an error that echoes a
// whole row cannot bloat a ledger row or a log line.
std::string StoredText(std::string_view text, size_t max_bytes = 2000);

// True when `text` is well-formed UTF-8 without NUL bytes.
bool IsValidUtf8(std::string_view text);

}  // namespace eventlog
