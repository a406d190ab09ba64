#include "bench/report.h"

#include <cstdio>

namespace eventlog::bench {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "1,234,567": figures of this size are read at a glance with separators.
std::string Thousands(double v) {
  std::string digits = Fmt("%.0f", v);
  std::string out;
  int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    out += digits[i];
    if (digits[i] != '-' && (n - i - 1) % 3 == 0 && i != n - 1) out += ',';
  }
  return out;
}

// A row with a target "ratio >= bound" (at_least) or "ratio <= bound".
ReportRow Target(std::string figure, std::string value, std::string reference, double ratio,
                 bool at_least, double bound) {
  ReportRow r{std::move(figure), std::move(value), std::move(reference), ratio, "", -1};
  r.target = (at_least ? ">= " : "<= ") + Fmt(bound >= 10 ? "%.0f" : "%.2f", bound);
  r.met = at_least ? ratio >= bound : ratio <= bound;
  return r;
}

ReportRow Info(std::string figure, std::string value) {
  return {std::move(figure), std::move(value), "", -1, "", -1};
}

std::string CpuOrUnknown(double seconds) { return seconds < 0 ? "?" : Fmt("%.1f", seconds); }
std::string UsOrUnknown(double us) { return us < 0 ? "?" : Fmt("%.2f", us); }

// A drain's relay peak RSS (target: 64 MiB) and its exactly-once check.
void AddMemoryAndExactlyOnce(const DrainResult& d, std::vector<ReportRow>& rows) {
  rows.push_back(Target("  relay peak RSS (VmHWM, largest relay)",
                        Fmt("%.1f MiB", static_cast<double>(d.peak_rss_bytes) / kMiB), "64 MiB",
                        static_cast<double>(d.peak_rss_bytes) / (64 * kMiB), false, 1.0));
  ReportRow once = Info("  exactly once: " + d.check, d.exactly_once ? "yes" : "NO");
  once.target = "yes";
  once.met = d.exactly_once;
  rows.push_back(once);
}

// A drain's CPU per delivered event, PostgreSQL + relays + `clickhouse` (e.g. "ClickHouse x4"),
// against the bulk INSERT's ClickHouse CPU per row (target: the sum <= 3x) and the relays' own
// (target: <= 0.5 us); with `targets` false, figures only.
void AddCpuPerEvent(const BenchRun& run, const DrainResult& d, const std::string& clickhouse,
                    bool targets, std::vector<ReportRow>& rows) {
  const double pg = MicrosPerEvent(d.postgres_cpu_seconds, d.events);
  const double relay = MicrosPerEvent(d.relay_cpu_seconds, d.events);
  const double ch = MicrosPerEvent(d.cpu_seconds, d.events);
  const double bulk = run.bulk.value ? run.bulk.value->cpu_us_per_row : -1;
  if (pg < 0 || relay < 0 || ch < 0) {
    rows.push_back(Info("  CPU per event: PostgreSQL / relays / " + clickhouse,
                        UsOrUnknown(pg) + " / " + UsOrUnknown(relay) + " / " + UsOrUnknown(ch) +
                            " us (?: unknown)"));
    return;
  }
  const std::string figure = "  CPU us/event: PostgreSQL + relays + " + clickhouse;
  const std::string value = Fmt("%.2f", pg) + Fmt(" + %.2f", relay) + Fmt(" + %.2f", ch) +
                            Fmt(" = %.2f us", pg + relay + ch);
  if (targets && bulk > 0) {
    rows.push_back(Target(figure, value, "bulk CH " + Fmt("%.2f us/row", bulk),
                          (pg + relay + ch) / bulk, false, 3));
    rows.push_back(
        Target("  relay CPU per event (" + Fmt("%.2f s total", d.relay_cpu_seconds) + ")",
               Fmt("%.2f us", relay), "0.5 us", relay / 0.5, false, 1.0));
  } else {
    rows.push_back(Info(figure, value));
  }
}

// The relays' own split of their time ("relay time split" in their log), summed over relays:
// each phase's share of the four together, and milliseconds per batch.
void AddTimeSplit(const DrainResult& d, std::vector<ReportRow>& rows) {
  const std::string shares = "  relay time: claim / read / send / mark";
  if (!d.time_split || d.time_split->total_s() <= 0 || d.time_split->batches <= 0) {
    rows.push_back(Info(shares, "n/a (no \"relay time split\" logged)"));
    return;
  }
  const RelayTimeSplit& t = *d.time_split;
  const double total = t.total_s();
  auto share = [total](double s) { return Fmt("%.0f%%", 100 * s / total); };
  rows.push_back(Info(shares, share(t.claim_s) + " / " + share(t.read_s) + " / " + share(t.send_s) +
                                  " / " + share(t.mark_s) + Fmt(" of %.2f s", total)));
  const double batches = static_cast<double>(t.batches);
  auto ms = [batches](double s) { return Fmt("%.2f", 1000 * s / batches); };
  rows.push_back(
      Info("    ms per batch (" + Thousands(batches) + " batches)",
           ms(t.claim_s) + " / " + ms(t.read_s) + " / " + ms(t.send_s) + " / " + ms(t.mark_s)));
}

