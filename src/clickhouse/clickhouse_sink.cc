#include "clickhouse/clickhouse_sink.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/pinned_settings.h"
#include "clickhouse/presence_check.h"
#include "core/outbox_store.h"  // ClaimBytesOf
#include "core/tsv.h"
#include "core/utc_time.h"

namespace eventlog {
namespace {

constexpr int64_t kUsPerSecond = 1000000;
// DateTime: UInt32 seconds. DateTime64: 1900-01-01 .. 2299-12-31 on modern servers.
constexpr int64_t kDateTimeMaxUs = 4294967295LL * kUsPerSecond;
constexpr int64_t kDateTime64MinUs = -2208988800LL * kUsPerSecond;
constexpr int64_t kDateTime64MaxUs = 10413791999LL * kUsPerSecond;

// IN lists of a recovery check can be long: lift the 256 KiB default query size limit.
const std::map<std::string, std::string> kLargeQuery = {{"max_query_size", "67108864"}};

int64_t MinUs(const TimeColumn& c) { return c.is_datetime64 ? kDateTime64MinUs : 0; }
int64_t MaxUs(const TimeColumn& c) { return c.is_datetime64 ? kDateTime64MaxUs : kDateTimeMaxUs; }

// Adds the bytes of `inner`'s pieces to `bytes` as they pass (for the INSERT's observer).
class ByteCountingStream : public RowStream {
 public:
  ByteCountingStream(RowStream& inner, int64_t& bytes) : inner_(inner), bytes_(bytes) {}
  Result<std::string_view> Next() override {
    auto piece = inner_.Next();
    if (piece.ok()) bytes_ += static_cast<int64_t>(piece->size());
    return piece;
  }
  int64_t rows() const override { return inner_.rows(); }
  std::chrono::nanoseconds read_time() const override { return inner_.read_time(); }

