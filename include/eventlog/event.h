#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "eventlog/status.h"

namespace eventlog {

// A business event as the application creates it.
struct Event {
  std::string type;                                            // snake_case, e.g. "user_created"
  std::chrono::sys_time<std::chrono::microseconds> timestamp;  // UTC
  nlohmann::json context = nlohmann::json::object();           // must be a JSON object
  uint64_t metadata_version = 1;
  std::string event_id;  // UUIDv7 text, unique and time-ordered
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

  bool operator==(const OutboxRow&) const = default;
};

// Validates `event` and converts it to its row. Refuses (kInvalidArgument) a context that is
// not a JSON object or whose text exceeds `max_event_bytes`, an empty or non-snake_case type,
// and a timestamp outside 1970..2105 (what every ClickHouse DateTime type can hold).
Result<OutboxRow> ToOutboxRow(const Event& event, std::string_view environment,
                              size_t max_event_bytes);

}  // namespace eventlog
