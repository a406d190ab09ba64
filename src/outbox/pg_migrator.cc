#include "outbox/pg_migrator.h"

#include <pqxx/pqxx>

#include "outbox/pg_errors.h"

namespace eventlog {
namespace {

// Any fixed 64-bit key; shared by every eventlog migrate run.
constexpr int64_t kMigrationLockKey = 0x6576656e746c6f67;  // "eventlog"

}  // namespace

PgMigrator::PgMigrator(std::string database_url) : url_(std::move(database_url)) {}

PgMigrator::~PgMigrator() = default;  // closing the session releases the advisory lock

Status PgMigrator::Lock() {
  return CatchPg([&] {
    conn_ = std::make_unique<pqxx::connection>(url_);
    pqxx::nontransaction tx(*conn_);
    tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
    tx.exec0(
        "CREATE TABLE IF NOT EXISTS eventlog_schema_migrations ("
        " target text NOT NULL, version integer NOT NULL, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (target, version))");
    return Status::Ok();
  });
}

Result<std::set<int>> PgMigrator::Applied(const std::string& target) {
  std::set<int> versions;
  Status s = CatchPg([&] {
    pqxx::nontransaction tx(*conn_);
    for (const auto& row : tx.exec_params(
             "SELECT version FROM eventlog_schema_migrations WHERE target = $1", target)) {
      versions.insert(row[0].as<int>());
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return versions;
}

Status PgMigrator::Record(const std::string& target, const Migration& m) {
  return CatchPg([&] {
    pqxx::work tx(*conn_);
    tx.exec_params(
        "INSERT INTO eventlog_schema_migrations (target, version, name) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        target, m.version, m.name);
    tx.commit();
    return Status::Ok();
  });
}

Status PgMigrator::ApplyPostgres(const std::vector<Migration>& migrations,
                                 std::vector<std::string>& applied) {
  auto done = Applied("postgres");
  if (!done.ok()) return done.status();
  for (const Migration& m : migrations) {
    if (done->count(m.version)) continue;
    Status s = CatchPg([&] {
      pqxx::work tx(*conn_);
      tx.exec0(m.sql);
      tx.exec_params(
          "INSERT INTO eventlog_schema_migrations (target, version, name) VALUES ('postgres', $1, "
          "$2)",
          m.version, m.name);
      tx.commit();
      return Status::Ok();
    });
    if (!s.ok()) return {s.code(), "migration " + m.name + ": " + s.message()};
    applied.push_back(m.name);
  }
  return Status::Ok();
}

}  // namespace eventlog
