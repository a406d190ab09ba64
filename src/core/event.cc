#include "eventlog/event.h"

#include <array>
#include <cctype>
#include <random>

#include "core/uuid7.h"

namespace eventlog {
namespace {

// 1970-01-01 .. 2105-12-31 23:59:59: what both DateTime (UInt32 seconds) and DateTime64 hold.
constexpr int64_t kMaxEventTimeUs = 4291747199LL * 1000000;

bool IsSnakeCase(std::string_view s) {
  if (s.empty() || !std::islower(static_cast<unsigned char>(s.front()))) return false;
  for (char c : s) {
    if (!std::islower(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c)) && c != '_')
      return false;
  }
  return true;
}

bool IsLowerHex(std::string_view s, size_t size) {
  if (s.size() != size) return false;
  bool all_zero = true;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
    all_zero = all_zero && c == '0';
  }
  return !all_zero;
}

std::string RandomHex(size_t digits) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  while (out.size() < digits) {
    uint64_t bits = rng();
    for (int i = 0; i < 16 && out.size() < digits; ++i, bits >>= 4) out.push_back(kHex[bits & 15]);
  }
  return IsLowerHex(out, digits) ? out : RandomHex(digits);  // all zero is invalid
}

}  // namespace

std::optional<TraceContext> ParseTraceparent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" flags; a future version may append "-" fields.
  if (header.size() < 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') {
    return std::nullopt;
  }
  std::string_view version = header.substr(0, 2);
  if (!std::isxdigit(static_cast<unsigned char>(version[0])) ||
      !std::isxdigit(static_cast<unsigned char>(version[1])) || version == "ff") {
    return std::nullopt;
  }
  if (version == "00" && header.size() != 55) return std::nullopt;
  if (header.size() > 55 && header[55] != '-') return std::nullopt;
  TraceContext t{std::string(header.substr(3, 32)), std::string(header.substr(36, 16))};
  std::string_view flags = header.substr(53, 2);
  bool flags_ok = std::isxdigit(static_cast<unsigned char>(flags[0])) &&
                  std::isxdigit(static_cast<unsigned char>(flags[1]));
  if (!flags_ok || !IsLowerHex(t.trace_id, 32) || !IsLowerHex(t.span_id, 16)) return std::nullopt;
  return t;
}

TraceContext NewTrace() { return {RandomHex(32), RandomHex(16)}; }

TraceContext ChildSpan(const TraceContext& parent) { return {parent.trace_id, RandomHex(16)}; }

std::string ToSnakeCase(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 4);
  auto is_upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
  auto is_lower = [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '-' || c == ' ' || c == '.') c = '_';
    if (is_upper(c)) {
      bool prev_lower_or_digit =
          i > 0 && (is_lower(name[i - 1]) || std::isdigit(static_cast<unsigned char>(name[i - 1])));
      bool acronym_end =
          i > 0 && is_upper(name[i - 1]) && i + 1 < name.size() && is_lower(name[i + 1]);
      if ((prev_lower_or_digit || acronym_end) && !out.empty() && out.back() != '_')
        out.push_back('_');
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (c == '_') {
      if (!out.empty() && out.back() != '_') out.push_back('_');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

Event MakeEvent(std::string_view name, nlohmann::json context) {
  Event e;
  e.type = ToSnakeCase(name);
  auto now = std::chrono::system_clock::now();
  e.timestamp = std::chrono::time_point_cast<std::chrono::microseconds>(now);
  e.context = std::move(context);
  e.event_id = NewUuid7(now);
  return e;
}

Result<OutboxRow> ToOutboxRow(const Event& event, std::string_view environment,
                              size_t max_event_bytes) {
  if (!IsSnakeCase(event.type)) {
    return Status(StatusCode::kInvalidArgument,
                  "event type \"" + event.type + "\" is not snake_case (e.g. user_created)");
  }
  if (!event.context.is_object()) {
    return Status(StatusCode::kInvalidArgument, "event context of " + event.type +
                                                    " is not a JSON object but " +
                                                    event.context.type_name());
  }
  if (!IsUuidText(event.event_id)) {
    return Status(StatusCode::kInvalidArgument,
                  "event_id \"" + event.event_id + "\" is not a UUID");
  }
  int64_t time_us = event.timestamp.time_since_epoch().count();
  if (time_us < 0 || time_us > kMaxEventTimeUs) {
    return Status(StatusCode::kInvalidArgument,
                  "event timestamp of " + event.type + " is outside 1970..2105");
  }
  OutboxRow row;
  row.event_context = event.context.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (row.event_context.size() > max_event_bytes) {
    return Status(StatusCode::kInvalidArgument,
                  "event context of " + event.type + " is " +
                      std::to_string(row.event_context.size()) + " bytes, over the limit of " +
                      std::to_string(max_event_bytes) + " (EVENTLOG_MAX_EVENT_BYTES)");
  }
  row.event_id = event.event_id;
  row.event_type = event.type;
  row.event_time_us = time_us;
  row.environment = std::string(environment);
  row.metadata_version = event.metadata_version;
  if (event.trace) {
    if (!IsLowerHex(event.trace->trace_id, 32) || !IsLowerHex(event.trace->span_id, 16)) {
      return Status(StatusCode::kInvalidArgument,
                    "trace context of " + event.type +
                        " is not a W3C one (32 and 16 lowercase hex digits, not all zero)");
    }
    row.trace_id = event.trace->trace_id;
    row.span_id = event.trace->span_id;
  }
  return row;
}

}  // namespace eventlog
