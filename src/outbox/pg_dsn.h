#pragma once

#include <string>

#include "eventlog/status.h"

namespace eventlog {

// How long any PostgreSQL wait may last; 0 leaves that limit to libpq's and the server's
// defaults. Units in the names.
struct PgLimits {
  int connect_timeout_ms = 5000;     // connecting; also how long the network may stay silent
  int statement_timeout_ms = 30000;  // per statement, and per idle gap inside a transaction
};

// DATABASE_URL (URL or key=value form) read by libpq's own parser, made bounded: the result is
// a key=value connection string with every setting the user gave, plus, where the user (or a
// PG* environment variable) set none of them: connect_timeout, keepalives, tcp_user_timeout and
// `-c statement_timeout / idle_in_transaction_session_timeout` in `options`.
// A string libpq cannot parse, or whose host holds an '@' or a blank (a password with a raw
// '@' leaks into the host name), is kInvalidArgument with a message that quotes no part of it:
// libpq's own message may carry the password.
Result<std::string> BoundedPgDsn(const std::string& dsn, const PgLimits& limits);

// Registers the DSN's password with RegisterSecret: as libpq decodes it and as written in a
// URL's user info. Call once the DSN is known to parse.
void RegisterPgDsnSecrets(const std::string& dsn);

// The database a DSN names, as a metric label or a short name in logs: "host:port/dbname"
// (libpq's defaults where the DSN sets none, PG* variables aside). Never the user or password.
std::string PgSourceName(const std::string& dsn);

}  // namespace eventlog
