// Producers in any language (issue 9): eventlog_enqueue() applies the C++ writer's rules, and
// events written through it from Python (psycopg2) and psql reach ClickHouse like the C++ ones;
// a rolled-back one never does.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/integration/relay_fixture.h"

namespace eventlog::testing {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class EnqueueFunctionTest : public RelayIntegrationTest {
 protected:
  // The SQL error eventlog_enqueue raises for `call` ("" when it succeeds), after `setup`.
  std::string ErrorOf(const std::string& call, const std::string& setup = "") {
    std::string sqlstate;
    std::string error =
        PgErrorOf((setup.empty() ? "" : setup + "; ") + "SELECT " + call, &sqlstate);
    if (!error.empty()) {
      EXPECT_EQ(sqlstate, "22023") << error;
    }
    return error;
  }
  // event_type, environment, context and metadata_version of `event_id` in ClickHouse.
  std::vector<std::string> ChRow(const std::string& event_id) {
    return {
        ChScalar("SELECT event_type FROM event_log WHERE event_id = toUUID('" + event_id + "')"),
        ChScalar("SELECT environment FROM event_log WHERE event_id = toUUID('" + event_id + "')"),
        ChScalar("SELECT metadata_version FROM event_log WHERE event_id = toUUID('" + event_id +
                 "')")};
  }
  nlohmann::json ChContext(const std::string& event_id) {
    return nlohmann::json::parse(ChScalar(
        "SELECT event_context FROM event_log WHERE event_id = toUUID('" + event_id + "')"));
  }
};

TEST_F(EnqueueFunctionTest, NamesEventTypesAsTheCppWriterDoes) {
  for (const char* name : {"UserCreated", "user-created", "HTTPRequest", "userID", "XMLHttpRequest",
                           "order.paid", "Already_snake", "a1B", "ABCDef", "9Lives", "__x__"}) {
    pqxx::connection c(Servers().database_url);
    pqxx::nontransaction tx(c);
    EXPECT_EQ(tx.exec_params1("SELECT eventlog_event_type($1)", std::string(name))[0].c_str(),
              ToSnakeCase(name))
        << name;
  }
}

TEST_F(EnqueueFunctionTest, RefusesWhatTheCppWriterRefusesWithAClearError) {
  EXPECT_NE(ErrorOf("eventlog_enqueue('9Lives', '{}')").find("is not snake_case"),
            std::string::npos);
  EXPECT_NE(ErrorOf("eventlog_enqueue('Über', '{}')").find("is not snake_case"), std::string::npos);
  EXPECT_NE(ErrorOf("eventlog_enqueue('x', '[1]')").find("is not a JSON object but array"),
            std::string::npos);
  EXPECT_NE(ErrorOf("eventlog_enqueue('x', NULL)").find("is not a JSON object"), std::string::npos);
  EXPECT_NE(ErrorOf("eventlog_enqueue('x', '{\"k\": \"0123456789\"}')",
                    "SET LOCAL eventlog.max_event_bytes = 10")
                .find("over the limit of 10 (eventlog.max_event_bytes)"),
            std::string::npos);
  EXPECT_NE(ErrorOf("eventlog_enqueue('x', '{}', timestamptz '1969-12-31 23:59:59+00')")
                .find("outside 1970..2105"),
            std::string::npos);
  EXPECT_NE(ErrorOf("eventlog_enqueue('x', '{}', timestamptz '2106-01-01 00:00:00+00')")
                .find("outside 1970..2105"),
            std::string::npos);
  EXPECT_NE(ErrorOf("eventlog_enqueue('x', '{}', now(), -1)").find("0 or more"), std::string::npos);
  EXPECT_EQ(PgCount("event_outbox"), 0);
  EXPECT_EQ(ErrorOf("eventlog_enqueue('x', '{}', timestamptz '2105-12-31 23:59:59+00')"), "");
}

// The id is a UUIDv7 of the current millisecond, and the environment comes from the setting.
TEST_F(EnqueueFunctionTest, WritesAUuid7AndTheConfiguredEnvironment) {
  pqxx::connection c(Servers().database_url);
  pqxx::work tx(c);
  tx.exec0("SET LOCAL eventlog.environment = 'Staging'");
  pqxx::row r = tx.exec1(
      "SELECT e::text, abs(('x' || substr(replace(e::text, '-', ''), 1, 12))::bit(48)::bigint - "
      "                    (extract(epoch FROM clock_timestamp()) * 1000)::bigint) "
      "FROM eventlog_enqueue('UserCreated', '{\"a\": 1}') AS e");
  const std::string id = r[0].c_str();
  EXPECT_EQ(id.substr(14, 1), "7") << id;
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC variant
  EXPECT_LT(r[1].as<int64_t>(), 5000) << "the id's time is now";
  EXPECT_EQ(tx.exec_params1("SELECT environment FROM event_outbox WHERE event_id = $1::uuid", id)[0]
                .as<std::string>(),
            "Staging");
}

TEST_F(EnqueueFunctionTest, PythonPsqlAndCppEventsArriveAlikeARolledBackOneNever) {
  const nlohmann::json context = {{"email", "ada@example.com"}, {"n", 1.5}, {"tags", {"x", "y"}}};
  // C++: the library's writer, environment "Test".
  pqxx::connection conn(Servers().database_url);
  pqxx::work tx(conn);
  OutboxWriter writer("Test", 1 << 20);
  Event cpp_event = MakeEvent("UserCreated", context);
  ASSERT_TRUE(writer.Enqueue(tx, cpp_event).ok());
  tx.commit();
  // Python with Debian's python3-psycopg2 (Debian's interpreter, not one on PATH that may lack
  // it): one transaction commits, one rolls back.
  const CliRun py = RunCommand("/usr/bin/python3 " EVENTLOG_SOURCE_DIR
                               "/tests/integration/enqueue_psycopg2.py '" +
                               Servers().database_url + "' '" + context.dump() + "'");
  ASSERT_EQ(py.exit_code, 0) << py.output;
  std::vector<std::string> py_ids = Lines(py.out);
  ASSERT_EQ(py_ids.size(), 2u) << py.output;
  // psql, in autocommit (the SQL from a file: the context holds both kinds of quotes).
  const std::string sql_file = std::filesystem::temp_directory_path() / "eventlog_enqueue_test.sql";
  std::ofstream(sql_file) << "SET eventlog.environment = 'Test';\n"
                          << "SELECT eventlog_enqueue('UserCreated', '" << context.dump()
                          << "');\n";
  const CliRun psql =
      RunCommand("psql '" + Servers().database_url + "' -v ON_ERROR_STOP=1 -qtA -f " + sql_file);
  ASSERT_EQ(psql.exit_code, 0) << psql.output;
  std::vector<std::string> psql_ids = Lines(psql.out);
  ASSERT_EQ(psql_ids.size(), 1u) << psql.output;

  Drain();
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(ChCount(), 3);
  EXPECT_EQ(ChUniqueIds(), 3);
  const std::vector<std::string> expected{"user_created", "Test", "1"};
  EXPECT_EQ(ChRow(cpp_event.event_id), expected);
  for (const std::string& id : {py_ids[0], psql_ids[0]}) {
    EXPECT_EQ(ChRow(id), expected) << id;
    EXPECT_EQ(ChContext(id), ChContext(cpp_event.event_id)) << id;  // equivalent JSON
  }
  EXPECT_EQ(ChScalar("SELECT count() FROM event_log WHERE event_id = toUUID('" + py_ids[1] + "')"),
            "0")
      << "the rolled-back event";
}

}  // namespace
}  // namespace eventlog::testing
