#pragma once

#include <spdlog/sinks/sink.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"

namespace eventlog::log {

// Context keys of one line: {"batch_size", 100}, {"error", "..."}.
using Fields = std::vector<std::pair<std::string, nlohmann::json>>;

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the format and level for the process. `sink` defaults to stderr; tests pass an
// in-memory sink and read back what was logged.
void Init(LogFormat format, const std::string& level,
          std::shared_ptr<spdlog::sinks::sink> sink = nullptr);

// Writes one line: timestamp, level, logger, message, then the bound context of this thread,
// then `fields`. Never pass secrets in.
void Write(Level level, std::string_view logger, std::string_view message,
           const Fields& fields = {});

inline void Debug(std::string_view logger, std::string_view msg, const Fields& f = {}) {
  Write(Level::kDebug, logger, msg, f);
}
inline void Info(std::string_view logger, std::string_view msg, const Fields& f = {}) {
  Write(Level::kInfo, logger, msg, f);
}
inline void Warn(std::string_view logger, std::string_view msg, const Fields& f = {}) {
  Write(Level::kWarn, logger, msg, f);
}
inline void Error(std::string_view logger, std::string_view msg, const Fields& f = {}) {
  Write(Level::kError, logger, msg, f);
}

// Binds `fields` to every line this thread writes while the object lives (as structlog's
// bound context variables do): one per request or batch. Nests; inner keys win.
class BoundContext {
 public:
  explicit BoundContext(Fields fields);
  ~BoundContext();
  BoundContext(const BoundContext&) = delete;
  BoundContext& operator=(const BoundContext&) = delete;

 private:
  size_t previous_size_;
};

// The fields bound to this thread now, for a thread it starts to bind in its turn (a line
// written there belongs to the same relay and source).
Fields BoundFields();

// Renders one line as the JSON format does (exposed for tests).
std::string FormatJsonLine(std::string_view timestamp, Level level, std::string_view logger,
                           std::string_view message, const Fields& fields);

}  // namespace eventlog::log
