#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "eventlog/event.h"
#include "eventlog/status.h"

namespace eventlog {

struct NewUser {
  std::string email;
  std::string first_name;
  std::string last_name;
};

struct User {
  int64_t id = 0;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string created_at;
  nlohmann::json ToJson() const;
};

// Where the users service keeps its users: the one way src/service reaches its database
// (src/outbox/pg_user_repository.h is PostgreSQL's). Implementations are thread-safe: every HTTP
// worker calls the same one.
class UserRepository {
 public:
  virtual ~UserRepository() = default;

  // Inserts `user` and enqueues `event` in ONE transaction: both commit or neither does.
  // kConflict when the email is taken (case-insensitive; nothing is enqueued), kUnavailable when
  // the database is unreachable, the outbox writer's error for an event it refuses.
  virtual Result<User> Insert(const NewUser& user, const Event& event) = 0;

  // OK when the database answers (GET /healthz).
  virtual Status Ping() = 0;
};

}  // namespace eventlog
