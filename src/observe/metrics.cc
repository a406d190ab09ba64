#include "observe/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <mutex>

#include "observe/outbox_gauge_families.h"

namespace eventlog {
namespace {

// Seconds: from a loopback INSERT of a few rows (~1 ms) to one that nearly times out.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return buckets;
}

}  // namespace

// Series appear on first use (Family::Add), so a process shows only what it does: serve has no
// relay series, a relay no HTTP ones.
struct Metrics::Impl : prometheus::Collectable {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

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

  mutable std::mutex gauge_mu;
  mutable std::map<std::string, GaugeSource> gauge_sources;  // GUARDED_BY(gauge_mu)
  std::unique_ptr<prometheus::Exposer> exposer;

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> families = registry->Collect();
    std::lock_guard lock(gauge_mu);
    for (auto& f : OutboxGaugeFamilies(gauge_sources)) families.push_back(std::move(f));
    return families;
  }
};

Metrics::Metrics() : impl_(std::make_shared<Impl>()) {}

Metrics::~Metrics() = default;

void Metrics::ObserveClaim(const std::string& source, std::chrono::duration<double> took,
                           bool found, bool recovered, bool taken_over) {
  impl_->claim_seconds.Add({{"source", source}}, LatencyBuckets()).Observe(took.count());
  impl_->claims
      .Add({{"source", source},
            {"result", !found      ? "empty"
                       : recovered ? "recovered"
                                   : "new"}})
      .Increment();
  if (taken_over) impl_->takeovers.Add({{"source", source}}).Increment();
}

void Metrics::ObserveInsert(const std::string& source, const InsertReport& insert) {
  const std::chrono::duration<double> took = insert.took;
  impl_->insert_seconds.Add({{"source", source}, {"node", insert.node}}, LatencyBuckets())
      .Observe(took.count());
  impl_->inserts
      .Add({{"source", source}, {"node", insert.node}, {"result", insert.ok ? "ok" : "error"}})
      .Increment();
  if (!insert.ok) return;
  impl_->insert_rows.Add({{"source", source}, {"node", insert.node}})
      .Increment(static_cast<double>(insert.rows));
  impl_->insert_bytes.Add({{"source", source}, {"node", insert.node}})
      .Increment(static_cast<double>(insert.bytes));
}

void Metrics::AddDelivered(const std::string& source, int64_t events) {
  if (events > 0) {
    impl_->delivered.Add({{"source", source}}).Increment(static_cast<double>(events));
  }
}

void Metrics::AddBatchCompleted(const std::string& source) {
  impl_->batches.Add({{"source", source}}).Increment();
}

void Metrics::AddErrors(const std::string& source, ErrorClass error_class, int64_t n) {
  if (n <= 0) return;
  const char* name = error_class == ErrorClass::kRetryable  ? "retryable"
                     : error_class == ErrorClass::kRejected ? "rejected"
                                                            : "dead_lettered";
  impl_->errors.Add({{"source", source}, {"class", name}}).Increment(static_cast<double>(n));
}

void Metrics::ObserveRequest(const std::string& route, int status,
                             std::chrono::duration<double> took) {
  impl_->requests.Add({{"route", route}, {"status", std::to_string(status)}}).Increment();
  impl_->request_seconds.Add({{"route", route}}, LatencyBuckets()).Observe(took.count());
}

void Metrics::AddOutboxGaugeSource(const std::string& source,
                                   std::function<Result<OutboxGauges>()> read) {
  std::lock_guard lock(impl_->gauge_mu);
  GaugeSource& entry = impl_->gauge_sources[source];
  entry = GaugeSource{};
  entry.read = std::move(read);
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
