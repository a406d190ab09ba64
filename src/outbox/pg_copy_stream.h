#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/row_stream.h"

struct pg_conn;

namespace eventlog {

// A PostgreSQL connection of its own for `COPY (...) TO STDOUT`, read with libpq as the rows
// arrive (libpqxx 6 copies tables, not queries). Its session runs without JIT, in UTF-8, with
// ISO dates. Opened
// on first use; dropped after any failure or an unfinished stream and reopened on the next use.
// Waits are bounded like PgPool's: the server's statement_timeout plus a grace, after which a
// PgWatch drops a silent connection, and AbortPgCalls. Not thread-safe: one per relay thread.
class PgCopyReader {
 public:
  explicit PgCopyReader(std::string database_url);
  ~PgCopyReader();
  PgCopyReader(const PgCopyReader&) = delete;
  PgCopyReader& operator=(const PgCopyReader&) = delete;

  // Starts `copy_sql` (a COPY ... TO STDOUT in text format) and returns its rows as a stream,
  // which ends in an error unless exactly `expected_rows` rows came (-1: any number). One stream at
  // a time: the stream must be gone before the next Open.
  Result<std::unique_ptr<RowStream>> Open(const std::string& copy_sql, int64_t expected_rows);

 private:
  friend class PgCopyRows;
  Status Connect();
  void Drop();

  std::string url_;
  pg_conn* conn_ = nullptr;
  std::chrono::milliseconds silence_limit_{0};
};

}  // namespace eventlog
