#include <algorithm>
#include <unordered_set>

#include "core/backoff.h"
#include "observe/logger.h"
#include "relay/batch_delivery.h"
#include "relay/read_ahead.h"
#include "relay/relay.h"
#include "relay/unique_ids.h"

namespace eventlog {
namespace {

constexpr std::string_view kLogger = "eventlog.relay";

std::chrono::milliseconds RetryDelay(int attempt, const RelayPolicy& policy, Jitter& jitter) {
  return BackoffDelay(attempt, policy.retry_base, policy.retry_max, jitter);
}

// Drops the rows ClickHouse already holds (a recovered batch whose INSERT may have landed).
Status SkipPresent(EventSink& sink, int64_t batch_id, std::vector<OutboxRow>& rows,
                   std::vector<DeadLetter>& reused, StepOutcome& out) {
  auto present = RemoveHeldRows(sink, batch_id, rows, reused);
  if (!present.ok()) return present.status();
  out.already_present = present.value();
  return Status::Ok();
}

// Rows found with a reused event_id join `reused` (they leave the batch as dead letters),
// counted and logged.
void AddReused(std::vector<DeadLetter> found, std::vector<DeadLetter>& reused, StepOutcome& out) {
  if (found.empty()) return;
  out.dead_lettered += static_cast<int64_t>(found.size());
  log::Error(kLogger, "events with a reused event_id dead-lettered",
             {{"count", found.size()},
              {"event_id", found.front().row.event_id},
              {"error", found.front().error}});
  for (auto& d : found) reused.push_back(std::move(d));
}

using SteadyClock = std::chrono::steady_clock;

void GiveBack(OutboxStore& store, const Batch& batch, BatchRetry retry, StepOutcome& out) {
  log::Warn(kLogger, "batch given back for a retry",
            {{"error", out.error.ToString()},
             {"attempt", batch.attempts + 1},
             {"rows_left",
              retry.whole_batch ? batch.event_count : static_cast<int64_t>(retry.remaining.size())},
             {"retry_in_ms", retry.retry_in.count()}});
  const auto start = SteadyClock::now();
  Status s = store.Release(batch, retry);
  out.mark_time += SteadyClock::now() - start;
  if (!s.ok()) {
    // The lease runs out and another relay (or this one) takes the batch over.
    log::Error(kLogger, "could not give the batch back", {{"error", s.ToString()}});
  }
}

// At most this many event ids in one log line; the dead-letter table has them all.
constexpr size_t kMaxLoggedIds = 10;

// Rows ClickHouse refused: retried later, or dead letters on the last allowed attempt.
void SettleRejected(OutboxStore& store, const Batch& batch, const RelayPolicy& policy,
                    Jitter& jitter, DeliveryReport& report, std::vector<DeadLetter> reused,
                    StepOutcome& out) {
  int64_t delivered = report.delivered + out.already_present;
  if (batch.rejections + 1 >= policy.max_attempts) {
    std::vector<std::string> ids;
    for (const auto& d : report.rejected) {
      if (ids.size() == kMaxLoggedIds) break;
      ids.push_back(d.row.event_id);
    }
    log::Error(kLogger, "events dead-lettered",
               {{"count", report.rejected.size()},
                {"event_ids", ids},
                {"error", report.rejected.front().error}});
    out.dead_lettered += static_cast<int64_t>(report.rejected.size());
    for (auto& d : reused) report.rejected.push_back(std::move(d));
    out.error = store.Complete(batch, delivered, report.rejected);
    return;
  }
  BatchRetry retry{.remaining = {},
                   .dead = std::move(reused),
                   .delivered = delivered,
                   .attempted = true,
                   .rejected = true,
                   .error = report.rejected.front().error,
                   .retry_in = RetryDelay(batch.rejections + 1, policy, jitter)};
  for (auto& d : report.rejected) retry.remaining.push_back(std::move(d.row));
  out.error = Status(StatusCode::kRejected, retry.error);
  GiveBack(store, batch, std::move(retry), out);
}

// A batch that strained the server twice (IsServerStrain) goes in halves, then quarters...: a
// batch too heavy for the server must not be retried unchanged forever. Other failures (a
// server down, refusing connections) keep the whole batch.
size_t RowsPerInsert(const Batch& batch, size_t batch_rows) {
  if (batch.timeouts < 2) return SIZE_MAX;
  return std::max<size_t>(1, batch_rows >> std::min(batch.timeouts - 1, 30));
}

// Rows whose event_id an earlier row of the batch already has: a producer reused an id.
// Sending both would store two rows under one id, dropping one would lose an event: they leave
// the batch as dead letters that say why.
std::vector<DeadLetter> TakeReusedIds(std::vector<OutboxRow>& rows) {
  std::unordered_set<std::string> seen;
  std::vector<DeadLetter> reused;
  std::vector<OutboxRow> unique;
  unique.reserve(rows.size());
  for (auto& r : rows) {
    if (seen.insert(r.event_id).second) {
      unique.push_back(std::move(r));
    } else {
      reused.push_back({std::move(r), "event_id reused: another event of the outbox has it"});
    }
  }
  rows = std::move(unique);
  return reused;
}

// A streamed batch goes back as it is: its rows were never loaded. It counts as a try (as a row
// batch's INSERT does, sent or not), and whoever takes it next checks ClickHouse first.
BatchRetry WholeBatchRetry(const Batch& batch, const RelayPolicy& policy, Jitter& jitter,
                           const Status& s) {
  BatchRetry retry;
  retry.attempted = true;
  retry.timed_out = IsServerStrain(s);
  retry.whole_batch = true;
  retry.error = s.ToString();
  retry.retry_in = RetryDelay(batch.attempts + 1, policy, jitter);
  return retry;
}

// A fresh slice's rows go from the outbox into one INSERT as they are read (no row is held). True
// when the step is settled (delivered, or given back whole); false when ClickHouse refused the
// data: the caller then loads the rows and isolates the refused ones.
bool StreamBatch(OutboxStore& store, EventSink& sink, const RelayPolicy& policy, Jitter& jitter,
                 Batch& batch, StepOutcome& out) {
  const auto start = SteadyClock::now();
  std::chrono::nanoseconds read{0};
  Status s = store.Renew(batch);
  if (s.ok()) {
    const RowStreamOpener open =
        [&](const StreamFormat& format) -> Result<std::unique_ptr<RowStream>> {
      auto rows = store.StreamRows(batch, format);
      if (!rows.ok()) return rows.status();
      return std::unique_ptr<RowStream>(std::make_unique<UniqueIdCheck>(
          std::make_unique<ReadAhead>(std::move(rows.value())), &read));
    };
    s = sink.InsertStream(batch.batch_id, open, batch.event_count);
    ++out.inserts;
  }
  out.streamed = true;
  out.read_time += read;
  out.send_time += SteadyClock::now() - start - read;
  if (s.ok()) {
    out.delivered = batch.event_count;
    const auto mark = SteadyClock::now();
    out.error = store.Complete(batch, out.delivered, {});
    out.mark_time += SteadyClock::now() - mark;
    return true;
  }
  if (s.code() == StatusCode::kLeaseLost) {
    out.error = s;  // the batch is another relay's now: leave it alone
    return true;
  }
  if ((s.code() == StatusCode::kRejected || s.code() == StatusCode::kTooLarge) &&
      !IsServerStrain(s)) {
    log::Warn(kLogger, "streamed batch refused: delivering it row by row",
              {{"error", s.ToString()}});
    return false;
  }
  out.error = s;
  GiveBack(store, batch, WholeBatchRetry(batch, policy, jitter, s), out);
  return true;
}

}  // namespace

StepOutcome RunRelayStep(OutboxStore& store, EventSink& sink, const RelayPolicy& policy,
                         Jitter& jitter) {
  return DeliverClaimed(store, sink, policy, store.Claim(policy.claim_limits(sink)), jitter);
}

StepOutcome DeliverClaimed(OutboxStore& store, EventSink& sink, const RelayPolicy& policy,
                           Result<std::optional<Batch>> claimed, Jitter& jitter) {
  StepOutcome out;
  if (!claimed.ok()) {
    out.error = claimed.status();
    return out;
  }
  if (!claimed->has_value()) return out;
  Batch& batch = **claimed;
  out.claimed = true;
  out.batch_id = batch.batch_id;
  out.rows = batch.streamable ? batch.event_count : static_cast<int64_t>(batch.rows.size());
  out.full_batch = batch.full || out.rows >= policy.batch_size;
  log::BoundContext ctx(
      {{"batch_id", batch.batch_id}, {"batch_size", out.rows}, {"attempt", batch.attempts + 1}});
  if (batch.streamable) {
    if (StreamBatch(store, sink, policy, jitter, batch, out)) return out;
    // Refused: the same rows, loaded, through the row-by-row path below. The refused INSERT may
    // have written some of them (a throwing materialized view): the recovery check looks first.
    const auto start = SteadyClock::now();
    auto loaded = store.LoadRows(batch);
    out.read_time += SteadyClock::now() - start;
    if (!loaded.ok()) {
      out.error = loaded.status();
      GiveBack(store, batch, WholeBatchRetry(batch, policy, jitter, out.error), out);
      return out;
    }
    batch.rows = std::move(loaded.value());
    batch.recovered = true;
    batch.streamable = false;
  }

  // The rows leave the batch (no copy: a batch may hold megabytes); Release and Complete need
  // only its identity and counters.
  std::vector<OutboxRow> rows = std::move(batch.rows);
  std::vector<DeadLetter> reused;
  AddReused(TakeReusedIds(rows), reused, out);
  if (batch.recovered) {
    std::vector<DeadLetter> found;
    Status s = SkipPresent(sink, batch.batch_id, rows, found, out);
    AddReused(std::move(found), reused, out);
    if (!s.ok()) {
      out.error = s;
      GiveBack(store, batch,
               {.remaining = std::move(rows),
                .dead = std::move(reused),
                .error = s.ToString(),
                .retry_in = RetryDelay(batch.attempts + 1, policy, jitter)},
               out);
      return out;
    }
  }
  const auto send_start = SteadyClock::now();
  DeliveryReport report = DeliverIsolatingRejects(
      sink, batch.batch_id, rows, [&] { return store.Renew(batch); },
      RowsPerInsert(batch, static_cast<size_t>(out.rows)));
  out.send_time += SteadyClock::now() - send_start;
  out.inserts += report.inserts;
  out.delivered = report.delivered;
  out.already_present += report.already_present;
  AddReused(std::move(report.reused), reused, out);
  if (report.failure.code() == StatusCode::kLeaseLost) {
    out.error = report.failure;  // the batch is another relay's now: leave it alone
    return out;
  }
  if (!report.failure.ok()) {
    out.error = report.failure;
    BatchRetry retry{.remaining = {},
                     .dead = std::move(reused),
                     .delivered = report.delivered + out.already_present,
                     .attempted = report.inserts > 0,
                     .rejected = !report.rejected.empty(),
                     .timed_out = IsServerStrain(report.failure),
                     .error = report.failure.ToString(),
                     .retry_in = RetryDelay(batch.attempts + 1, policy, jitter)};
    for (auto& d : report.rejected) retry.remaining.push_back(std::move(d.row));
    for (auto& r : report.undelivered) retry.remaining.push_back(std::move(r));
    GiveBack(store, batch, std::move(retry), out);
    return out;
  }
  if (!report.rejected.empty()) {
    SettleRejected(store, batch, policy, jitter, report, std::move(reused), out);
    return out;
  }
  const auto mark_start = SteadyClock::now();
  out.error = store.Complete(batch, report.delivered + out.already_present, reused);
  out.mark_time += SteadyClock::now() - mark_start;
  return out;
}

}  // namespace eventlog
