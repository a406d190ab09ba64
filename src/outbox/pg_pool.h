#pragma once

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
class PgPool {
 public:
  PgPool(std::string database_url, int size);

  // Borrows a connection for `fn`; waits when all are in use. Exceptions become a Status.
  Status Run(const std::function<Status(pqxx::connection&)>& fn);

 private:
  std::string url_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // nullptr: not yet (re)opened
};

}  // namespace eventlog
