#pragma once

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "eventlog/event.h"

namespace eventlog {

// TabSeparated as ClickHouse reads and writes it: the escaping both the INSERT bodies and the
// batch ledger's payload use.

// The fields of one TabSeparated line (still escaped).
std::vector<std::string_view> SplitTsvFields(std::string_view line);

// TabSeparated escaping as ClickHouse reads it: \\ \t \n \r \0.
void AppendTsvEscaped(std::string& out, std::string_view value);
std::string TsvUnescape(std::string_view value);

// One event as a TabSeparated line, in kInsertColumns' order (the INSERT body and the batch
// ledger both use it), with its time written as `time_text`.
void AppendEventTsvLine(std::string& out, const OutboxRow& r, std::string_view time_text);

// A whole field as an integer; false when it is not one (or does not fit `T`).
template <typename T>
bool ParseInt(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// The lines of a TabSeparated answer of integers (empty lines skipped); kInternal quoting the
// first line that is not all integers (its first 200 bytes).
Result<std::vector<std::vector<int64_t>>> ReadTsvIntegers(std::string_view body);

}  // namespace eventlog
