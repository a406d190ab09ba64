#pragma once

#include <optional>
#include <string>

#include "eventlog/event.h"
#include "eventlog/status.h"
#include "service/user_repository.h"

namespace eventlog {

// True for a plausible address: one '@', a non-empty local part, a dotted domain, no spaces,
// at most 254 characters.
bool IsValidEmail(const std::string& email);

// The seed's CreateUser use case: in one transaction (UserRepository::Insert), insert the user
// and enqueue a user_created event. kConflict when the email is taken (case-insensitive),
// kInvalidArgument for a bad email or a name with a control character, kUnavailable when the
// database is unreachable. Thread-safe when `users` is.
class CreateUser {
 public:
  // `mask_pii`: log emails masked (MaskEmail), as EVENTLOG_LOG_MASK_PII asks. `users` must
  // outlive the use case.
  explicit CreateUser(UserRepository& users, bool mask_pii = true)
      : users_(users), mask_pii_(mask_pii) {}
  // `trace`: the request's span, stored with the UserCreated event.
  Result<User> Execute(const NewUser& input, const std::optional<TraceContext>& trace = {});

 private:
  std::string LoggableError(const Status& s, const NewUser& input) const;

  UserRepository& users_;
  const bool mask_pii_;
};

}  // namespace eventlog
