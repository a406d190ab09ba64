#include "outbox/pg_errors.h"

#include <pqxx/except>

#include "core/secrets.h"

namespace eventlog {
namespace {

// 57P0x: server shutting down or restarting; 57014: statement_timeout or a cancel; 08xxx:
// connection; 40xxx: serialization, deadlock; 53xxx: out of resources. All worth retrying.
bool Retryable(const std::string& state) {
  for (const char* prefix : {"57P", "57014", "08", "40", "53"}) {
    if (state.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

Status Caught(const std::function<Status()>& fn) {
  try {
    return fn();
  } catch (const pqxx::broken_connection& e) {
    return {StatusCode::kUnavailable, std::string("PostgreSQL connection lost: ") + e.what()};
  } catch (const pqxx::in_doubt_error& e) {
    return {StatusCode::kUnavailable,
            std::string("PostgreSQL commit outcome unknown: ") + e.what()};
  } catch (const pqxx::unique_violation& e) {
    return {StatusCode::kConflict, e.what()};
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    return {Retryable(state) ? StatusCode::kUnavailable : StatusCode::kInternal,
            "PostgreSQL error " + state + ": " + e.what()};
  } catch (const std::exception& e) {
    return {StatusCode::kInternal, e.what()};
  }
}

}  // namespace

Status CatchPg(const std::function<Status()>& fn) {
  Status s = Caught(fn);
  if (s.ok()) return s;
  // libpq quotes connection strings and server messages may quote queries: mask passwords.
  return s.WithMessage(ScrubSecrets(s.message()));
}

}  // namespace eventlog
