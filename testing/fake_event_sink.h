#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/event_sink.h"

namespace eventlog::testing {

// An in-memory ClickHouse event_log. Keeps every inserted row in a vector, so a duplicate
// insert shows up as two rows. Failures are injected per call. Thread-safe.
class FakeEventSink : public EventSink {
 public:
  using RowPredicate = std::function<bool(const OutboxRow&)>;
  using InsertHook = std::function<void(const std::vector<OutboxRow>&)>;

  // Order of effects: the hook, an injected failure, a rejection, the rows stored, then a
  // lost response. Every call is counted, failed or not.
  Status Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) override;
  // Present: a stored row with the same id, type, environment and context; reused: only
  // stored rows with the same id and other content.
  Result<Presence> FindPresent(int64_t batch_id, const std::vector<OutboxRow>& rows) override;

  // An Insert holding any row that matches `bad` fails as a whole with kRejected and
  // ClickHouse code 376; the message names `reason` and the first bad row's event id.
  void RejectIf(RowPredicate bad, std::string reason = "Cannot parse uuid");
  // With `store`, a rejected Insert stores its rows before it fails, as ClickHouse does when
  // a materialized view on the table throws.
  void StoreRejectedBlocks(bool store);
  // The next `n` Insert calls store nothing and return `status`.
  void FailNextInserts(int n, Status status);
  // The next `n` Insert calls store their rows and then return kUnavailable, as when the
  // connection drops after ClickHouse committed the INSERT.
  void LoseNextResponses(int n);
  // The next `n` FindPresent calls return `status`.
  void FailNextFindPresent(int n, Status status);
  // Runs at the start of every Insert (e.g. to let another relay steal the batch meanwhile).
  void SetBeforeInsert(InsertHook hook);

  std::vector<OutboxRow> rows() const;
  int CountOf(const std::string& event_id) const;
  int insert_calls() const;
  std::vector<size_t> rows_per_insert() const;  // one entry per Insert call
  int find_present_calls() const;

 private:
  mutable std::mutex mu_;
  std::vector<OutboxRow> rows_;
  std::vector<size_t> rows_per_insert_;
  int find_present_calls_ = 0;
  RowPredicate reject_;
  std::string reject_reason_;
  bool write_before_reject_ = false;
  int fail_inserts_ = 0;
  Status fail_insert_status_;
  int lose_responses_ = 0;
  int fail_find_ = 0;
  Status fail_find_status_;
  InsertHook before_insert_;
};

}  // namespace eventlog::testing
