#pragma once

#include <prometheus/metric_family.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "observe/metrics.h"

namespace eventlog {

// One outbox's gauges: how to read them and the last reading.
struct GaugeSource {
  std::function<Result<OutboxGauges>()> read;
  std::chrono::steady_clock::time_point read_at{};
  std::optional<OutboxGauges> last;  // empty when the last read failed
};

// The outbox gauge families (eventlog_outbox_pending_events, ...) with one series per source
// whose read works, labelled `source`. Each source is read again when its last read is older
// than a second. A family no source could fill is left out. REQUIRES: the caller serializes
// calls (Metrics holds its gauge mutex).
std::vector<prometheus::MetricFamily> OutboxGaugeFamilies(
    std::map<std::string, GaugeSource>& sources);

}  // namespace eventlog
