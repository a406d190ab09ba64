#include "tests/faults/library_writer.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <random>

#include "eventlog/event.h"
#include "eventlog/outbox_writer.h"
#include "tests/faults/fault_env.h"

namespace eventlog::faults {
namespace {

constexpr size_t kMaxEventBytes = 1 << 20;

Event UserCreated(const std::string& email, size_t context_bytes) {
  nlohmann::json context = {{"email", email}, {"first_name", "Lib"}, {"last_name", "Writer"}};
  if (context_bytes > context.dump().size()) {
    context["padding"] = std::string(context_bytes - context.dump().size() - 14, 'x');
  }
  return MakeEvent("UserCreated", context);
}

void InsertUser(pqxx::work& tx, const std::string& email) {
  tx.exec_params("INSERT INTO users (email, first_name, last_name) VALUES ($1, 'Lib', 'Writer')",
                 email);
}

}  // namespace

std::vector<std::string> EnqueueUsers(const std::string& prefix, int count, int per_tx,
                                      size_t context_bytes) {
  OutboxWriter writer("Faults", kMaxEventBytes);
  std::vector<std::string> ids;
  pqxx::connection conn(kDatabaseUrl);
  for (int done = 0; done < count;) {
    pqxx::work tx(conn);
    std::vector<Event> events;
    for (int i = 0; i < per_tx && done < count; ++i, ++done) {
      std::string email = prefix + "-" + std::to_string(done) + "@faults.test";
      InsertUser(tx, email);
      events.push_back(UserCreated(email, context_bytes));
    }
    Status s = writer.EnqueueMany(tx, events);
    EXPECT_TRUE(s.ok()) << s.ToString();
    tx.commit();
    for (const auto& e : events) ids.push_back(e.event_id);
  }
  return ids;
}

RollbackMix WriteWithRandomRollbacks(const std::string& prefix, int transactions, uint64_t seed) {
  OutboxWriter writer("Faults", kMaxEventBytes);
  std::mt19937_64 rng(seed);
  RollbackMix mix;
  pqxx::connection conn(kDatabaseUrl);
  for (int i = 0; i < transactions; ++i) {
    std::string email = prefix + "-" + std::to_string(i) + "@faults.test";
    std::vector<Event> events = {UserCreated(email, 0)};
    if (rng() % 4 == 0) events.push_back(MakeEvent("UserWelcomed", {{"email", email}}));
    int fate = static_cast<int>(rng() % 8);  // 0-3 commit, 4 abort, 5 abandon, 6-7 SQL error
    {
      pqxx::work tx(conn);
      InsertUser(tx, email);
      Status s = writer.EnqueueMany(tx, events);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (fate <= 3) {
        tx.commit();
        ++mix.committed_users;
      } else if (fate == 4) {
        tx.abort();
      } else if (fate >= 6) {
        EXPECT_THROW(tx.exec("SELECT no_such_column FROM users"), pqxx::sql_error);
      }  // fate 5: the transaction goes out of scope unfinished and rolls back
    }
    auto& ids = fate <= 3 ? mix.committed_ids : mix.aborted_ids;
    for (const auto& e : events) ids.push_back(e.event_id);
  }
  return mix;
}

}  // namespace eventlog::faults
