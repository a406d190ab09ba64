#include "observe/outbox_gauge_families.h"

namespace eventlog {
namespace {

constexpr auto kGaugeRefresh = std::chrono::seconds(1);

struct GaugeDef {
  const char* name;
  const char* help;
  double (*value)(const OutboxGauges&);
};

const GaugeDef kGauges[] = {
    {"eventlog_outbox_pending_events",
     "Events not yet delivered: outbox rows no claim has taken plus events in open batches",
     [](const OutboxGauges& g) { return static_cast<double>(g.pending_events); }},
    {"eventlog_outbox_oldest_pending_age_seconds", "Age of the oldest event not yet delivered",
     [](const OutboxGauges& g) { return g.oldest_pending_age_s; }},
    {"eventlog_batches_open", "Batches claimed and not yet finished",
     [](const OutboxGauges& g) { return static_cast<double>(g.open_batches); }},
    {"eventlog_batches_in_retry", "Open batches with at least one failed attempt",
     [](const OutboxGauges& g) { return static_cast<double>(g.batches_in_retry); }},
    {"eventlog_outbox_oldest_open_writer_seconds",
     "How long the oldest open transaction that wrote into event_outbox (prepared ones too) has "
     "been open: its events wait and its partition cannot be truncated",
     [](const OutboxGauges& g) { return g.oldest_open_writer_age_s; }},
    {"eventlog_dead_letters", "Rows in event_dead_letters",
     [](const OutboxGauges& g) { return static_cast<double>(g.dead_letters); }},
};

void Refresh(GaugeSource& source) {
  const auto now = std::chrono::steady_clock::now();
  if (source.read_at != std::chrono::steady_clock::time_point{} &&
      now - source.read_at < kGaugeRefresh) {
    return;
  }
  source.read_at = now;
  Result<OutboxGauges> g = source.read();
  source.last = g.ok() ? std::optional<OutboxGauges>(g.value()) : std::nullopt;
}

}  // namespace

std::vector<prometheus::MetricFamily> OutboxGaugeFamilies(
    std::map<std::string, GaugeSource>& sources) {
  for (auto& [name, source] : sources) Refresh(source);
  std::vector<prometheus::MetricFamily> families;
  for (const GaugeDef& def : kGauges) {
    prometheus::MetricFamily family{def.name, def.help, prometheus::MetricType::Gauge, {}};
    for (const auto& [name, source] : sources) {
      if (!source.last) continue;
      prometheus::ClientMetric metric;
      metric.label = {{"source", name}};
      metric.gauge.value = def.value(*source.last);
      family.metric.push_back(std::move(metric));
    }
    if (!family.metric.empty()) families.push_back(std::move(family));
  }
  return families;
}

}  // namespace eventlog
