#include "relay/batch_delivery.h"

namespace eventlog {
namespace {

void Deliver(EventSink& sink, int64_t batch_id, std::vector<OutboxRow> rows,
             const std::function<Status()>& before_insert, DeliveryReport& report) {
  if (rows.empty()) return;
  if (!report.failure.ok()) {  // an earlier part failed: keep the rest for the retry
    for (auto& r : rows) report.undelivered.push_back(std::move(r));
    return;
  }
  Status s = before_insert();
  if (s.ok()) {
    s = sink.Insert(batch_id, rows);
    ++report.inserts;
  }
  if (s.ok()) {
    report.delivered += static_cast<int64_t>(rows.size());
  } else if (s.code() != StatusCode::kRejected) {
    report.failure = s;
    for (auto& r : rows) report.undelivered.push_back(std::move(r));
  } else if (rows.size() == 1) {
    report.rejected.push_back({std::move(rows.front()), s.ToString()});
  } else {
    auto mid = rows.begin() + static_cast<std::ptrdiff_t>(rows.size() / 2);
    std::vector<OutboxRow> right(std::make_move_iterator(mid), std::make_move_iterator(rows.end()));
    rows.erase(mid, rows.end());
    Deliver(sink, batch_id, std::move(rows), before_insert, report);
    Deliver(sink, batch_id, std::move(right), before_insert, report);
  }
}

}  // namespace

DeliveryReport DeliverIsolatingRejects(EventSink& sink, int64_t batch_id,
                                       const std::vector<OutboxRow>& rows,
                                       const std::function<Status()>& before_insert) {
  DeliveryReport report;
  Deliver(sink, batch_id, rows, before_insert, report);
  return report;
}

}  // namespace eventlog
