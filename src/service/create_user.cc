#include "service/create_user.h"

#include <pqxx/pqxx>

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
  // The event rides in the user's own INSERT: one round trip for both.
  auto enqueue = writer_.InStatement(event, 4);
  if (!enqueue.ok()) return enqueue.status();
  std::vector<std::string> params = {input.email, input.first_name, input.last_name};
  params.insert(params.end(), enqueue->params.begin(), enqueue->params.end());
  const std::string sql = "WITH " + enqueue->cte +
                          " INSERT INTO users (email, first_name, last_name) VALUES ($1, $2, $3) "
                          "ON CONFLICT DO NOTHING RETURNING id, "
                          // RFC 3339 in UTC, to the microsecond
                          "to_char(created_at AT TIME ZONE 'UTC', "
                          "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
  User user;
  Status s = pool_.Run([&](pqxx::connection& conn) -> Status {
    conn.prepare("eventlog_create_user_v2", sql);
    pqxx::work tx(conn);
    pqxx::result r =
        tx.exec_prepared("eventlog_create_user_v2", pqxx::prepare::make_dynamic_params(params));
    if (r.empty()) {  // not committed: the event goes with the user that was not created
      return Status(StatusCode::kConflict, "User with this email already exists");
    }
    user = {r[0][0].as<int64_t>(), input.email, input.first_name, input.last_name, r[0][1].c_str()};
    tx.commit();
    return Status::Ok();
  });
  if (!s.ok()) {
    if (s.code() != StatusCode::kConflict)
      log::Error("eventlog.service", "create user failed", {{"error", LoggableError(s, input)}});
    return s;
  }
  log::Info("eventlog.service", "user created", {{"user_id", user.id}});
  return user;
}

}  // namespace eventlog
