#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "eventlog/status.h"

namespace eventlog {

// How a sink takes a streamed batch: ClickHouse TabSeparated lines in the column order of
// kInsertColumns (src/clickhouse/clickhouse_rows.h), each field escaped as PostgreSQL's COPY
// text format does (which ClickHouse's TabSeparated reads back byte for byte), the time written
// 'YYYY-MM-DD hh:mm:ss' in UTC with `time_digits` fractional digits. A row whose time falls
// outside [min_time_us, max_time_us] (what the column holds) is written with an unparsable time,
// so that the server refuses the INSERT and the row is isolated like any refused row.
struct StreamFormat {
  int time_digits = 6;
  int64_t min_time_us = 0;
  int64_t max_time_us = 0;
  // The stream ends in an error unless exactly this many rows came; -1: no check (a part).
  int64_t expected_rows = -1;
  // A cluster's part: only rows whose shard slot (the shard key, shard_key.h, modulo
  // `shard_slots`) is one of `slots`. 0: every row.
  int shard_slots = 0;
  std::vector<int> slots;
};

// A batch's rows as bytes, pulled piece by piece while they are sent: neither the relay nor its
// memory holds the batch. Not thread-safe.
class RowStream {
 public:
  virtual ~RowStream() = default;
  // The next piece (whole rows); empty once every row has come. An error ends the stream: the
  // bytes before it are not the whole batch and must not be stored as if they were. The view is
  // valid until the next call.
  virtual Result<std::string_view> Next() = 0;
  // Rows handed out so far.
  virtual int64_t rows() const = 0;
  // Time spent waiting for the source (PostgreSQL) inside Next, for the relay's time split.
  virtual std::chrono::nanoseconds read_time() const = 0;
};

// Opens a stream of one batch's rows in a format (OutboxStore::StreamRows bound to the batch):
// a sink opens one per request it sends (a cluster: one per shard and try).
using RowStreamOpener = std::function<Result<std::unique_ptr<RowStream>>(const StreamFormat&)>;

}  // namespace eventlog
