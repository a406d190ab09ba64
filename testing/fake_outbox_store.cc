#include "testing/fake_outbox_store.h"

#include <cstdio>
#include <utility>

#include "outbox/ledger_payload.h"

namespace eventlog::testing {
namespace {

Status LeaseLost(const Batch& b) {
  return {StatusCode::kLeaseLost, "batch " + std::to_string(b.batch_id) + " is not leased to us"};
}

std::vector<OutboxRow> Decode(const std::string& payload) {
  return DecodeLedgerPayload(payload).rows;
}

}  // namespace

std::vector<OutboxRow> MakeRows(int n, int first) {
  std::vector<OutboxRow> rows;
  for (int i = first; i < first + n; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-7000-8000-%012d", i);
    rows.push_back({.event_id = id,
                    .event_type = "user_created",
                    .event_time_us = 1714564800000000 + i,
                    .environment = "Test",
                    .event_context = R"({"n":)" + std::to_string(i) + "}",
                    .metadata_version = 1,
                    .trace_id = "",
                    .span_id = ""});
  }
  return rows;
}

FakeOutboxStore::FakeOutboxStore(Clock& clock, std::chrono::milliseconds lease)
    : clock_(clock), lease_(lease) {}

std::optional<Status> FakeOutboxStore::Enter(StoreMethod method) {
  ++calls_[method];
  Fault& f = faults_[method];
  if (f.remaining == 0) return std::nullopt;
  --f.remaining;
  return f.status;
}

FakeOutboxStore::StoredBatch* FakeOutboxStore::Owned(const Batch& batch) {
  auto it = ledger_.find(batch.batch_id);
  if (it == ledger_.end() || it->second.lease_token != batch.lease_token) return nullptr;
  return &it->second;
}

Result<std::optional<Batch>> FakeOutboxStore::Claim(const ClaimLimits& limits) {
  std::lock_guard lock(mu_);
  if (auto fault = Enter(StoreMethod::kClaim)) return *fault;
  auto due = TakeOverDueBatch();
  if (!due.ok() || due->has_value()) return due;
  Batch fresh = ClaimNewRows(limits);
  if (fresh.rows.empty()) return std::optional<Batch>();
  return std::optional<Batch>(std::move(fresh));
}

Result<std::optional<Batch>> FakeOutboxStore::TakeOverDueBatch() {
  auto now = clock_.Now();
  for (auto& [id, b] : ledger_) {
    if (b.lease_until > now) continue;
    auto rows = DecodeLedgerPayload(b.payload);
    b.lease_token = next_lease_token_++;
    b.owned = true;
    b.lease_until = now + lease_;
    Batch out{.batch_id = id,
              .lease_token = b.lease_token,
              .attempts = b.attempts,
              .rejections = b.rejections,
              .timeouts = b.timeouts,
              .recovered = true,
              .rows = std::move(rows.rows)};
    return std::optional<Batch>(std::move(out));
  }
  return std::optional<Batch>();
}

Batch FakeOutboxStore::ClaimNewRows(const ClaimLimits& limits) {
  Batch b;
  int64_t bytes = 0;
  while (!outbox_.empty() && static_cast<int>(b.rows.size()) < limits.max_rows &&
         bytes < limits.max_bytes) {
    const OutboxRow& r = outbox_.front();
    bytes += ClaimBytesOf(r);
    b.rows.push_back(std::move(outbox_.front()));
    outbox_.pop_front();
  }
  b.full = !outbox_.empty();
  if (b.rows.empty()) return b;
  b.batch_id = next_batch_id_++;
  b.lease_token = next_lease_token_++;
  StoredBatch& stored = ledger_[b.batch_id];
  stored.lease_token = b.lease_token;
  stored.owned = true;
  stored.lease_until = clock_.Now() + lease_;
  stored.payload = EncodeLedgerPayload(b.rows);
  return b;
}

Status FakeOutboxStore::Renew(const Batch& batch) {
  std::lock_guard lock(mu_);
  if (auto fault = Enter(StoreMethod::kRenew)) return *fault;
  StoredBatch* b = Owned(batch);
  if (b == nullptr) return LeaseLost(batch);
  b->lease_until = clock_.Now() + lease_;
  return Status::Ok();
}

Status FakeOutboxStore::Complete(const Batch& batch, int64_t delivered,
                                 const std::vector<DeadLetter>& dead) {
  std::lock_guard lock(mu_);
  if (auto fault = Enter(StoreMethod::kComplete)) return *fault;
  StoredBatch* b = Owned(batch);
  if (b == nullptr) return LeaseLost(batch);
  for (const DeadLetter& d : dead) dead_letters_.push_back({d.row, d.error, batch.attempts + 1});
  if (delivered > 0) delivered_ += delivered;
  ledger_.erase(batch.batch_id);
  return Status::Ok();
}

Status FakeOutboxStore::Release(const Batch& batch, const BatchRetry& retry) {
  std::lock_guard lock(mu_);
  if (auto fault = Enter(StoreMethod::kRelease)) return *fault;
  StoredBatch* b = Owned(batch);
  if (b == nullptr) return LeaseLost(batch);
  b->owned = false;
  b->lease_until = clock_.Now() + retry.retry_in;
  b->attempts += retry.attempted ? 1 : 0;
  b->rejections += retry.rejected ? 1 : 0;
  b->timeouts += retry.timed_out ? 1 : 0;
  b->last_error = retry.error;
  b->payload = EncodeLedgerPayload(retry.remaining);
  for (const DeadLetter& d : retry.dead)
    dead_letters_.push_back({d.row, d.error, batch.attempts + 1});
  if (retry.delivered > 0) delivered_ += retry.delivered;
  return Status::Ok();
}

void FakeOutboxStore::Add(const std::vector<OutboxRow>& rows) {
  std::lock_guard lock(mu_);
  outbox_.insert(outbox_.end(), rows.begin(), rows.end());
}

void FakeOutboxStore::ExpireAllLeases() {
  std::lock_guard lock(mu_);
  auto now = clock_.Now();
  for (auto& [id, b] : ledger_) b.lease_until = now;
}

void FakeOutboxStore::FailNext(StoreMethod method, int n, Status status) {
  std::lock_guard lock(mu_);
  faults_[method] = {n, std::move(status)};
}

std::vector<OutboxRow> FakeOutboxStore::outbox_rows() const {
  std::lock_guard lock(mu_);
  return {outbox_.begin(), outbox_.end()};
}

std::vector<OutboxRow> FakeOutboxStore::pending_rows() const {
  std::lock_guard lock(mu_);
  std::vector<OutboxRow> rows;
  for (const auto& [id, b] : ledger_) {
    for (auto& r : Decode(b.payload)) rows.push_back(std::move(r));
  }
  rows.insert(rows.end(), outbox_.begin(), outbox_.end());
  return rows;
}

LedgerEntry FakeOutboxStore::ToEntry(int64_t batch_id, const StoredBatch& b) const {
  return {.batch_id = batch_id,
          .lease_token = b.lease_token,
          .owned = b.owned,
          .lease_until = b.lease_until,
          .attempts = b.attempts,
          .rejections = b.rejections,
          .last_error = b.last_error,
          .rows = Decode(b.payload)};
}

std::vector<LedgerEntry> FakeOutboxStore::batches() const {
  std::lock_guard lock(mu_);
  std::vector<LedgerEntry> out;
  for (const auto& [id, b] : ledger_) out.push_back(ToEntry(id, b));
  return out;
}

std::optional<LedgerEntry> FakeOutboxStore::batch(int64_t batch_id) const {
  std::lock_guard lock(mu_);
  auto it = ledger_.find(batch_id);
  if (it == ledger_.end()) return std::nullopt;
  return ToEntry(it->first, it->second);
}

std::vector<StoredDeadLetter> FakeOutboxStore::dead_letters() const {
  std::lock_guard lock(mu_);
  return dead_letters_;
}

int64_t FakeOutboxStore::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

int FakeOutboxStore::calls(StoreMethod method) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(method);
  return it == calls_.end() ? 0 : it->second;
}

}  // namespace eventlog::testing
