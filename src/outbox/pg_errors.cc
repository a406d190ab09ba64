#include "outbox/pg_errors.h"

#include <pqxx/except>

namespace eventlog {

Status CatchPg(const std::function<Status()>& fn) {
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
    // 57P0x: server shutting down or restarting; 08xxx: connection; 40xxx: serialization,
    // deadlock; 53xxx: out of resources. All worth retrying.
    if (state.rfind("57P", 0) == 0 || state.rfind("08", 0) == 0 || state.rfind("40", 0) == 0 ||
        state.rfind("53", 0) == 0) {
      return {StatusCode::kUnavailable, "PostgreSQL error " + state + ": " + e.what()};
    }
    return {StatusCode::kInternal, "PostgreSQL error " + state + ": " + e.what()};
  } catch (const std::exception& e) {
    return {StatusCode::kInternal, e.what()};
  }
}

}  // namespace eventlog
