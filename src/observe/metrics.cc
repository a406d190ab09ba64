#include "observe/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>

namespace eventlog {
namespace {

// Seconds: from a loopback INSERT of a few rows (~1 ms) to one that nearly times out.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return buckets;
}

constexpr auto kGaugeRefresh = std::chrono::seconds(1);

}  // namespace

// Series appear on first use (Family::Add), so a process shows only what it does: serve has no
// relay series, a relay no HTTP ones.
struct Metrics::Impl : prometheus::Collectable {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Registry gauge_registry;

  prometheus::Family<prometheus::Histogram>& claim_seconds =
      prometheus::BuildHistogram()
          .Name("eventlog_claim_duration_seconds")
          .Help("Time to claim a batch (or find nothing to claim) in PostgreSQL")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& claims =
      prometheus::BuildCounter()
          .Name("eventlog_claims_total")
          .Help(
              "Claims, by result: new (a fresh batch), recovered (a batch taken back from the "
              "ledger: a retry, or a takeover from a relay that died), empty")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& takeovers =
      prometheus::BuildCounter()
          .Name("eventlog_lease_takeovers_total")
          .Help(
              "Batches taken over from a relay that stopped renewing its lease (it died or "
              "hung)")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& insert_seconds =
      prometheus::BuildHistogram()
          .Name("eventlog_insert_duration_seconds")
          .Help("Time of one INSERT request to ClickHouse")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& inserts =
      prometheus::BuildCounter()
          .Name("eventlog_inserts_total")
          .Help("INSERT requests to ClickHouse, by result (ok, error)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& insert_rows =
      prometheus::BuildCounter()
          .Name("eventlog_insert_rows_total")
          .Help("Rows sent in INSERTs that succeeded")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& insert_bytes =
      prometheus::BuildCounter()
          .Name("eventlog_insert_bytes_total")
          .Help(
              "Bytes of event text (type, environment, context, plus 64 per row) in INSERTs "
              "that succeeded")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& delivered =
      prometheus::BuildCounter()
          .Name("eventlog_events_delivered_total")
          .Help("Events recorded as delivered to ClickHouse")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& batches =
      prometheus::BuildCounter()
          .Name("eventlog_batches_completed_total")
          .Help("Batches finished (delivered, or dead-lettered rows)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& errors =
      prometheus::BuildCounter()
          .Name("eventlog_errors_total")
          .Help(
              "Errors by class: retryable (a batch given back for a retry), rejected (rows "
              "ClickHouse refused, retried), dead_lettered (events moved to dead letters)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("eventlog_http_requests_total")
          .Help("HTTP requests answered, by route and status")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& request_seconds =
      prometheus::BuildHistogram()
          .Name("eventlog_http_request_duration_seconds")
          .Help("Time from a request's headers to its answer, by route")
          .Register(*registry);

  prometheus::Gauge& pending =
      prometheus::BuildGauge()
          .Name("eventlog_outbox_pending_events")
          .Help(
              "Events not yet delivered: outbox rows no claim has taken plus events in open "
              "batches")
          .Register(gauge_registry)
          .Add({});
  prometheus::Gauge& oldest_age = prometheus::BuildGauge()
                                      .Name("eventlog_outbox_oldest_pending_age_seconds")
                                      .Help("Age of the oldest event not yet delivered")
                                      .Register(gauge_registry)
                                      .Add({});
  prometheus::Gauge& open_batches = prometheus::BuildGauge()
                                        .Name("eventlog_batches_open")
                                        .Help("Batches claimed and not yet finished")
                                        .Register(gauge_registry)
                                        .Add({});
  prometheus::Gauge& retrying = prometheus::BuildGauge()
                                    .Name("eventlog_batches_in_retry")
                                    .Help("Open batches with at least one failed attempt")
                                    .Register(gauge_registry)
                                    .Add({});
  prometheus::Gauge& open_writer_age =
      prometheus::BuildGauge()
          .Name("eventlog_outbox_oldest_open_writer_seconds")
          .Help(
              "How long the oldest open transaction that wrote into event_outbox (prepared ones "
              "too) has been open: its events wait and its partition cannot be truncated")
          .Register(gauge_registry)
          .Add({});
  prometheus::Gauge& dead_letters = prometheus::BuildGauge()
                                        .Name("eventlog_dead_letters")
                                        .Help("Rows in event_dead_letters")
                                        .Register(gauge_registry)
                                        .Add({});

  mutable std::mutex gauge_mu;
  std::function<Result<OutboxGauges>()> gauge_source;            // GUARDED_BY(gauge_mu)
  mutable std::chrono::steady_clock::time_point gauges_read_at;  // GUARDED_BY(gauge_mu)
  mutable bool gauges_ok = false;                                // GUARDED_BY(gauge_mu)
  std::unique_ptr<prometheus::Exposer> exposer;

  // Re-reads the gauges when the last read is older than kGaugeRefresh; whether they hold a
  // value from a read that worked.
  bool RefreshGauges() const {
    std::lock_guard lock(gauge_mu);
    if (!gauge_source) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now - gauges_read_at < kGaugeRefresh) return gauges_ok;
    gauges_read_at = now;
    Result<OutboxGauges> g = gauge_source();
    gauges_ok = g.ok();
    if (gauges_ok) {
      pending.Set(static_cast<double>(g->pending_events));
      oldest_age.Set(g->oldest_pending_age_s);
      open_batches.Set(static_cast<double>(g->open_batches));
      retrying.Set(static_cast<double>(g->batches_in_retry));
      dead_letters.Set(static_cast<double>(g->dead_letters));
      open_writer_age.Set(g->oldest_open_writer_age_s);
    }
    return gauges_ok;
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> families = registry->Collect();
    if (RefreshGauges()) {
      for (auto& f : gauge_registry.Collect()) families.push_back(std::move(f));
    }
    return families;
  }
};

Metrics::Metrics() : impl_(std::make_shared<Impl>()) {}

Metrics::~Metrics() = default;

void Metrics::ObserveClaim(std::chrono::duration<double> took, bool found, bool recovered,
                           bool taken_over) {
  impl_->claim_seconds.Add({}, LatencyBuckets()).Observe(took.count());
  impl_->claims.Add({{"result", !found ? "empty" : recovered ? "recovered" : "new"}}).Increment();
  if (taken_over) impl_->takeovers.Add({}).Increment();
}

void Metrics::ObserveInsert(std::chrono::duration<double> took, int64_t rows, int64_t bytes,
                            bool ok) {
  impl_->insert_seconds.Add({}, LatencyBuckets()).Observe(took.count());
  impl_->inserts.Add({{"result", ok ? "ok" : "error"}}).Increment();
  if (!ok) return;
  impl_->insert_rows.Add({}).Increment(static_cast<double>(rows));
  impl_->insert_bytes.Add({}).Increment(static_cast<double>(bytes));
}

void Metrics::AddDelivered(int64_t events) {
  if (events > 0) impl_->delivered.Add({}).Increment(static_cast<double>(events));
}

void Metrics::AddBatchCompleted() { impl_->batches.Add({}).Increment(); }

void Metrics::AddErrors(ErrorClass error_class, int64_t n) {
  if (n <= 0) return;
  const char* name = error_class == ErrorClass::kRetryable  ? "retryable"
                     : error_class == ErrorClass::kRejected ? "rejected"
                                                            : "dead_lettered";
  impl_->errors.Add({{"class", name}}).Increment(static_cast<double>(n));
}

void Metrics::ObserveRequest(const std::string& route, int status,
                             std::chrono::duration<double> took) {
  impl_->requests.Add({{"route", route}, {"status", std::to_string(status)}}).Increment();
  impl_->request_seconds.Add({{"route", route}}, LatencyBuckets()).Observe(took.count());
}

void Metrics::SetOutboxGaugeSource(std::function<Result<OutboxGauges>()> source) {
  std::lock_guard lock(impl_->gauge_mu);
  impl_->gauge_source = std::move(source);
  impl_->gauges_read_at = {};
}

std::string Metrics::Exposition() const {
  return prometheus::TextSerializer().Serialize(impl_->Collect());
}

Status Metrics::Listen(const std::string& host, int port) {
  const std::string address = host + ":" + std::to_string(port);
  try {
    impl_->exposer = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    return {StatusCode::kUnavailable,
            "cannot serve metrics on " + address + ": " + std::string(e.what())};
  }
  impl_->exposer->RegisterCollectable(impl_);
  return Status::Ok();
}

}  // namespace eventlog
