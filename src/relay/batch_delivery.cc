#include "relay/batch_delivery.h"

#include <algorithm>

namespace eventlog {
namespace {

class Delivery {
 public:
  Delivery(EventSink& sink, int64_t batch_id, const std::function<Status()>& before_insert)
      : sink_(sink), batch_id_(batch_id), before_insert_(before_insert) {}

  // Sends `rows` as one INSERT; on a data error isolates the rows the server refuses.
  void Deliver(std::vector<OutboxRow> rows) {
    if (rows.empty()) return;
    if (!report_.failure.ok()) {  // an earlier part failed: keep the rest for the retry
      Keep(rows);
      return;
    }
    Status s = before_insert_();
    if (s.ok()) {
      s = sink_.Insert(batch_id_, rows);
      ++report_.inserts;
    }
    if (s.ok()) {
      report_.delivered += static_cast<int64_t>(rows.size());
    } else if ((s.code() != StatusCode::kRejected && s.code() != StatusCode::kTooLarge) ||
               IsServerStrain(s)) {
      report_.failure = s;
      Keep(rows);
    } else if (DropPresent(rows); rows.empty() || !report_.failure.ok()) {
      Keep(rows);
    } else if (rows.size() == 1) {
      report_.rejected.push_back({std::move(rows.front()), s.ToString()});
    } else {
      auto mid = rows.begin() + static_cast<std::ptrdiff_t>(rows.size() / 2);
      std::vector<OutboxRow> right(std::make_move_iterator(mid),
                                   std::make_move_iterator(rows.end()));
      rows.erase(mid, rows.end());
      Deliver(std::move(rows));
      Deliver(std::move(right));
    }
  }

  DeliveryReport Take() { return std::move(report_); }

 private:
  void Keep(std::vector<OutboxRow>& rows) {
    for (auto& r : rows) report_.undelivered.push_back(std::move(r));
    rows.clear();
  }

  // A refused INSERT is not proof that nothing was written: a materialized view that throws
  // fails the INSERT after the table took the block. Rows ClickHouse holds are delivered;
  // sending them again would store them twice. A failed check stops the delivery.
  void DropPresent(std::vector<OutboxRow>& rows) {
    auto held = RemoveHeldRows(sink_, batch_id_, rows, report_.reused);
    if (held.ok()) {
      report_.already_present += held.value();
    } else {
      report_.failure = held.status();
    }
  }

  EventSink& sink_;
  const int64_t batch_id_;
  const std::function<Status()>& before_insert_;
  DeliveryReport report_;
};

}  // namespace

bool IsServerStrain(const Status& s) { return s.cause() == FailureCause::kServerStrain; }

Result<int64_t> RemoveHeldRows(EventSink& sink, int64_t batch_id, std::vector<OutboxRow>& rows,
                               std::vector<DeadLetter>& reused) {
  auto held = sink.FindPresent(batch_id, rows);
  if (!held.ok()) return held.status();
  int64_t present = 0;
  std::vector<OutboxRow> kept;
  kept.reserve(rows.size());
  for (auto& r : rows) {
    if (held->present.count(r.event_id) > 0) {
      ++present;
    } else if (held->reused.count(r.event_id) > 0) {
      reused.push_back(
          {std::move(r), "event_id reused: event_log already holds another event with this id"});
    } else {
      kept.push_back(std::move(r));
    }
  }
  rows = std::move(kept);
  return present;
}

DeliveryReport DeliverIsolatingRejects(EventSink& sink, int64_t batch_id,
                                       const std::vector<OutboxRow>& rows,
                                       const std::function<Status()>& before_insert,
                                       size_t max_rows_per_insert) {
  Delivery delivery(sink, batch_id, before_insert);
  const size_t chunk = std::max<size_t>(1, max_rows_per_insert);
  for (size_t start = 0; start < rows.size(); start += chunk) {
    auto first = rows.begin() + static_cast<std::ptrdiff_t>(start);
    auto last = rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), start + chunk));
    delivery.Deliver(std::vector<OutboxRow>(first, last));
  }
  return delivery.Take();
}

}  // namespace eventlog
