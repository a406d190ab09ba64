#pragma once

#include <optional>
#include <string>

#include "clickhouse/clickhouse_rows.h"
#include "clickhouse/http_client.h"
#include "core/event_sink.h"

namespace eventlog {

// event_log in ClickHouse. Learns from the server (on first use and again after a schema error)
// the column type of event_date_time, so one relay binary serves ClickHouse 18.16 (DateTime)
// and modern servers (DateTime64), and which settings it knows, so that every request pins
// those that keep a 200 honest (clickhouse/pinned_settings.h). Refuses a time column without
// the UTC zone. Not thread-safe: one sink per relay thread.
class ClickHouseSink : public EventSink {
 public:
  ClickHouseSink(ClickHouseOptions options, std::string table);

  Status Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) override;
  Result<Presence> FindPresent(int64_t batch_id, const std::vector<OutboxRow>& rows) override;
  bool Streams() const override { return true; }
  Status InsertStream(int64_t batch_id, const RowStreamOpener& open,
                      int64_t expected_rows) override;
  void ObserveInserts(InsertObserver observer) override { observer_ = std::move(observer); }

  // The format this server's table takes (RowStream's contract), every row, no count check.
  Result<StreamFormat> FormatForStream();
  // One INSERT whose body is `rows`, sent as it is read (ClusterSink sends its parts so).
  Status SendStream(int64_t batch_id, RowStream& rows);

  // Connects and reads the schema and settings now (start-up check); Insert does it lazily too.
  Status Probe();

 private:
  struct Server {
    TimeColumn time_column;
    std::map<std::string, std::string> pinned;  // PinnedSettings for this server
  };
  Result<Server> LearnServer();
  Status Remember(Status s);  // forgets the schema after a schema error
  // Fewer rows written than sent (servers that say, not 18.16): some were dropped on the way.
  static Status CheckWritten(int64_t written, int64_t sent);
  // ClickHouse refuses a query whose query_id is still running (code 216): every request of a
  // batch carries the batch's id, so a recovery check never overlaps an INSERT the server is
  // still executing after its client timed out.
  std::map<std::string, std::string> BatchSettings(int64_t batch_id, const Server& server) const;
  // Sends one INSERT and tells the observer what it carried and how it went. `bytes` is read
  // after the request (a streamed body counts its bytes as they are sent).
  Status SendInsert(const ClickHouseRequest& request, int64_t rows, const int64_t& bytes);

  ClickHouseClient client_;
  std::string table_;
  std::string qualified_table_;
  std::optional<Server> server_;
  std::string node_;  // host:port, for the observer
  InsertObserver observer_;
};

// Text of a string literal in ClickHouse SQL: 'it\'s'.
std::string QuoteClickHouse(std::string_view s);

// Smallest and largest microsecond timestamps `column` stores without wrapping.
bool FitsTimeColumn(int64_t time_us, const TimeColumn& column);

// A bound for event_date_time in a recovery check: `time_us` clamped to the column's range, as
// a literal of the column's own type read in UTC whatever the server's zone
// (toDateTime64('...', 6, 'UTC') or toDateTime('...', 'UTC')).
std::string TimeBoundLiteral(int64_t time_us, const TimeColumn& column);

}  // namespace eventlog
