#include "outbox/pg_copy_stream.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>

#include "core/secrets.h"
#include "outbox/pg_pool.h"
#include "outbox/pg_watchdog.h"

namespace eventlog {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How often a wait for rows looks at AbortPgCalls.
constexpr int kPollStepMs = 100;

Status PgFailure(pg_conn* conn, std::string_view what) {
  std::string message = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return {StatusCode::kUnavailable,
          ScrubSecrets("PostgreSQL " + std::string(what) + ": " + message)};
}

}  // namespace

// The rows of one COPY. Each Next hands out one row, straight from libpq's buffer.
class PgCopyRows : public RowStream {
 public:
  PgCopyRows(PgCopyReader& reader, int64_t expected_rows)
      : reader_(reader), expected_rows_(expected_rows) {
    watch_.Start(PQsocket(reader_.conn_), reader_.silence_limit_);
  }
  ~PgCopyRows() override {
    FreeRow();
    watch_.Stop();
    if (!finished_) reader_.Drop();  // mid-COPY: the session is unusable until it ends
  }
  PgCopyRows(const PgCopyRows&) = delete;
  PgCopyRows& operator=(const PgCopyRows&) = delete;

  Result<std::string_view> Next() override {
    FreeRow();
    if (finished_) return std::string_view();
    if (!failure_.ok()) return failure_;
    pg_conn* conn = reader_.conn_;
    for (;;) {
      int n = PQgetCopyData(conn, &row_, 1);
      if (n > 0) {
        ++rows_;
        return std::string_view(row_, static_cast<size_t>(n));
      }
      if (n == -1) return Finish(conn);
      if (n == -2) return Fail(Failure(conn, "COPY failed"));
      if (Status s = WaitForData(conn); !s.ok()) return Fail(s);
    }
  }
  int64_t rows() const override { return rows_; }
  std::chrono::nanoseconds read_time() const override { return read_time_; }

 private:
  Status Failure(pg_conn* conn, std::string_view what) {
    if (watch_.fired()) {
      return {StatusCode::kUnavailable, PgCallsAborted()
                                            ? "PostgreSQL call aborted at shutdown"
                                            : "PostgreSQL sent nothing for " +
                                                  std::to_string(reader_.silence_limit_.count()) +
                                                  " ms during a COPY; connection dropped"};
    }
    return PgFailure(conn, what);
  }

  // Blocks until libpq has more of the COPY (the time counts as reading).
  Status WaitForData(pg_conn* conn) {
    const auto start = SteadyClock::now();
    pollfd p{PQsocket(conn), POLLIN, 0};
    int ready = 0;
    while ((ready = poll(&p, 1, kPollStepMs)) == 0) {
      if (PgCallsAborted())
        return {StatusCode::kUnavailable, "PostgreSQL call aborted at shutdown"};
    }
    read_time_ += SteadyClock::now() - start;
    if (ready < 0 && errno != EINTR) return Failure(conn, "COPY wait failed");
    if (PQconsumeInput(conn) == 0) return Failure(conn, "COPY read failed");
    return Status::Ok();
  }

  Result<std::string_view> Finish(pg_conn* conn) {
    Status s = Status::Ok();
    while (PGresult* r = PQgetResult(conn)) {
      if (s.ok() && PQresultStatus(r) != PGRES_COMMAND_OK) {
        s = {StatusCode::kUnavailable,
             ScrubSecrets(std::string("PostgreSQL COPY failed: ") + PQresultErrorMessage(r))};
      }
      PQclear(r);
    }
    finished_ = true;  // the session is idle again, whatever the outcome
    if (s.ok() && expected_rows_ >= 0 && rows_ != expected_rows_) {
      s = {StatusCode::kInternal, "the batch holds " + std::to_string(expected_rows_) +
                                      " rows but its COPY read " + std::to_string(rows_)};
    }
    if (!s.ok()) return Fail(s);
    return std::string_view();
  }

  Status Fail(Status s) {
    failure_ = s;
    return s;
  }

  void FreeRow() {
    if (row_ != nullptr) PQfreemem(row_);
    row_ = nullptr;
  }

  PgCopyReader& reader_;
  const int64_t expected_rows_;
  PgWatch watch_;
  char* row_ = nullptr;
  int64_t rows_ = 0;
  bool finished_ = false;
  Status failure_ = Status::Ok();
  std::chrono::nanoseconds read_time_{0};
};

PgCopyReader::PgCopyReader(std::string database_url) : url_(std::move(database_url)) {}

PgCopyReader::~PgCopyReader() { Drop(); }

void PgCopyReader::Drop() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

Status PgCopyReader::Connect() {
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  Drop();
  if (PgCallsAborted()) return {StatusCode::kUnavailable, "PostgreSQL calls aborted at shutdown"};
  conn_ = PQconnectdb(url_.c_str());  // bounded by the DSN's connect_timeout (BoundedPgDsn)
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    Status s = PgFailure(conn_, "connection for COPY failed");
    Drop();
    return s;
  }
  PGresult* r = PQexec(conn_,
                       "SET jit = off; SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; "
                       "SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout'");
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    PQclear(r);
    Status s = PgFailure(conn_, "COPY session set-up failed");
    Drop();
    return s;
  }
  const int64_t timeout_ms = std::stoll(PQgetvalue(r, 0, 0));
  PQclear(r);
  silence_limit_ = timeout_ms > 0 ? std::chrono::milliseconds(timeout_ms) + PgPool::kSilenceGrace
                                  : std::chrono::milliseconds(0);
  return Status::Ok();
}

Result<std::unique_ptr<RowStream>> PgCopyReader::Open(const std::string& copy_sql,
                                                      int64_t expected_rows) {
  if (Status s = Connect(); !s.ok()) return s;
  PgWatch watch;  // the COPY's start: PostgreSQL answers once it begins to run it
  watch.Start(PQsocket(conn_), silence_limit_);
  PGresult* r = PQexec(conn_, copy_sql.c_str());
  watch.Stop();
  const bool copying = PQresultStatus(r) == PGRES_COPY_OUT;
  std::string error = copying ? "" : PQresultErrorMessage(r);
  PQclear(r);
  if (!copying) {
    Drop();
    return Status(StatusCode::kUnavailable, ScrubSecrets("PostgreSQL COPY refused: " + error));
  }
  return std::unique_ptr<RowStream>(std::make_unique<PgCopyRows>(*this, expected_rows));
}

}  // namespace eventlog
