#include "service/create_user.h"

#include "observe/logger.h"
#include "service/pii.h"

namespace eventlog {

nlohmann::json User::ToJson() const {
  return {{"id", id},
          {"email", email},
          {"first_name", first_name},
          {"last_name", last_name},
          {"created_at", created_at}};
}

bool IsValidEmail(const std::string& email) {
  if (email.size() < 3 || email.size() > 254) return false;
  auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) {
    return false;
  }
  for (char c : email) {
    if (std::isspace(static_cast<unsigned char>(c)) ||
        std::iscntrl(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  std::string domain = email.substr(at + 1);
  auto dot = domain.find('.');
  return dot != std::string::npos && dot > 0 && domain.back() != '.' &&
         domain.find("..") == std::string::npos;
}

// A server error may quote the row ("Failing row contains (...)"): mask the user's fields.
std::string CreateUser::LoggableError(const Status& s, const NewUser& input) const {
  if (!mask_pii_) return s.ToString();
  return MaskValues(s.ToString(), {input.email, input.first_name, input.last_name});
}

Result<User> CreateUser::Execute(const NewUser& input, const std::optional<TraceContext>& trace) {
  log::BoundContext ctx(
      {{"use_case", "create_user"}, {"email", mask_pii_ ? MaskEmail(input.email) : input.email}});
  if (!IsValidEmail(input.email)) {
    return Status(StatusCode::kInvalidArgument, "email \"" + input.email + "\" is not valid");
  }
  // libpq would cut a name at a NUL while the event keeps it whole.
  for (const auto& [field, value] :
       {std::pair{"first_name", &input.first_name}, std::pair{"last_name", &input.last_name}}) {
    if (HasControlCharacter(*value)) {
      return Status(StatusCode::kInvalidArgument,
                    std::string(field) + " must not contain control characters");
    }
  }
  Event event = MakeEvent(
      "UserCreated",
      {{"email", input.email}, {"first_name", input.first_name}, {"last_name", input.last_name}});
  event.trace = trace;
  auto user = users_.Insert(input, event);
  if (!user.ok()) {
    const Status& s = user.status();
    // Logged: the database's failures. A taken email, or an event the outbox writer refuses
    // (kInvalidArgument, before anything is sent), is the caller's answer, not an incident.
    if (s.code() != StatusCode::kConflict && s.code() != StatusCode::kInvalidArgument) {
      log::Error("eventlog.service", "create user failed", {{"error", LoggableError(s, input)}});
    }
    return s;
  }
  log::Info("eventlog.service", "user created", {{"user_id", user->id}});
  return user;
}

}  // namespace eventlog
