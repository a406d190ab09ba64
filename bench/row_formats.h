#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "clickhouse/clickhouse_rows.h"
#include "eventlog/event.h"
#include "eventlog/status.h"

// Event rows in ClickHouse's input formats, for the bench's side-by-side INSERT of the same rows
// (issue 16, "fewer bytes through ClickHouse's parser"). Every encoding holds the columns of
// kInsertColumns in that order, as EncodeForClickHouse's TabSeparated does. Thread-safe (pure).
namespace eventlog::bench {

enum class RowFormat { kTabSeparated, kRowBinary, kNative };
inline constexpr RowFormat kRowFormats[] = {RowFormat::kTabSeparated, RowFormat::kRowBinary,
                                            RowFormat::kNative};

// The name for `INSERT ... FORMAT <name>`: "TabSeparated", "RowBinary", "Native".
const char* FormatName(RowFormat format);

// Appends a UUID's 16 bytes in ClickHouse's binary layout: its high 64 bits, then its low 64
// bits, each little-endian ("01234567-89ab-cdef-..." starts ef cd ab 89 67 45 23 01).
// kInvalidArgument (out unchanged) unless `text` is 8-4-4-4-12 hex digits.
Status AppendUuid(std::string& out, std::string_view text);

// Appends `v` as an unsigned LEB128 varint, the length prefix of ClickHouse's binary String.
void AppendVarUInt(std::string& out, uint64_t v);

// `rows` in `format`. RowBinary: per row, UUID as above, String as varint length + bytes,
// DateTime as UInt32 seconds, DateTime64(p) as Int64 ticks of 10^-p s, UInt64 little-endian.
// Native: one block (column count, row count, then per column its name, its type and its values
// in the RowBinary encoding); the time column's type is DateTime or DateTime64(p).
// kInvalidArgument when an event_id is not a UUID.
Result<std::string> EncodeRows(RowFormat format, const std::vector<OutboxRow>& rows,
                               const TimeColumn& time_column);

}  // namespace eventlog::bench
