#pragma once

#include <optional>
#include <string>

#include "clickhouse/http_client.h"
#include "core/row_codec.h"
#include "eventlog/event_sink.h"

namespace eventlog {

// event_log in ClickHouse. Learns the column type of event_date_time from the server (on first
// use and again after a schema error), so one relay binary serves ClickHouse 18.16 (DateTime)
// and modern servers (DateTime64).
class ClickHouseSink : public EventSink {
 public:
  ClickHouseSink(ClickHouseOptions options, std::string table);

  Status Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) override;
  Result<std::unordered_set<std::string>> FindPresent(int64_t batch_id,
                                                      const std::vector<OutboxRow>& rows) override;

  // Connects and reads the schema now (start-up check); Insert does it lazily too.
  Status Probe();

 private:
  Result<TimeColumn> LearnTimeColumn();
  Status Remember(Status s);  // forgets the schema after a schema error
  // ClickHouse refuses a query whose query_id is still running (code 216): every request of a
  // batch carries the batch's id, so a recovery check never overlaps an INSERT the server is
  // still executing after its client timed out.
  std::map<std::string, std::string> BatchSettings(int64_t batch_id) const;

  ClickHouseClient client_;
  std::string table_;
  std::string qualified_table_;
  std::optional<TimeColumn> time_column_;
};

// Text of a string literal in ClickHouse SQL: 'it\'s'.
std::string QuoteClickHouse(std::string_view s);

// Smallest and largest microsecond timestamps `column` stores without wrapping.
bool FitsTimeColumn(int64_t time_us, const TimeColumn& column);

}  // namespace eventlog
