#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The relay's own account of where a drain's time went: the "relay time split" line each
// Relay::Run logs once when it returns (at SIGTERM), summed over every relay of a drain.
namespace eventlog::bench {

// The LOG_LEVEL a drain's relays get so that the line (logged at info) reaches their log; the
// bench's children otherwise run at warn. It adds one "batch delivered" line per batch.
inline constexpr const char* kTimeSplitLogLevel = "info";

struct RelayTimeSplit {
  int lines = 0;  // "relay time split" lines summed (one per relay and source)
  int64_t batches = 0;
  int64_t delivered = 0;
  double claim_s = 0;
  double read_s = 0;
  double send_s = 0;
  double mark_s = 0;

  double total_s() const { return claim_s + read_s + send_s + mark_s; }
};

// Adds the fields of one log line to `split` when it is a "relay time split" line, as JSON
// (LOG_FORMAT=json) or as the console format's key=value pairs; true when it was one. A field
// the line lacks counts 0.
bool AddTimeSplitLine(std::string_view line, RelayTimeSplit& split);

// Every "relay time split" line of the log at `path`, summed; nullopt when there is none (a
// relay built before the line existed) or the file cannot be read.
std::optional<RelayTimeSplit> ReadRelayTimeSplit(const std::string& path);

}  // namespace eventlog::bench
