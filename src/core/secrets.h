#pragma once

#include <string>
#include <string_view>

namespace eventlog {

// Passwords the process knows (PostgreSQL's and ClickHouse's), so that no error message from a
// server or a library can carry one into a log line, a ledger row or the terminal. Thread-safe.

// Remembers `secret` (ignored when shorter than 3 bytes: masking "ab" everywhere would only
// garble text). Masked as given and in its URL-encoded forms.
void RegisterSecret(std::string_view secret);

// `text` with every registered secret replaced by "***".
std::string ScrubSecrets(std::string_view text);

}  // namespace eventlog
