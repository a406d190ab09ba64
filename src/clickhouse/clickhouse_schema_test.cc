#include "clickhouse/clickhouse_schema.h"

#include <gtest/gtest.h>

namespace eventlog {
namespace {

TEST(CheckUtcTimeColumn, AcceptsColumnsInUtc) {
  for (const char* type : {"DateTime64(6, 'UTC')", "DateTime('UTC')", "DateTime64(3, 'Etc/UTC')",
                           "DateTime('Etc/UTC')", "DateTime64(6, 'Zulu')"}) {
    EXPECT_TRUE(CheckUtcTimeColumn(type, "db.event_log.event_date_time").ok()) << type;
  }
}

TEST(CheckUtcTimeColumn, RefusesColumnsWithoutUtcNamingTheColumnAndTheFix) {
  Status s = CheckUtcTimeColumn("DateTime64(6)", "db.event_log.event_date_time");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("db.event_log.event_date_time has type DateTime64(6)"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("the server's"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("ALTER TABLE db.event_log MODIFY COLUMN event_date_time "
                             "DateTime64(6, 'UTC')"),
            std::string::npos)
      << s.message();

  s = CheckUtcTimeColumn("DateTime", "db.t.event_date_time");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("MODIFY COLUMN event_date_time DateTime('UTC')"), std::string::npos)
      << s.message();

  s = CheckUtcTimeColumn("DateTime64(3, 'Europe/Berlin')", "db.t.event_date_time");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("DateTime64(3, 'UTC')"), std::string::npos) << s.message();

  s = CheckUtcTimeColumn("String", "db.t.event_date_time");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("db.t.event_date_time"), std::string::npos) << s.message();
}

TEST(ParseServerVersion, ReadsOldAndNewVersions) {
  auto v = ParseServerVersion("18.16.1");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->HasDateTime64());
  v = ParseServerVersion("24.8.4.13");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->major, 24);
  EXPECT_TRUE(v->HasDateTime64());
}

}  // namespace
}  // namespace eventlog
