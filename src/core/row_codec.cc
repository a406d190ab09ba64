#include "core/row_codec.h"

#include <charconv>
#include <cstdio>

#include "core/uuid7.h"

namespace eventlog {
namespace {

// A ledger line: the six event columns, then the trace and span ids (lines written before
// trace contexts have six fields and read as events without one).
constexpr size_t kLedgerFields = 8;
constexpr size_t kLedgerFieldsWithoutTrace = 6;

// Howard Hinnant's civil_from_days: days since 1970-01-01 -> year, month, day.
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

template <typename T>
bool ParseInt(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::vector<std::string_view> SplitTsvFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '\t') {
      fields.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return fields;
}

Result<TimeColumn> ParseTimeColumnType(std::string_view type) {
  if (type.starts_with("DateTime64")) {
    TimeColumn c{true, 3};  // DateTime64 without arguments has precision 3
    auto open = type.find('(');
    if (open != std::string_view::npos) {
      int p = 0;
      auto digits = type.substr(open + 1);
      auto end = digits.find_first_not_of("0123456789");
      if (!ParseInt(digits.substr(0, end), p) || p < 0 || p > 9) {
        return Status(StatusCode::kFailedPrecondition,
                      "cannot read the precision of " + std::string(type));
      }
      c.precision = p;
    }
    return c;
  }
  if (type.starts_with("DateTime")) return TimeColumn{false, 0};
  return Status(StatusCode::kFailedPrecondition, "event_date_time has type " + std::string(type) +
                                                     ", expected DateTime64 or DateTime");
}

void AppendTsvEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      default: out.push_back(c);
    }
  }
}

std::string TsvUnescape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\' || i + 1 == value.size()) {
      out.push_back(value[i]);
      continue;
    }
    char c = value[++i];
    switch (c) {
      case 't': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'b': out.push_back('\b'); break;  // ClickHouse's output escapes these two as well
      case 'f': out.push_back('\f'); break;
      case 'r': out.push_back('\r'); break;
      case '0': out.push_back('\0'); break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string FormatUtcDateTime(int64_t time_us, int precision) {
  int64_t secs = time_us >= 0 ? time_us / 1000000 : (time_us - 999999) / 1000000;
  int64_t frac_us = time_us - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t sod = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld",
                        static_cast<long long>(y), m, d, static_cast<long long>(sod / 3600),
                        static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (precision > 0) {
    std::snprintf(buf, sizeof buf, "%06lld000", static_cast<long long>(frac_us));
    out += '.';
    out.append(buf, static_cast<size_t>(precision));
  }
  return out;
}

std::string EncodeForClickHouse(const std::vector<OutboxRow>& rows, const TimeColumn& time_column) {
  std::string out;
  out.reserve(rows.size() * 160);
  int precision = time_column.is_datetime64 ? time_column.precision : 0;
  for (const OutboxRow& r : rows) {
    out += r.event_id;
    out += '\t';
    AppendTsvEscaped(out, r.event_type);
    out += '\t';
    out += FormatUtcDateTime(r.event_time_us, precision);
    out += '\t';
    AppendTsvEscaped(out, r.environment);
    out += '\t';
    AppendTsvEscaped(out, r.event_context);
    out += '\t';
    out += std::to_string(r.metadata_version);
    out += '\t';
    AppendTsvEscaped(out, r.trace_id);
    out += '\t';
    AppendTsvEscaped(out, r.span_id);
    out += '\n';
  }
  return out;
}

std::string EncodeLedgerPayload(const std::vector<OutboxRow>& rows) {
  std::string out;
  out.reserve(rows.size() * 160);
  for (const OutboxRow& r : rows) {
    AppendTsvEscaped(out, r.event_id);
    out += '\t';
    AppendTsvEscaped(out, r.event_type);
    out += '\t';
    out += std::to_string(r.event_time_us);
    out += '\t';
    AppendTsvEscaped(out, r.environment);
    out += '\t';
    AppendTsvEscaped(out, r.event_context);
    out += '\t';
    out += std::to_string(r.metadata_version);
    out += '\t';
    AppendTsvEscaped(out, r.trace_id);
    out += '\t';
    AppendTsvEscaped(out, r.span_id);
    out += '\n';
  }
  return out;
}

DecodedPayload DecodeLedgerPayload(std::string_view payload) {
  DecodedPayload out;
  size_t start = 0;
  for (int line_no = 1; start < payload.size(); ++line_no) {
    size_t end = payload.find('\n', start);
    if (end == std::string_view::npos) end = payload.size();
    std::string_view line = payload.substr(start, end - start);
    start = end + 1;
    auto fields = SplitTsvFields(line);
    OutboxRow r;
    std::string error;
    if (fields.size() != kLedgerFields && fields.size() != kLedgerFieldsWithoutTrace) {
      error = "has " + std::to_string(fields.size()) + " fields, expected 8 (or 6)";
    } else if (!ParseInt(fields[2], r.event_time_us) || !ParseInt(fields[5], r.metadata_version)) {
      error = "has a malformed time or metadata_version";
    } else if (r.event_id = TsvUnescape(fields[0]); !IsUuidText(r.event_id)) {
      error = "has an event_id that is not a UUID";
    }
    if (!error.empty()) {
      out.unreadable.push_back(
          {std::string(line), "batch payload line " + std::to_string(line_no) + " " + error});
      continue;
    }
    r.event_type = TsvUnescape(fields[1]);
    r.environment = TsvUnescape(fields[3]);
    r.event_context = TsvUnescape(fields[4]);
    if (fields.size() == kLedgerFields) {
      r.trace_id = TsvUnescape(fields[6]);
      r.span_id = TsvUnescape(fields[7]);
    }
    out.rows.push_back(std::move(r));
  }
  return out;
}

}  // namespace eventlog
