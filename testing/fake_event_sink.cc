#include "testing/fake_event_sink.h"

#include <algorithm>
#include <utility>

namespace eventlog::testing {

Status FakeEventSink::Insert(int64_t /*batch_id*/, const std::vector<OutboxRow>& rows) {
  InsertHook hook;
  {
    std::lock_guard lock(mu_);
    hook = before_insert_;
  }
  if (hook) hook(rows);
  std::lock_guard lock(mu_);
  rows_per_insert_.push_back(rows.size());
  if (fail_inserts_ > 0) {
    --fail_inserts_;
    return fail_insert_status_;
  }
  if (reject_) {
    auto bad = std::find_if(rows.begin(), rows.end(), reject_);
    if (bad != rows.end()) {
      // A materialized view that throws: the table took the block before the view refused.
      if (write_before_reject_) rows_.insert(rows_.end(), rows.begin(), rows.end());
      return {StatusCode::kRejected,
              "Code: 376. DB::Exception: " + reject_reason_ + " in event " + bad->event_id, 376};
    }
  }
  rows_.insert(rows_.end(), rows.begin(), rows.end());
  if (lose_responses_ > 0) {
    --lose_responses_;
    return {StatusCode::kUnavailable, "connection reset after the INSERT was sent"};
  }
  return Status::Ok();
}

Result<Presence> FakeEventSink::FindPresent(int64_t /*batch_id*/,
                                            const std::vector<OutboxRow>& rows) {
  std::lock_guard lock(mu_);
  ++find_present_calls_;
  if (fail_find_ > 0) {
    --fail_find_;
    return fail_find_status_;
  }
  auto same_event = [](const OutboxRow& a, const OutboxRow& b) {
    return a.event_type == b.event_type && a.environment == b.environment &&
           a.event_context == b.event_context;
  };
  Presence found;
  for (const auto& r : rows) {
    for (const auto& stored : rows_) {
      if (stored.event_id != r.event_id) continue;
      (same_event(stored, r) ? found.present : found.reused).insert(r.event_id);
    }
  }
  for (const std::string& id : found.present) found.reused.erase(id);
  return found;
}

void FakeEventSink::RejectIf(RowPredicate bad, std::string reason) {
  std::lock_guard lock(mu_);
  reject_ = std::move(bad);
  reject_reason_ = std::move(reason);
}

void FakeEventSink::StoreRejectedBlocks(bool store) {
  std::lock_guard lock(mu_);
  write_before_reject_ = store;
}

void FakeEventSink::FailNextInserts(int n, Status status) {
  std::lock_guard lock(mu_);
  fail_inserts_ = n;
  fail_insert_status_ = std::move(status);
}

void FakeEventSink::LoseNextResponses(int n) {
  std::lock_guard lock(mu_);
  lose_responses_ = n;
}

void FakeEventSink::FailNextFindPresent(int n, Status status) {
  std::lock_guard lock(mu_);
  fail_find_ = n;
  fail_find_status_ = std::move(status);
}

void FakeEventSink::SetBeforeInsert(InsertHook hook) {
  std::lock_guard lock(mu_);
  before_insert_ = std::move(hook);
}

std::vector<OutboxRow> FakeEventSink::rows() const {
  std::lock_guard lock(mu_);
  return rows_;
}

int FakeEventSink::CountOf(const std::string& event_id) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(
      rows_.begin(), rows_.end(), [&](const OutboxRow& r) { return r.event_id == event_id; }));
}

int FakeEventSink::insert_calls() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(rows_per_insert_.size());
}

std::vector<size_t> FakeEventSink::rows_per_insert() const {
  std::lock_guard lock(mu_);
  return rows_per_insert_;
}

int FakeEventSink::find_present_calls() const {
  std::lock_guard lock(mu_);
  return find_present_calls_;
}

}  // namespace eventlog::testing
