#include "observe/logger.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

#include "core/secrets.h"
#include "core/utc_time.h"

namespace eventlog::log {
namespace {

thread_local Fields tls_bound;

struct State {
  std::mutex mu;
  std::shared_ptr<spdlog::logger> logger;
  LogFormat format = LogFormat::kJson;
};

State& GetState() {
  static State state;
  return state;
}

std::shared_ptr<spdlog::logger> CurrentLogger(LogFormat& format) {
  State& s = GetState();
  std::lock_guard lock(s.mu);
  if (!s.logger) {
    s.logger = std::make_shared<spdlog::logger>("eventlog",
                                                std::make_shared<spdlog::sinks::stderr_sink_mt>());
    s.logger->set_pattern("%v");
    s.logger->set_level(spdlog::level::info);
  }
  format = s.format;
  return s.logger;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warning";
    case Level::kError: return "error";
  }
  return "info";
}

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

// Bound context (outer to inner), then the line's own fields; a later key replaces an earlier
// one in place, so each key appears once.
Fields Merge(const Fields& fields) {
  Fields all;
  auto put = [&all](const std::pair<std::string, nlohmann::json>& kv) {
    for (auto& existing : all) {
      if (existing.first == kv.first) {
        existing.second = kv.second;
        return;
      }
    }
    all.push_back(kv);
  };
  for (const auto& kv : tls_bound) put(kv);
  for (const auto& kv : fields) put(kv);
  return all;
}

std::string FormatConsoleLine(std::string_view ts, Level level, std::string_view logger,
                              std::string_view message, const Fields& fields) {
  std::string line = fmt::format("{} [{:<7}] {:<40} [{}]", ts, LevelName(level), message, logger);
  for (const auto& [k, v] : fields) {
    line += fmt::format(" {}={}", k, v.is_string() ? v.get<std::string>() : v.dump());
  }
  return line;
}

// Masks registered secrets in every string of `v`, nested ones too: error texts from servers
// and libraries may quote a password, and no line may carry one.
void Scrub(nlohmann::json& v) {
  if (v.is_string()) {
    v = ScrubSecrets(v.get_ref<const std::string&>());
  } else if (v.is_structured()) {
    for (auto& item : v) Scrub(item);
  }
}

}  // namespace

void Init(LogFormat format, const std::string& level, std::shared_ptr<spdlog::sinks::sink> sink) {
  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("eventlog", std::move(sink));
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  State& s = GetState();
  std::lock_guard lock(s.mu);
  s.logger = std::move(logger);
  s.format = format;
}

std::string FormatJsonLine(std::string_view timestamp, Level level, std::string_view logger,
                           std::string_view message, const Fields& fields) {
  nlohmann::ordered_json line;
  line["timestamp"] = timestamp;
  line["level"] = LevelName(level);
  line["logger"] = logger;
  line["message"] = message;
  for (const auto& [k, v] : fields) {
    if (k != "timestamp" && k != "level" && k != "logger" && k != "message") line[k] = v;
  }
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Write(Level level, std::string_view logger_name, std::string_view message,
           const Fields& fields) {
  LogFormat format;
  auto logger = CurrentLogger(format);
  if (!logger->should_log(ToSpdlog(level))) return;
  auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string ts = FormatUtcDateTime(now_us, 6) + "Z";  // RFC 3339, UTC, microseconds
  ts[10] = 'T';
  Fields all = Merge(fields);
  for (auto& kv : all) Scrub(kv.second);
  std::string text = ScrubSecrets(message);
  std::string line = format == LogFormat::kJson
                         ? FormatJsonLine(ts, level, logger_name, text, all)
                         : FormatConsoleLine(ts, level, logger_name, text, all);
  logger->log(ToSpdlog(level), line);
}

BoundContext::BoundContext(Fields fields) : previous_size_(tls_bound.size()) {
  for (auto& kv : fields) tls_bound.push_back(std::move(kv));
}

BoundContext::~BoundContext() { tls_bound.resize(previous_size_); }

Fields BoundFields() { return tls_bound; }

}  // namespace eventlog::log