 private:
  RowStream& inner_;
  int64_t& bytes_;
};

Result<std::set<std::string>> ReadKnownSettings(ClickHouseClient& client) {
  auto r = client.Execute(KnownSettingsQuery());
  if (!r.ok()) return r.status();
  std::set<std::string> known;
  std::string_view body = r.value();
  while (!body.empty()) {
    auto nl = std::min(body.find('\n'), body.size());
    if (nl > 0) known.emplace(body.substr(0, nl));
    body.remove_prefix(std::min(nl + 1, body.size()));
  }
  return known;
}

}  // namespace

std::string QuoteClickHouse(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

bool FitsTimeColumn(int64_t time_us, const TimeColumn& column) {
  return time_us >= MinUs(column) && time_us <= MaxUs(column);
}

std::string TimeBoundLiteral(int64_t time_us, const TimeColumn& column) {
  int64_t us = std::clamp(time_us, MinUs(column), MaxUs(column));
  if (column.is_datetime64) {
    return "toDateTime64(" + QuoteClickHouse(FormatUtcDateTime(us, 6)) + ", 6, 'UTC')";
  }
  return "toDateTime(" + QuoteClickHouse(FormatUtcDateTime(us, 0)) + ", 'UTC')";
}

ClickHouseSink::ClickHouseSink(ClickHouseOptions options, std::string table)
    : client_(std::move(options)), table_(std::move(table)) {
  qualified_table_ = client_.options().database + "." + table_;
  node_ = client_.options().host + ":" + std::to_string(client_.options().port);
}

Status ClickHouseSink::Probe() {
  server_.reset();
  auto s = LearnServer();
  return s.ok() ? Status::Ok() : s.status();
}

Result<ClickHouseSink::Server> ClickHouseSink::LearnServer() {
  if (server_) return *server_;
  auto column = ReadTimeColumn(client_, client_.options().database, table_);
  if (!column.ok()) return column.status();
  auto known = ReadKnownSettings(client_);
  if (!known.ok()) return known.status();
  server_ = Server{column.value(), PinnedSettings(known.value())};
  return *server_;
}

Status ClickHouseSink::Remember(Status s) {
  if (s.code() == StatusCode::kFailedPrecondition) server_.reset();
  return s;
}

std::map<std::string, std::string> ClickHouseSink::BatchSettings(int64_t batch_id,
                                                                 const Server& server) const {
  std::map<std::string, std::string> settings = server.pinned;
  settings.insert(kLargeQuery.begin(), kLargeQuery.end());
  if (batch_id > 0) {
    settings["query_id"] = "eventlog-" + qualified_table_ + "-batch-" + std::to_string(batch_id);
  }
  return settings;
}

Status ClickHouseSink::Insert(int64_t batch_id, const std::vector<OutboxRow>& rows) {
  if (rows.empty()) return Status::Ok();
  auto server = LearnServer();
  if (!server.ok()) return server.status();
  const TimeColumn& column = server->time_column;
  // A timestamp the column cannot hold would be stored wrapped by old servers: refuse it here.
  for (const OutboxRow& r : rows) {
    if (!FitsTimeColumn(r.event_time_us, column)) {
      return {StatusCode::kRejected, "event " + r.event_id + ": event_date_time " +
                                         FormatUtcDateTime(r.event_time_us, 0) +
                                         " is outside the range of event_log.event_date_time"};
    }
  }
  int64_t bytes = 0;
  for (const OutboxRow& r : rows) bytes += ClaimBytesOf(r);
  return SendInsert({"INSERT INTO " + qualified_table_ + " (" + std::string(kInsertColumns) +
                         ") FORMAT TabSeparated",
                     EncodeForClickHouse(rows, column), BatchSettings(batch_id, *server)},
                    static_cast<int64_t>(rows.size()), bytes);
}

Status ClickHouseSink::SendInsert(const ClickHouseRequest& request, int64_t rows,
                                  const int64_t& bytes) {
  const auto start = std::chrono::steady_clock::now();
  auto r = client_.Send(request);
  Status s = !r.ok() ? Remember(r.status()) : CheckWritten(r->written_rows, rows);
  if (observer_) {
    observer_({.node = node_,
               .took = std::chrono::steady_clock::now() - start,
               .rows = request.stream != nullptr ? request.stream->rows() : rows,
               .bytes = bytes,
               .ok = s.ok()});
  }
  return s;
}

Status ClickHouseSink::CheckWritten(int64_t written, int64_t sent) {
  // Servers that send X-ClickHouse-Summary (not 18.16) say how many rows they wrote; views
  // add to the count, so fewer than we sent means some were dropped on the way.
  if (written >= 0 && written < sent) {
    return {StatusCode::kUnavailable, "partial write suspected: ClickHouse reports " +
                                          std::to_string(written) + " of " + std::to_string(sent) +
                                          " rows written"};
  }
  return Status::Ok();
}

Result<StreamFormat> ClickHouseSink::FormatForStream() {
  auto server = LearnServer();
  if (!server.ok()) return server.status();
  const TimeColumn& column = server->time_column;
  return StreamFormat{.time_digits = column.is_datetime64 ? column.precision : 0,
                      .min_time_us = MinUs(column),
                      .max_time_us = MaxUs(column),
                      .expected_rows = -1,
                      .shard_slots = 0,
                      .slots = {}};
}

Status ClickHouseSink::InsertStream(int64_t batch_id, const RowStreamOpener& open,
                                    int64_t expected_rows) {
  auto format = FormatForStream();
  if (!format.ok()) return format.status();
  format->expected_rows = expected_rows;
  auto rows = open(*format);
  if (!rows.ok()) return rows.status();
  return SendStream(batch_id, **rows);
}

Status ClickHouseSink::SendStream(int64_t batch_id, RowStream& rows) {
  auto server = LearnServer();
  if (!server.ok()) return server.status();
  int64_t bytes = 0;
  ByteCountingStream counted(rows, bytes);
  ClickHouseRequest request{.query = "INSERT INTO " + qualified_table_ + " (" +
                                     std::string(kInsertColumns) + ") FORMAT TabSeparated",
                            .body = {},
                            .settings = BatchSettings(batch_id, *server),
                            .max_response_bytes = 0,
                            .stream = &counted};
  return SendInsert(request, rows.rows(), bytes);
}

Result<Presence> ClickHouseSink::FindPresent(int64_t batch_id, const std::vector<OutboxRow>& rows) {
  Presence found;
  if (rows.empty()) return found;
  auto server = LearnServer();
  if (!server.ok()) return server.status();
  for (size_t start = 0; start < rows.size(); start += kMaxIdsPerPresenceQuery) {
    auto first = rows.begin() + static_cast<std::ptrdiff_t>(start);
    auto last = rows.begin() +
                static_cast<std::ptrdiff_t>(std::min(rows.size(), start + kMaxIdsPerPresenceQuery));
    std::vector<OutboxRow> part(first, last);
    auto r = client_.Send({PresenceQuery(qualified_table_, part, server->time_column),
                           {},
                           BatchSettings(batch_id, *server),
                           PresenceAnswerCap(part)});
    if (!r.ok()) return Remember(r.status());
    if (Status s = ReadPresenceAnswer(r->body, part, found); !s.ok()) return s;
  }
  return found;
}

}  // namespace eventlog
