#pragma once

#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "core/migration.h"

namespace eventlog {

// Applies PostgreSQL migrations and records every target's versions. Holds a session advisory
// lock from Lock() until destruction, so two `eventlog migrate` runs take turns.
class PgMigrator : public MigrationLedger {
 public:
  explicit PgMigrator(std::string database_url);
  ~PgMigrator() override;

  Status Lock();
  // Applies each migration not yet recorded, each in its own transaction with its record.
  // `applied` receives the names applied now.
  Status ApplyPostgres(const std::vector<Migration>& migrations, std::vector<std::string>& applied);

  Result<std::set<int>> Applied(const std::string& target) override;
  Status Record(const std::string& target, const Migration& migration) override;

 private:
  std::string url_;
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace eventlog
