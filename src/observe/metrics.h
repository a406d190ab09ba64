#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/event_sink.h"
#include "eventlog/status.h"

namespace eventlog {

// What the outbox looks like now, read by a cheap query at scrape time (see outbox_gauges.h).
struct OutboxGauges {
  int64_t pending_events = 0;  // rows no claim has taken + events in open batches
  double oldest_pending_age_s = 0;
  int64_t open_batches = 0;
  int64_t batches_in_retry = 0;
  int64_t dead_letters = 0;
  double oldest_open_writer_age_s = 0;  // 0: no transaction that wrote into the outbox is open
};

// The Prometheus metrics of one process (prometheus-cpp, which only metrics.cc includes): the
// relay's and the HTTP service's, exposed as the text format by Exposition() (serve's
// GET /metrics) or by an HTTP listener of their own (Listen, the relay). The relay's series carry
// the outbox they concern (`source`, a label without secrets: see SourceLabel in outbox/pg_dsn.h)
// and INSERTs the ClickHouse node that took them (`node`, host:port). Thread-safe.
class Metrics {
 public:
  Metrics();
  ~Metrics();

  // The relay.
  // `taken_over`: the batch came from a relay that stopped renewing its lease.
  void ObserveClaim(const std::string& source, std::chrono::duration<double> took, bool found,
                    bool recovered, bool taken_over);
  void ObserveInsert(const std::string& source, const InsertReport& insert);
  void AddDelivered(const std::string& source, int64_t events);
  void AddBatchCompleted(const std::string& source);
  enum class ErrorClass { kRetryable, kRejected, kDeadLettered };
  void AddErrors(const std::string& source, ErrorClass error_class, int64_t n = 1);

  // The HTTP service. `route` must come from a fixed set (it is a label).
  void ObserveRequest(const std::string& route, int status, std::chrono::duration<double> took);

  // The outbox gauges of `source`, read at scrape time from `read` (at most once a second; a
  // failed read leaves that source's gauges out of that scrape, not the others').
  void AddOutboxGaugeSource(const std::string& source, std::function<Result<OutboxGauges>()> read);

  // Every metric, in Prometheus's text format.
  std::string Exposition() const;
  // Serves GET /metrics on host:port from threads of its own until destruction. An error
  // names the address when it cannot be bound.
  Status Listen(const std::string& host, int port);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace eventlog
