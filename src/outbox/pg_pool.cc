#include "outbox/pg_pool.h"

#include "outbox/pg_errors.h"

namespace eventlog {

PgPool::PgPool(std::string database_url, int size) : url_(std::move(database_url)) {
  idle_.resize(static_cast<size_t>(size));
}

Status PgPool::Run(const std::function<Status(pqxx::connection&)>& fn) {
  std::unique_ptr<pqxx::connection> conn;
  {
    std::unique_lock lock(mu_);
    available_.wait(lock, [&] { return !idle_.empty(); });
    conn = std::move(idle_.back());
    idle_.pop_back();
  }
  Status s = CatchPg([&] {
    if (!conn || !conn->is_open()) conn = std::make_unique<pqxx::connection>(url_);
    return fn(*conn);
  });
  if (s.code() == StatusCode::kUnavailable) conn.reset();
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
  return s;
}

}  // namespace eventlog
