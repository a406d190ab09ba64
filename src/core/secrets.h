#pragma once

#include <string>
#include <string_view>

namespace eventlog {

// Passwords the process knows (PostgreSQL's and ClickHouse's), so that no error message from a
// server or a library can carry one into a log line, a ledger row or the terminal. Thread-safe.

// Remembers `secret` (ignored when shorter than 3 bytes: masking "ab" everywhere would only
// garble text). Masked as given, percent-encoded (either hex case; with or without
// encodeURIComponent's raw !*'(); a space as %20 or +) and backslash-escaped (quotes and
// backslashes, as JSON, SQL and libpq's key=value form write them). Registering twice is a
// no-op.
void RegisterSecret(std::string_view secret);

// `text` with every registered secret replaced by "***".
std::string ScrubSecrets(std::string_view text);

}  // namespace eventlog
