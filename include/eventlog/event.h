#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "eventlog/status.h"

namespace eventlog {

// The W3C Trace Context of the work that made an event (https://www.w3.org/TR/trace-context/):
// stored with the event, so an analyst goes from an event_log row to the request's trace.
struct TraceContext {
  std::string trace_id;  // 32 lowercase hex digits, not all zero
  std::string span_id;   // 16 lowercase hex digits, not all zero: the span that made the event

  bool operator==(const TraceContext&) const = default;
};

// The context of a `traceparent` header ("00-<trace id>-<parent span id>-<flags>"); nullopt
// when it is absent or malformed (the W3C rule: then start a new trace). The span id is the
// caller's (the parent's); a server makes its own with ChildSpan.
std::optional<TraceContext> ParseTraceparent(std::string_view header);
// A new trace: random trace and span ids.
TraceContext NewTrace();
// A span of the same trace, with a new random span id.
TraceContext ChildSpan(const TraceContext& parent);

// A business event as the application creates it.
struct Event {
  std::string type;                                            // snake_case, e.g. "user_created"
  std::chrono::sys_time<std::chrono::microseconds> timestamp;  // UTC
  nlohmann::json context = nlohmann::json::object();           // must be a JSON object
  uint64_t metadata_version = 1;
  std::string event_id;               // UUIDv7 text, unique and time-ordered
  std::optional<TraceContext> trace;  // none: stored as empty trace and span ids
};

// Builds an event named after `name` ("UserCreated" -> "user_created"), stamped now with a
// fresh UUIDv7.
Event MakeEvent(std::string_view name, nlohmann::json context);

// "UserCreated" -> "user_created"; "HTTPRequestFailed" -> "http_request_failed".
std::string ToSnakeCase(std::string_view name);

// An event converted to exactly what ClickHouse stores, fixed at enqueue time.
struct OutboxRow {
  std::string event_id;
  std::string event_type;
  int64_t event_time_us = 0;  // microseconds since the Unix epoch, UTC
  std::string environment;
  std::string event_context;  // JSON object text
  uint64_t metadata_version = 1;
  std::string trace_id;  // empty when the event has no trace context
  std::string span_id;

  bool operator==(const OutboxRow&) const = default;
};

// Validates `event` and converts it to its row. Refuses (kInvalidArgument) a context that is
// not a JSON object or whose text exceeds `max_event_bytes`, an empty or non-snake_case type,
// and a timestamp outside 1970..2105 (what every ClickHouse DateTime type can hold).
Result<OutboxRow> ToOutboxRow(const Event& event, std::string_view environment,
                              size_t max_event_bytes);

}  // namespace eventlog
