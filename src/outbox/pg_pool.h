#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "eventlog/status.h"

namespace eventlog {

// A fixed number of PostgreSQL connections shared by request threads. A connection that broke
// is dropped and reopened on its next use, so a PostgreSQL restart heals by itself.
//
// Every wait is bounded: for a free connection by `pool_wait`; connecting by the DSN's
// connect_timeout (see BoundedPgDsn); a call by the server's statement_timeout (read from each
// new session) plus kSilenceGrace, after which a PgWatch drops a connection that heard nothing.
// Thread-safe.
class PgPool {
 public:
  static constexpr std::chrono::milliseconds kDefaultPoolWait{5000};
  // Added to statement_timeout: the server's own cancel needs a round trip to arrive.
  static constexpr std::chrono::milliseconds kSilenceGrace{1000};

  PgPool(std::string database_url, int size,
         std::chrono::milliseconds pool_wait = kDefaultPoolWait);

  // Borrows a connection for `fn`; waits up to `pool_wait` when all are in use (then
  // kUnavailable). Exceptions become a Status; errors are scrubbed of registered secrets.
  Status Run(const std::function<Status(pqxx::connection&)>& fn);

 private:
  struct Slot {
    std::unique_ptr<pqxx::connection> conn;  // nullptr: not yet (re)opened
    std::chrono::milliseconds silence_limit{0};
  };

  Status RunOn(Slot& slot, const std::function<Status(pqxx::connection&)>& fn);

  std::string url_;
  std::chrono::milliseconds pool_wait_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<Slot> idle_;  // GUARDED_BY(mu_)
};

}  // namespace eventlog