void AddDrain(const BenchRun& run, int relays, std::vector<ReportRow>& rows) {
  const auto& o = run.drains.at(relays);
  std::string name = "drain " + Thousands(run.events) + ", " + std::to_string(relays) +
                     (relays == 1 ? " relay" : " relays");
  if (!o.value) {
    rows.push_back(Info(name, "FAILED: " + o.error));
    return;
  }
  const DrainResult& d = *o.value;
  std::string rate = Thousands(d.events_per_s) + " ev/s";
  const auto& one = run.drains.at(1).value;
  if (relays == 1 && run.bulk.value) {
    rows.push_back(Target(name + " vs bulk", rate,
                          "bulk " + Thousands(run.bulk.value->rows_per_s) + " rows/s",
                          d.events_per_s / run.bulk.value->rows_per_s, true, 0.40));
  }
  if (relays == 1 && run.seed.value) {
    rows.push_back(Target(name + " vs seed design", rate,
                          "seed " + Thousands(run.seed.value->events_per_s) + " ev/s",
                          d.events_per_s / run.seed.value->events_per_s, true, 100));
  }
  if (relays != 1 && one) {
    rows.push_back(Target(name + " vs 1 relay", rate,
                          "1 relay " + Thousands(one->events_per_s) + " ev/s",
                          d.events_per_s / one->events_per_s, true, 1.0));
  }
  if (relays == 1 && !run.bulk.value && !run.seed.value) {
    rows.push_back(Info(name, rate));  // a run without either reference (EVENTLOG_BENCH_ONLY)
  }
  rows.push_back(
      Info("  INSERTs (parts written), rows/INSERT",
           Thousands(static_cast<double>(d.inserts)) + ", " + Thousands(d.rows_per_insert)));
  AddCpuPerEvent(run, d, "ClickHouse", true, rows);
  AddTimeSplit(d, rows);
  AddMemoryAndExactlyOnce(d, rows);
}

// A cluster drain: its rate, 2 and 4 relays against 1 (a figure, not a gate: four servers share
// this machine's cores), 1 relay against the single-node drain of the same run, and where the
// CPU went.
void AddClusterDrain(const BenchRun& run, int relays, std::vector<ReportRow>& rows) {
  const auto& o = run.cluster_drains.at(relays);
  std::string name = "cluster 2x2: drain " + Thousands(run.cluster_events) + ", " +
                     std::to_string(relays) + (relays == 1 ? " relay" : " relays");
  if (!o.value) {
    rows.push_back(Info(name, "FAILED: " + o.error));
    return;
  }
  const ClusterDrainResult& c = *o.value;
  const DrainResult& d = c.drain;
  std::string rate = Thousands(d.events_per_s) + " ev/s";
  auto single = run.drains.find(1);
  auto one = run.cluster_drains.find(1);
  if (relays == 1 && single != run.drains.end() && single->second.value) {
    const DrainResult& s = *single->second.value;
    rows.push_back({name + " vs 1 node", rate, "1 node " + Thousands(s.events_per_s) + " ev/s",
                    d.events_per_s / s.events_per_s, "", -1});
  } else if (relays != 1 && one != run.cluster_drains.end() && one->second.value) {
    const DrainResult& base = one->second.value->drain;
    rows.push_back({name + " vs 1 relay", rate, "1 relay " + Thousands(base.events_per_s) + " ev/s",
                    d.events_per_s / base.events_per_s, ">= 1 (scales)", -1});
  } else {
    rows.push_back(Info(name, rate));
  }
  rows.push_back(
      Info("  INSERTs (queries, 4 nodes), rows/INSERT",
           Thousands(static_cast<double>(d.inserts)) + ", " + Thousands(d.rows_per_insert)));
  rows.push_back(
      Info("  both replicas of each shard complete",
           Fmt("%.1f s after start", c.replicated_seconds) + Fmt(" (drained %.1f s)", d.seconds)));
  rows.push_back(Info("  CPU s: ClickHouse x4 / ZooKeeper / relays / PostgreSQL",
                      CpuOrUnknown(d.cpu_seconds) + " / " + CpuOrUnknown(c.zookeeper_cpu_seconds) +
                          " / " + CpuOrUnknown(d.relay_cpu_seconds) + " / " +
                          CpuOrUnknown(d.postgres_cpu_seconds)));
  rows.push_back(Info("  machine CPU busy during the drain",
                      Fmt("%.2f", c.busy_cores) + " of " + std::to_string(c.cores) + " cores"));
  AddCpuPerEvent(run, d, "ClickHouse x4", false, rows);
  AddTimeSplit(d, rows);
  AddMemoryAndExactlyOnce(d, rows);
}

