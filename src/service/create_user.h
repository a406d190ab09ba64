#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "eventlog/outbox_writer.h"
#include "eventlog/status.h"
#include "outbox/pg_pool.h"

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

// True for a plausible address: one '@', a non-empty local part, a dotted domain, no spaces,
// at most 254 characters.
bool IsValidEmail(const std::string& email);

// The seed's CreateUser use case: in one transaction, insert the user and enqueue a
// user_created event. kConflict when the email is taken (case-insensitive), kInvalidArgument
// for a bad email or a name with a control character, kUnavailable when PostgreSQL is
// unreachable.
class CreateUser {
 public:
  // `mask_pii`: log emails masked (MaskEmail), as EVENTLOG_LOG_MASK_PII asks.
  CreateUser(PgPool& pool, const OutboxWriter& writer, bool mask_pii = true)
      : pool_(pool), writer_(writer), mask_pii_(mask_pii) {}
  // `trace`: the request's span, stored with the UserCreated event.
  Result<User> Execute(const NewUser& input, const std::optional<TraceContext>& trace = {});

 private:
  std::string LoggableError(const Status& s, const NewUser& input) const;

  PgPool& pool_;
  const OutboxWriter& writer_;
  const bool mask_pii_;
};

}  // namespace eventlog
