#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/scenarios.h"

namespace eventlog::bench {

// A scenario's figures, or why it has none, and how long it took (set-up included).
template <typename T>
struct Outcome {
  std::optional<T> value;
  std::string error;
  double seconds = 0;
};

// Everything one `make bench` run measured.
struct BenchRun {
  int events = 0;
  int seed_events = 0;
  Outcome<BulkResult> bulk;
  Outcome<SeedResult> seed;
  std::map<int, Outcome<DrainResult>> drains;    // by number of relays
  Outcome<DrainResult> large;                    // 1 MiB events, 1 relay
  std::map<int, Outcome<LatencyResult>> steady;  // by events/s
  Outcome<EnqueueResult> enqueue;
  std::map<int64_t, Outcome<HeldResult>> held;  // by events behind the open transaction
  Outcome<HttpResult> http;
  int cluster_events = 0;
  std::map<int, Outcome<ClusterDrainResult>> cluster_drains;  // by number of relays
  double total_seconds = 0;
};

// One line of the table: a figure, what it is compared with, and the target.
struct ReportRow {
  std::string figure;
  std::string value;
  std::string reference;  // empty: an informative figure without a target
  double ratio = -1;      // value / reference; negative: none
  std::string target;     // e.g. ">= 0.40"
  int met = -1;           // 1 met, 0 missed, -1 no target or not measured
};

// CPU seconds spread over `events`, in microseconds each; negative when the CPU is unknown.
inline double MicrosPerEvent(double cpu_seconds, int64_t events) {
  return cpu_seconds < 0 || events <= 0 ? -1 : cpu_seconds * 1e6 / static_cast<double>(events);
}

std::vector<ReportRow> BuildReport(const BenchRun& run);
void PrintReport(const BenchRun& run, const std::vector<ReportRow>& rows);
// Writes the run and the table as JSON to `path`.
Status WriteResults(const BenchRun& run, const std::vector<ReportRow>& rows,
                    const std::string& path);

}  // namespace eventlog::bench
