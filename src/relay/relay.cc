#include "relay/relay.h"

#include <algorithm>
#include <future>
#include <optional>

#include "core/backoff.h"
#include "observe/logger.h"

namespace eventlog {
namespace {

constexpr std::string_view kLogger = "eventlog.relay";

void LogOutcome(const StepOutcome& o, std::chrono::steady_clock::duration took) {
  if (!o.claimed && o.error.ok()) return;
  log::Fields f = {
      {"batch_id", o.batch_id},
      {"batch_size", o.rows},
      {"delivered", o.delivered},
      {"inserts", o.inserts},
      {"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(took).count()}};
  if (o.already_present > 0) f.emplace_back("already_present", o.already_present);
  if (o.dead_lettered > 0) f.emplace_back("dead_lettered", o.dead_lettered);
  if (o.error.ok()) {
    log::Info(kLogger, "batch delivered", f);
  } else {
    f.emplace_back("error", o.error.ToString());
    log::Warn(kLogger, "relay step failed", f);
  }
}

}  // namespace

Relay::Relay(OutboxStore& store, EventSink& sink, Clock& clock, RelayPolicy policy,
             OutboxStore* claim_ahead, Jitter& jitter)
    : store_(store),
      claim_ahead_(claim_ahead),
      sink_(sink),
      clock_(clock),
      jitter_(jitter),
      policy_(policy) {}

void Relay::Run(const std::atomic<bool>& stop) {
  int failures_in_a_row = 0;
  std::optional<std::chrono::steady_clock::time_point> last_insert;
  const ClaimLimits limits = policy_.claim_limits(sink_);
  std::future<Result<std::optional<Batch>>> ahead;  // the next claim, made during a delivery
  while (!stop.load()) {
    auto started = clock_.Now();
    const auto claim_start = clock_.Now();
    Result<std::optional<Batch>> claimed = ahead.valid() ? ahead.get() : store_.Claim(limits);
    split_.claim += clock_.Now() - claim_start;
    // More rows wait behind a full batch: claim them while this one is being delivered (not
    // once stopping: that claim would only have to be given back).
    if (claim_ahead_ != nullptr && !stop.load() && claimed.ok() && claimed->has_value() &&
        (*claimed)->full) {
      ahead = std::async(std::launch::async, [this, limits, context = log::BoundFields()] {
        log::BoundContext bound(context);  // its lines name the relay and the source too
        return claim_ahead_->Claim(limits);
      });
    }
    StepOutcome o = DeliverClaimed(store_, sink_, policy_, std::move(claimed), jitter_);
    delivered_ += o.delivered;
    split_.delivered += o.delivered;
    split_.batches += o.claimed ? 1 : 0;
    split_.read += o.read_time;
    split_.send += o.send_time;
    split_.mark += o.mark_time;
    if (o.inserts > 0) last_insert = started;
    LogOutcome(o, clock_.Now() - started);
    // Rejected rows wait in the ledger for their own retry; the queue moves on.
    bool stalled = !o.error.ok() && o.error.code() != StatusCode::kRejected;
    if (stalled) {
      ++failures_in_a_row;
      clock_.SleepFor(
          BackoffDelay(failures_in_a_row, policy_.retry_base, policy_.retry_max, jitter_));
      continue;
    }
    failures_in_a_row = 0;
    if (o.full_batch) continue;
    auto next = clock_.Now() + (o.claimed ? Clock::Duration(0) : policy_.poll_interval);
    if (last_insert) next = std::max(next, *last_insert + policy_.min_insert_interval);
    auto wait = std::chrono::ceil<Clock::Duration>(next - clock_.Now());
    if (wait.count() > 0) clock_.SleepFor(wait);
  }
  if (ahead.valid()) GiveBackUnsent(ahead.get());
  auto seconds = [](std::chrono::nanoseconds d) {
    return std::chrono::duration<double>(d).count();
  };
  log::Info(kLogger, "relay time split",
            {{"batches", split_.batches},
             {"delivered", split_.delivered},
             {"claim_s", seconds(split_.claim)},
             {"read_s", seconds(split_.read)},
             {"send_s", seconds(split_.send)},
             {"mark_s", seconds(split_.mark)}});
}

void Relay::GiveBackUnsent(const Result<std::optional<Batch>>& claimed) {
  if (!claimed.ok() || !claimed->has_value()) return;
  const Batch& b = *claimed.value();
  BatchRetry retry;
  retry.remaining = b.rows;
  retry.whole_batch = b.streamable;  // its rows were never loaded
  retry.error = "relay stopped before sending it";
  if (Status s = store_.Release(b, retry); !s.ok()) {  // its lease runs out instead
    log::Warn(kLogger, "could not give back a batch claimed ahead",
              {{"batch_id", b.batch_id}, {"error", s.ToString()}});
  }
}

}  // namespace eventlog