// The memory bound: a backlog of 1 MiB events, 1 relay.
void AddLarge(const BenchRun& run, std::vector<ReportRow>& rows) {
  std::string name = "drain of 1 MiB events, 1 relay";
  if (!run.large.value) {
    rows.push_back(Info(name, "FAILED: " + run.large.error));
    return;
  }
  const DrainResult& d = *run.large.value;
  rows.push_back(Info(name, Thousands(static_cast<double>(d.events)) + " events, " +
                                Fmt("%.1f MiB/s", d.events_per_s)));
  AddCpuPerEvent(run, d, "ClickHouse", false, rows);
  AddTimeSplit(d, rows);
  AddMemoryAndExactlyOnce(d, rows);
}

void AddSteady(const BenchRun& run, int rate, std::vector<ReportRow>& rows) {
  const auto& o = run.steady.at(rate);
  std::string name = "steady " + Thousands(rate) + " ev/s, 1 relay";
  if (!o.value) {
    rows.push_back(Info(name, "FAILED: " + o.error));
    return;
  }
  const LatencyResult& l = *o.value;
  std::string lat =
      Fmt("p50 %.0f", l.p50_ms) + Fmt(" / p99 %.0f", l.p99_ms) + Fmt(" / max %.0f ms", l.max_ms);
  if (rate == 1000) {
    rows.push_back(Target(name + ": commit -> visible", lat, "300 ms", l.p99_ms / 300, false, 1));
  } else {
    rows.push_back(Info(name + ": commit -> visible", lat));
  }
  std::string ips = Fmt("%.1f INSERTs/s", l.inserts_per_s);
  if (rate == 10000) {
    rows.push_back(Target("  INSERTs/s", ips, "5/s", l.inserts_per_s / 5, false, 1));
  } else {
    rows.push_back(Info("  INSERTs/s", ips));
  }
  rows.push_back(Info("  achieved rate, events never seen",
                      Thousands(l.achieved_rate) + " ev/s, " + Thousands(l.unseen)));
  if (l.cpu_us_per_event >= 0 && run.bulk.value && run.bulk.value->cpu_us_per_row > 0) {
    rows.push_back(Target("  ClickHouse CPU per event, net of idle+polls" +
                              Fmt(" (gross %.1f us)", l.cpu_us_per_event),
                          Fmt("%.2f us", l.net_cpu_us_per_event),
                          "bulk " + Fmt("%.2f us", run.bulk.value->cpu_us_per_row),
                          l.net_cpu_us_per_event / run.bulk.value->cpu_us_per_row, false, 3));
  }
}

// The bulk INSERT of the same rows in each input format, beside TabSeparated's (the first).
void AddBulkFormats(const BulkResult& b, std::vector<ReportRow>& rows) {
  if (b.formats.empty()) return;
  const FormatFigures& tsv = b.formats.front();
  for (size_t i = 1; i < b.formats.size(); ++i) {
    const FormatFigures& f = b.formats[i];
    const double bytes = static_cast<double>(f.body_bytes) / static_cast<double>(tsv.body_bytes);
    std::string cpu = tsv.cpu_us_per_row > 0 && f.cpu_us_per_row >= 0
                          ? Fmt("%.2fx", f.cpu_us_per_row / tsv.cpu_us_per_row)
                          : std::string("?");
    rows.push_back(
        {"  FORMAT " + f.format + Fmt(": %.2fx bytes, ", bytes) + cpu + " CPU/row of TSV",
         Thousands(f.rows_per_s) + " rows/s" + Fmt(", %.2f us CPU/row", f.cpu_us_per_row),
         "TSV " + Thousands(tsv.rows_per_s) + " rows/s", f.rows_per_s / tsv.rows_per_s, "", -1});
  }
}

