#include "eventlog/relay.h"

#include <algorithm>
#include <optional>
#include <random>

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

Relay::Relay(OutboxStore& store, EventSink& sink, Clock& clock, RelayPolicy policy)
    : store_(store), sink_(sink), clock_(clock), policy_(policy) {}

void Relay::Run(const std::atomic<bool>& stop) {
  std::mt19937_64 rng{std::random_device{}()};
  int failures_in_a_row = 0;
  std::optional<std::chrono::steady_clock::time_point> last_insert;
  while (!stop.load()) {
    auto started = clock_.Now();
    StepOutcome o = RunRelayStep(store_, sink_, policy_);
    delivered_ += o.delivered;
    if (o.inserts > 0) last_insert = started;
    LogOutcome(o, clock_.Now() - started);
    // Rejected rows wait in the ledger for their own retry; the queue moves on.
    bool stalled = !o.error.ok() && o.error.code() != StatusCode::kRejected;
    if (stalled) {
      ++failures_in_a_row;
      clock_.SleepFor(BackoffDelay(failures_in_a_row, policy_.retry_base, policy_.retry_max, rng));
      continue;
    }
    failures_in_a_row = 0;
    if (o.full_batch) continue;
    auto next = clock_.Now() + (o.claimed ? Clock::Duration(0) : policy_.poll_interval);
    if (last_insert) next = std::max(next, *last_insert + policy_.min_insert_interval);
    auto wait = std::chrono::ceil<Clock::Duration>(next - clock_.Now());
    if (wait.count() > 0) clock_.SleepFor(wait);
  }
}

}  // namespace eventlog
