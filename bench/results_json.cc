// bench/results.json: every figure of the run, and the table as printed.
#include <fstream>
#include <nlohmann/json.hpp>

#include "bench/report.h"

namespace eventlog::bench {
namespace {

using nlohmann::json;

template <typename T>
json WithOutcome(const Outcome<T>& o, const std::function<json(const T&)>& figures) {
  json j = o.value ? figures(*o.value) : json{{"error", o.error}};
  j["scenario_seconds"] = o.seconds;
  return j;
}

// The relays' summed "relay time split" line; null when they logged none.
json TimeSplit(const std::optional<RelayTimeSplit>& t) {
  if (!t) return nullptr;
  return {{"lines", t->lines},     {"batches", t->batches}, {"delivered", t->delivered},
          {"claim_s", t->claim_s}, {"read_s", t->read_s},   {"send_s", t->send_s},
          {"mark_s", t->mark_s}};
}

json Drain(const DrainResult& d) {
  return {{"relays", d.relays},
          {"events", d.events},
          {"seconds", d.seconds},
          {"events_per_s", d.events_per_s},
          {"inserts", d.inserts},
          {"rows_per_insert", d.rows_per_insert},
          {"clickhouse_cpu_seconds", d.cpu_seconds},
          {"clickhouse_cpu_us_per_event", d.cpu_us_per_event},
          {"postgres_cpu_seconds", d.postgres_cpu_seconds},
          {"postgres_cpu_us_per_event", MicrosPerEvent(d.postgres_cpu_seconds, d.events)},
          {"relay_cpu_seconds", d.relay_cpu_seconds},
          {"relay_cpu_us_per_event", MicrosPerEvent(d.relay_cpu_seconds, d.events)},
          {"relay_time_split", TimeSplit(d.time_split)},
          {"relay_peak_rss_bytes", d.peak_rss_bytes},
          {"exactly_once", d.exactly_once},
          {"exactly_once_check", d.check}};
}

json ClusterDrain(const ClusterDrainResult& c) {
  json j = Drain(c.drain);
  j["replicated_seconds"] = c.replicated_seconds;
  j["node_rows"] = c.node_rows;
  j["node_inserts"] = c.node_inserts;
  j["zookeeper_cpu_seconds"] = c.zookeeper_cpu_seconds;
  j["busy_cores"] = c.busy_cores;
  j["cores"] = c.cores;
  return j;
}

json Steady(const LatencyResult& l) {
  return {{"rate", l.rate},
          {"events", l.events},
          {"achieved_rate", l.achieved_rate},
          {"p50_ms", l.p50_ms},
          {"p99_ms", l.p99_ms},
          {"max_ms", l.max_ms},
          {"inserts_per_s", l.inserts_per_s},
          {"clickhouse_cpu_us_per_event", l.cpu_us_per_event},
          {"clickhouse_net_cpu_us_per_event", l.net_cpu_us_per_event},
          {"unseen", l.unseen}};
}

json Scenarios(const BenchRun& run) {
  json j;
  j["bulk"] = WithOutcome<BulkResult>(run.bulk, [](const BulkResult& b) {
    json formats = json::array();
    for (const FormatFigures& f : b.formats) {
      formats.push_back({{"format", f.format},
                         {"body_bytes", f.body_bytes},
                         {"rows_per_s", f.rows_per_s},
                         {"clickhouse_cpu_us_per_row", f.cpu_us_per_row}});
    }
    return json{{"rows", b.rows},
                {"rows_per_s", b.rows_per_s},
                {"clickhouse_cpu_us_per_row", b.cpu_us_per_row},
                {"formats", formats}};
  });
  j["seed"] = WithOutcome<SeedResult>(run.seed, [](const SeedResult& s) {
    return json{
        {"events", s.events}, {"events_per_s", s.events_per_s}, {"exactly_once", s.exactly_once}};
  });
  for (const auto& [relays, o] : run.drains) {
    j["drain"][std::to_string(relays)] = WithOutcome<DrainResult>(o, Drain);
  }
  j["drain_1mib_events"] = WithOutcome<DrainResult>(run.large, Drain);
  for (const auto& [rate, o] : run.steady) {
    j["steady"][std::to_string(rate)] = WithOutcome<LatencyResult>(o, Steady);
  }
  j["enqueue"] = WithOutcome<EnqueueResult>(run.enqueue, [](const EnqueueResult& e) {
    return json{{"without_tx_per_s", e.without_tx_per_s},
                {"with_tx_per_s", e.with_tx_per_s},
                {"in_statement_tx_per_s", e.in_statement_tx_per_s},
                {"enqueue_ratio", e.enqueue_ratio},
                {"in_statement_ratio", e.in_statement_ratio}};
  });
  for (const auto& [events, o] : run.held) {
    j["held_transaction"][std::to_string(events)] =
        WithOutcome<HeldResult>(o, [](const HeldResult& h) {
          return json{{"events", h.events},
                      {"claims", h.claims},
                      {"claim_p50_ms", h.claim_p50_ms},
                      {"claim_p90_ms", h.claim_p90_ms},
                      {"claim_max_ms", h.claim_max_ms},
                      {"one_event_claim_ms", h.one_event_claim_ms},
                      {"idle_claim_ms", h.idle_claim_ms}};
        });
  }
  j["post_users"] = WithOutcome<HttpResult>(run.http, [](const HttpResult& h) {
    return json{{"requests_per_s", h.requests_per_s}, {"p99_ms", h.p99_ms}, {"errors", h.errors}};
  });
  for (const auto& [relays, o] : run.cluster_drains) {
    j["cluster_drain"][std::to_string(relays)] = WithOutcome<ClusterDrainResult>(o, ClusterDrain);
  }
  return j;
}

}  // namespace

Status WriteResults(const BenchRun& run, const std::vector<ReportRow>& rows,
                    const std::string& path) {
  json table = json::array();
  for (const ReportRow& r : rows) {
    json row = {{"figure", r.figure}, {"value", r.value}};
    if (!r.reference.empty()) row["reference"] = r.reference;
    if (r.ratio >= 0) row["ratio"] = r.ratio;
    if (!r.target.empty()) row["target"] = r.target;
    if (r.met >= 0) row["met"] = r.met == 1;
    table.push_back(row);
  }
  json j = {{"events", run.events},
            {"seed_events", run.seed_events},
            {"cluster_events", run.cluster_events},
            {"total_seconds", run.total_seconds},
            {"scenarios", Scenarios(run)},
            {"table", table}};
  std::ofstream out(path, std::ios::trunc);
  out << j.dump(2) << "\n";
  if (!out) return {StatusCode::kInternal, "cannot write " + path};
  return Status::Ok();
}

}  // namespace eventlog::bench