void AddBaselines(const BenchRun& run, std::vector<ReportRow>& rows) {
  if (run.bulk.value) {
    const BulkResult& b = *run.bulk.value;
    std::string bytes = b.formats.empty()
                            ? std::string()
                            : Fmt(", %.0f MB", static_cast<double>(b.formats[0].body_bytes) / 1e6);
    rows.push_back(
        Info("ClickHouse bulk: one INSERT of " + Thousands(run.events) + " rows (TSV" + bytes + ")",
             Thousands(b.rows_per_s) + " rows/s" + Fmt(", %.2f us CPU/row", b.cpu_us_per_row)));
    AddBulkFormats(b, rows);
  } else {
    rows.push_back(Info("ClickHouse bulk", "FAILED: " + run.bulk.error));
  }
  std::string seed = "seed design (poll 1 s, 100 rows, UPDATE), " + Thousands(run.seed_events);
  rows.push_back(run.seed.value
                     ? Info(seed, Thousands(run.seed.value->events_per_s) + " ev/s" +
                                      (run.seed.value->exactly_once ? "" : " (NOT exactly once)"))
                     : Info(seed, "FAILED: " + run.seed.error));
}

void AddApplication(const BenchRun& run, std::vector<ReportRow>& rows) {
  if (run.enqueue.value) {
    const EnqueueResult& e = *run.enqueue.value;
    rows.push_back(Target("business tx, 2 clients, event in the business INSERT",
                          Thousands(e.in_statement_tx_per_s) + " tx/s",
                          "without " + Thousands(e.without_tx_per_s) + " tx/s",
                          e.in_statement_ratio, true, 0.90));
    rows.push_back(Info("  same, event through Enqueue (a statement of its own)",
                        Thousands(e.with_tx_per_s) + " tx/s" + Fmt(" (%.2fx)", e.enqueue_ratio)));
    rows.push_back(
        Info("  (rates: medians of 5 rounds; ratios: median of each round's ratio)", ""));
  } else {
    rows.push_back(Info("business tx, 2 clients", "FAILED: " + run.enqueue.error));
  }
  for (const auto& [events, o] : run.held) {
    const std::string name =
        "claims, " + Thousands(static_cast<double>(events)) + " events behind an open transaction";
    if (!o.value) {
      rows.push_back(Info(name, "FAILED: " + o.error));
      continue;
    }
    const HeldResult& h = *o.value;
    rows.push_back(Info(name, Fmt("p50 %.1f ms", h.claim_p50_ms) +
                                  Fmt(", p90 %.1f", h.claim_p90_ms) +
                                  Fmt(", max %.1f", h.claim_max_ms)));
    rows.push_back(Info("  then one event's claim; an idle claim",
                        Fmt("%.2f ms", h.one_event_claim_ms) + Fmt("; %.2f ms", h.idle_claim_ms)));
  }
  if (run.http.value) {
    const HttpResult& h = *run.http.value;
    rows.push_back(Info("POST /users, wrk 2 threads 16 connections 5 s",
                        Thousands(h.requests_per_s) + " req/s, p99 " + Fmt("%.1f ms", h.p99_ms) +
                            ", errors " + Thousands(static_cast<double>(h.errors))));
  } else {
    rows.push_back(Info("POST /users", "FAILED: " + run.http.error));
  }
}

}  // namespace

std::vector<ReportRow> BuildReport(const BenchRun& run) {
  std::vector<ReportRow> rows;
  AddBaselines(run, rows);
  for (const auto& [relays, outcome] : run.drains) AddDrain(run, relays, rows);
  AddLarge(run, rows);
  for (const auto& [rate, outcome] : run.steady) AddSteady(run, rate, rows);
  AddApplication(run, rows);
  for (const auto& [relays, outcome] : run.cluster_drains) AddClusterDrain(run, relays, rows);
  return rows;
}

void PrintReport(const BenchRun& run, const std::vector<ReportRow>& rows) {
  std::printf("\n%-62s %-32s %-26s %7s %-8s %s\n", "figure", "value", "reference", "ratio",
              "target", "");
  int met = 0;
  int targets = 0;
  for (const ReportRow& r : rows) {
    std::string ratio = r.ratio >= 0 ? Fmt(r.ratio >= 10 ? "%.0fx" : "%.2fx", r.ratio) : "";
    const char* mark = r.met == 1 ? "met" : r.met == 0 ? "MISSED" : "";
    std::printf("%-62s %-32s %-26s %7s %-8s %s\n", r.figure.c_str(), r.value.c_str(),
                r.reference.c_str(), ratio.c_str(), r.target.c_str(), mark);
    targets += r.met >= 0;
    met += r.met == 1;
  }
  std::printf("\ntargets met: %d of %d; whole run %.0f s\n", met, targets, run.total_seconds);
}

}  // namespace eventlog::bench
