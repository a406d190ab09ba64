#pragma once

#include "eventlog/outbox_writer.h"
#include "outbox/pg_pool.h"
#include "service/user_repository.h"

namespace eventlog {

// The users service's users in PostgreSQL (table users, migration 001), each inserted in the
// same statement as its event's outbox row (OutboxWriter::InStatement): one transaction, one
// round trip. Thread-safe (PgPool is); `pool` and `writer` must outlive it.
class PgUserRepository : public UserRepository {
 public:
  PgUserRepository(PgPool& pool, const OutboxWriter& writer) : pool_(pool), writer_(writer) {}

  Result<User> Insert(const NewUser& user, const Event& event) override;
  Status Ping() override;

 private:
  PgPool& pool_;
  const OutboxWriter& writer_;
};

}  // namespace eventlog
