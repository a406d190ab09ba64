#include "outbox/pg_user_repository.h"

#include <pqxx/pqxx>

namespace eventlog {

Result<User> PgUserRepository::Insert(const NewUser& input, const Event& event) {
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
  if (!s.ok()) return s;
  return user;
}

Status PgUserRepository::Ping() {
  return pool_.Run([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec1("SELECT 1");
    return Status::Ok();
  });
}

}  // namespace eventlog
