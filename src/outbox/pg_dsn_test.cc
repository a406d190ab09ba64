#include "outbox/pg_dsn.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <map>
#include <string>

#include "core/secrets.h"

namespace eventlog {
namespace {

// What libpq itself reads from `conninfo`.
std::map<std::string, std::string> Parsed(const std::string& conninfo) {
  std::map<std::string, std::string> out;
  char* err = nullptr;
  PQconninfoOption* info = PQconninfoParse(conninfo.c_str(), &err);
  PQfreemem(err);
  EXPECT_NE(info, nullptr) << "libpq cannot parse the result";
  for (PQconninfoOption* o = info; o != nullptr && o->keyword != nullptr; ++o) {
    if (o->val != nullptr) out[o->keyword] = o->val;
  }
  PQconninfoFree(info);
  return out;
}

std::map<std::string, std::string> Bounded(const std::string& dsn, PgLimits limits = {}) {
  auto r = BoundedPgDsn(dsn, limits);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? Parsed(r.value()) : std::map<std::string, std::string>{};
}

TEST(BoundedPgDsn, AddsEveryLimitToAUrl) {
  auto p = Bounded("postgresql://u:pw@db.example:5433/app?sslmode=disable",
                   {.connect_timeout_ms = 4500, .statement_timeout_ms = 20000});
  EXPECT_EQ(p["host"], "db.example");
  EXPECT_EQ(p["port"], "5433");
  EXPECT_EQ(p["dbname"], "app");
  EXPECT_EQ(p["password"], "pw");
  EXPECT_EQ(p["sslmode"], "disable");
  EXPECT_EQ(p["connect_timeout"], "5");  // seconds, rounded up
  EXPECT_EQ(p["keepalives"], "1");
  EXPECT_EQ(p["keepalives_idle"], "5");
  EXPECT_EQ(p["keepalives_interval"], "2");
  EXPECT_EQ(p["keepalives_count"], "3");
  EXPECT_EQ(p["tcp_user_timeout"], "4500");
  EXPECT_EQ(p["options"],
            "-c statement_timeout=20000 -c idle_in_transaction_session_timeout=20000");
}

TEST(BoundedPgDsn, KeepsWhatTheUserSetInEitherForm) {
  for (std::string dsn :
       {"postgresql://u@h/db?connect_timeout=9&tcp_user_timeout=700&keepalives=0&options="
        "-c%20statement_timeout%3D5s%20-c%20search_path%3Dx",
        "host=h user=u dbname=db connect_timeout=9 tcp_user_timeout=700 keepalives=0 "
        "options='-c statement_timeout=5s -c search_path=x'"}) {
    auto p = Bounded(dsn);
    EXPECT_EQ(p["connect_timeout"], "9") << dsn;
    EXPECT_EQ(p["tcp_user_timeout"], "700") << dsn;
    EXPECT_EQ(p["keepalives"], "0") << dsn;
    EXPECT_EQ(p.count("keepalives_idle"), 0u) << dsn;
    EXPECT_EQ(
        p["options"],
        "-c statement_timeout=5s -c search_path=x -c idle_in_transaction_session_timeout=30000")
        << dsn;
  }
}

TEST(BoundedPgDsn, ShortConnectTimeoutIsTwoSecondsAndZeroLeavesDefaults) {
  EXPECT_EQ(Bounded("host=h", {.connect_timeout_ms = 300})["connect_timeout"], "2");
  auto p = Bounded("host=h", {.connect_timeout_ms = 0, .statement_timeout_ms = 0});
  EXPECT_EQ(p.count("connect_timeout"), 0u);
  EXPECT_EQ(p.count("options"), 0u);
}

TEST(BoundedPgDsn, KeepsMultipleHostsQuotesAndIpv6) {
  auto p = Bounded("postgresql://u:it%27s%20a%5Cpw@[::1]:1,h2:2/db");
  EXPECT_EQ(p["host"], "::1,h2");
  EXPECT_EQ(p["port"], "1,2");
  EXPECT_EQ(p["password"], "it's a\\pw");
}

TEST(BoundedPgDsn, RefusesBadStringsWithoutQuotingThem) {
  for (std::string dsn : {"postgresql://u:p%zz@ss w0rd!@h/db", "postgresql://u:p%40ss@[::1/db",
                          "postgresql://u:p@ss w0rd!@h/db", "postgresql://u:pa@ss@h/db",
                          "host=h password='unterminated", "nonsense-word-secret"}) {
    auto r = BoundedPgDsn(dsn, {});
    ASSERT_FALSE(r.ok()) << dsn;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().find("ss"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("DATABASE_URL"), std::string::npos);
  }
}

TEST(RegisterPgDsnSecrets, RegistersThePasswordDecodedAndAsWritten) {
  RegisterPgDsnSecrets("postgresql://u:dsn%21secret%2Fone@h/db");
  EXPECT_EQ(ScrubSecrets("a dsn!secret/one b"), "a *** b");
  EXPECT_EQ(ScrubSecrets("a dsn%21secret%2Fone b"), "a *** b");
  RegisterPgDsnSecrets("host=h password='kv secret two'");
  EXPECT_EQ(ScrubSecrets("kv secret two"), "***");
  RegisterPgDsnSecrets("postgresql://u@h:5432/db?application_name=x@y");  // no password
  EXPECT_EQ(ScrubSecrets("5432/db?application_name=x"), "5432/db?application_name=x");
}

TEST(PgSourceName, NamesHostPortAndDatabaseNeverTheCredentials) {
  EXPECT_EQ(PgSourceName("postgresql://app:s3cret@db.internal:6432/orders"),
            "db.internal:6432/orders");
  EXPECT_EQ(PgSourceName("host=10.0.0.5 dbname=shop user=app password=s3cret"),
            "10.0.0.5:5432/shop");
  EXPECT_EQ(PgSourceName("postgresql://app@db/"), "db:5432/app");  // dbname defaults to user
  EXPECT_EQ(PgSourceName("not a dsn ==="), "unparsable");
}

}  // namespace
}  // namespace eventlog
