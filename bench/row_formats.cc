#include "bench/row_formats.h"

#include <array>
#include <cstdint>
#include <type_traits>

namespace eventlog::bench {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;

template <typename T>
void AppendLittleEndian(std::string& out, T v) {
  auto u = static_cast<std::make_unsigned_t<T>>(v);
  for (size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((u >> (8 * i)) & 0xff);
}

void AppendString(std::string& out, std::string_view s) {
  AppendVarUInt(out, s.size());
  out.append(s);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// floor(a / b) for b > 0: FormatUtcDateTime's rounding, so the binary formats store what the
// TabSeparated text says.
int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : (a - b + 1) / b; }

void AppendTime(std::string& out, int64_t time_us, const TimeColumn& time_column) {
  if (!time_column.is_datetime64) {
    AppendLittleEndian(out, static_cast<uint32_t>(FloorDiv(time_us, kMicrosPerSecond)));
    return;
  }
  int64_t ticks = time_us;
  for (int p = 6; p < time_column.precision; ++p) ticks *= 10;
  int64_t divisor = 1;
  for (int p = time_column.precision; p < 6; ++p) divisor *= 10;
  AppendLittleEndian(out, FloorDiv(ticks, divisor));
}

std::string TimeTypeName(const TimeColumn& time_column) {
  if (!time_column.is_datetime64) return "DateTime";
  return "DateTime64(" + std::to_string(time_column.precision) + ")";
}

Result<std::string> EncodeRowBinary(const std::vector<OutboxRow>& rows,
                                    const TimeColumn& time_column) {
  std::string out;
  out.reserve(rows.size() * 256);
  for (const OutboxRow& r : rows) {
    if (Status s = AppendUuid(out, r.event_id); !s.ok()) return s;
    AppendString(out, r.event_type);
    AppendTime(out, r.event_time_us, time_column);
    AppendString(out, r.environment);
    AppendString(out, r.event_context);
    AppendLittleEndian(out, r.metadata_version);
    AppendString(out, r.trace_id);
    AppendString(out, r.span_id);
  }
  return out;
}

// A Native column's header; its values follow, in their RowBinary encoding.
void AppendColumnHeader(std::string& out, std::string_view name, std::string_view type) {
  AppendString(out, name);
  AppendString(out, type);
}

void AppendStringColumn(std::string& out, std::string_view name, const std::vector<OutboxRow>& rows,
                        std::string OutboxRow::*field) {
  AppendColumnHeader(out, name, "String");
  for (const OutboxRow& r : rows) AppendString(out, r.*field);
}

Result<std::string> EncodeNative(const std::vector<OutboxRow>& rows,
                                 const TimeColumn& time_column) {
  std::string out;
  out.reserve(rows.size() * 256);
  AppendVarUInt(out, 8);  // the columns of kInsertColumns
  AppendVarUInt(out, rows.size());
  AppendColumnHeader(out, "event_id", "UUID");
  for (const OutboxRow& r : rows) {
    if (Status s = AppendUuid(out, r.event_id); !s.ok()) return s;
  }
  AppendStringColumn(out, "event_type", rows, &OutboxRow::event_type);
  AppendColumnHeader(out, "event_date_time", TimeTypeName(time_column));
  for (const OutboxRow& r : rows) AppendTime(out, r.event_time_us, time_column);
  AppendStringColumn(out, "environment", rows, &OutboxRow::environment);
  AppendStringColumn(out, "event_context", rows, &OutboxRow::event_context);
  AppendColumnHeader(out, "metadata_version", "UInt64");
  for (const OutboxRow& r : rows) AppendLittleEndian(out, r.metadata_version);
  AppendStringColumn(out, "trace_id", rows, &OutboxRow::trace_id);
  AppendStringColumn(out, "span_id", rows, &OutboxRow::span_id);
  return out;
}

}  // namespace

const char* FormatName(RowFormat format) {
  switch (format) {
    case RowFormat::kTabSeparated: return "TabSeparated";
    case RowFormat::kRowBinary: return "RowBinary";
    case RowFormat::kNative: return "Native";
  }
  return "TabSeparated";
}

Status AppendUuid(std::string& out, std::string_view text) {
  std::array<uint8_t, 16> bytes{};  // big-endian, as written
  size_t n = 0;
  bool shape = text.size() == 36;
  for (size_t i = 0; shape && i < text.size(); ++i) {
    bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_here) {
      shape = text[i] == '-';
      continue;
    }
    int v = HexValue(text[i]);
    shape = v >= 0;
    if (shape) bytes[n / 2] = static_cast<uint8_t>(bytes[n / 2] << 4 | v);
    ++n;
  }
  if (!shape) {
    return {StatusCode::kInvalidArgument, "event_id \"" + std::string(text.substr(0, 64)) +
                                              "\" is not a UUID (8-4-4-4-12 hex digits)"};
  }
  for (int half = 0; half < 2; ++half) {
    for (int i = 7; i >= 0; --i) out += static_cast<char>(bytes[half * 8 + i]);
  }
  return Status::Ok();
}

void AppendVarUInt(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

Result<std::string> EncodeRows(RowFormat format, const std::vector<OutboxRow>& rows,
                               const TimeColumn& time_column) {
  switch (format) {
    case RowFormat::kTabSeparated: return EncodeForClickHouse(rows, time_column);
    case RowFormat::kRowBinary: return EncodeRowBinary(rows, time_column);
    case RowFormat::kNative: return EncodeNative(rows, time_column);
  }
  return EncodeForClickHouse(rows, time_column);
}

}  // namespace eventlog::bench
