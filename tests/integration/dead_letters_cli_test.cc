// `eventlog dead-letters list | show | purge` through the binary, as an operator runs it, on
// dead letters written straight into event_dead_letters.
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "tests/integration/test_env.h"

namespace eventlog::testing {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class DeadLettersCliTest : public IntegrationTest {
 protected:
  // A dead letter of `type`; `error_sql` and `failed_at_sql` are SQL expressions. Its id.
  int64_t AddDeadLetter(const std::string& type,
                        const std::string& error_sql = "'rejected (code 27): cannot parse'",
                        const std::string& failed_at_sql = "now()") {
    return std::stoll(
        PgScalar("INSERT INTO event_dead_letters (event_id, event_type, event_date_time, "
                 "environment, event_context, metadata_version, error, attempts, failed_at) "
                 "VALUES (gen_random_uuid(), '" +
                 type + "', now(), 'Test', '{}', 1, " + error_sql + ", 5, " + failed_at_sql +
                 ") RETURNING id"));
  }
  // The ids still in event_dead_letters, ascending, comma-separated.
  std::string RemainingIds() {
    return PgScalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM event_dead_letters");
  }
  CliRun DeadLetters(const std::string& args) {
    return RunEventlog(ServerEnv(), "dead-letters " + args);
  }
};

TEST_F(DeadLettersCliTest, ListPrintsOneLineEachNewestFirstWithTheErrorShortened) {
  const int64_t a = AddDeadLetter("order_placed");
  const int64_t b = AddDeadLetter("user_created", "'timeout'");
  const int64_t c = AddDeadLetter("order_placed", "repeat('x', 300) || E'\\nsecond line'");
  const std::string c_event_id =
      PgScalar("SELECT event_id FROM event_dead_letters WHERE id = " + std::to_string(c));

  CliRun r = DeadLetters("list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0].rfind(std::to_string(c) + "  ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind(std::to_string(b) + "  ", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind(std::to_string(a) + "  ", 0), 0u) << lines[2];
  // id, failed_at, event_type, event_id, attempts, error.
  EXPECT_TRUE(Contains(lines[0], "  order_placed  " + c_event_id + "  5  xxx")) << lines[0];
  EXPECT_TRUE(Contains(lines[1], "  user_created  ")) << lines[1];
  EXPECT_TRUE(Contains(lines[1], "  5  timeout")) << lines[1];
  EXPECT_TRUE(Contains(lines[2], "rejected (code 27): cannot parse")) << lines[2];
  // The 300-byte, two-line error: cut to about 120 bytes, on its line, "second line" gone.
  EXPECT_LT(lines[0].size(), 250u) << lines[0];
  EXPECT_TRUE(Contains(lines[0], std::string(100, 'x') + "...")) << lines[0];
  EXPECT_FALSE(Contains(r.out, std::string(130, 'x'))) << r.out;
  EXPECT_FALSE(Contains(r.out, "second line")) << r.out;
}

TEST_F(DeadLettersCliTest, ListSaysSoWhenThereAreNone) {
  CliRun r = DeadLetters("list");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.out, "no dead letters\n");
  CliRun json = DeadLetters("list --json");
  EXPECT_EQ(json.exit_code, 0) << json.output;
  EXPECT_EQ(nlohmann::json::parse(json.out), nlohmann::json::array()) << json.out;
}

TEST_F(DeadLettersCliTest, ListJsonIsAnArrayWithTheWholeError) {
  const int64_t a = AddDeadLetter("order_placed");
  const int64_t b = AddDeadLetter("user_created", "repeat('y', 300)");
  CliRun r = DeadLetters("list --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array()) << r.out;
  ASSERT_EQ(j.size(), 2u) << r.out;
  EXPECT_EQ(j[0]["id"], b);
  EXPECT_EQ(j[0]["event_type"], "user_created");
  EXPECT_EQ(j[0]["error"], std::string(300, 'y'));
  EXPECT_EQ(j[1]["id"], a);
  EXPECT_EQ(j[1]["event_type"], "order_placed");
  EXPECT_EQ(j[1]["error"], "rejected (code 27): cannot parse");
  EXPECT_EQ(j[1]["attempts"], 5);
  EXPECT_EQ(j[1]["event_id"],
            PgScalar("SELECT event_id FROM event_dead_letters WHERE id = " + std::to_string(a)));
  EXPECT_FALSE(j[1]["failed_at"].get<std::string>().empty());
}

TEST_F(DeadLettersCliTest, ListFiltersByTypeAndStopsAtTheLimit) {
  const int64_t a = AddDeadLetter("order_placed");
  AddDeadLetter("user_created");
  const int64_t c = AddDeadLetter("order_placed");
  AddDeadLetter("user_created");

  CliRun by_type = DeadLetters("list --json --type order_placed");
  ASSERT_EQ(by_type.exit_code, 0) << by_type.output;
  auto j = nlohmann::json::parse(by_type.out);
  ASSERT_EQ(j.size(), 2u) << by_type.out;
  EXPECT_EQ(j[0]["id"], c);
  EXPECT_EQ(j[1]["id"], a);

  CliRun limited = DeadLetters("list --type order_placed --limit 1");
  ASSERT_EQ(limited.exit_code, 0) << limited.output;
  std::vector<std::string> lines = Lines(limited.out);
  ASSERT_EQ(lines.size(), 1u) << limited.out;
  EXPECT_EQ(lines[0].rfind(std::to_string(c) + "  ", 0), 0u) << lines[0];

  CliRun all_types = DeadLetters("list --limit 3");
  ASSERT_EQ(all_types.exit_code, 0) << all_types.output;
  EXPECT_EQ(Lines(all_types.out).size(), 3u) << all_types.out;

  EXPECT_EQ(DeadLetters("list --limit 0").exit_code, 2);
}

TEST_F(DeadLettersCliTest, ShowPrintsEveryColumn) {
  const std::string id = PgScalar(
      "INSERT INTO event_dead_letters (event_id, event_type, event_date_time, environment, "
      "event_context, metadata_version, error, attempts, failed_at) VALUES "
      "('0190a6f0-0000-7000-8000-000000000001', 'order_placed', "
      "'2024-05-01 10:00:00+00', 'Staging', '{\"order\":42}', 3, 'rejected (code 27): bad', 7, "
      "'2024-05-02 11:00:00+00') RETURNING id");
  CliRun r = DeadLetters("show " + id);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto column = [&](const std::string& name) {
    for (const std::string& line : Lines(r.out)) {
      if (line.rfind(name + ":", 0) == 0) {
        size_t value = line.find_first_not_of(' ', name.size() + 1);
        return value == std::string::npos ? std::string() : line.substr(value);
      }
    }
    return std::string("<missing>");
  };
  EXPECT_EQ(column("id"), id) << r.out;
  EXPECT_EQ(column("event_id"), "0190a6f0-0000-7000-8000-000000000001") << r.out;
  EXPECT_EQ(column("event_type"), "order_placed") << r.out;
  EXPECT_TRUE(Contains(column("event_date_time"), "2024-05-01")) << r.out;
  EXPECT_EQ(column("environment"), "Staging") << r.out;
  EXPECT_EQ(column("metadata_version"), "3") << r.out;
  EXPECT_EQ(column("attempts"), "7") << r.out;
  EXPECT_TRUE(Contains(column("failed_at"), "2024-05-02")) << r.out;
  EXPECT_EQ(column("error"), "rejected (code 27): bad") << r.out;
  EXPECT_EQ(column("event_context"), "{\"order\":42}") << r.out;
  EXPECT_EQ(column("raw_row"), "<missing>") << r.out;  // only for an unreadable ledger line
}

TEST_F(DeadLettersCliTest, ShowIncludesTheRawRowOfAnUnreadableLedgerLine) {
  const std::string id = PgScalar(
      "INSERT INTO event_dead_letters (raw_row, error, attempts) VALUES "
      "('garbage\tline', 'unreadable ledger row', 1) RETURNING id");
  CliRun r = DeadLetters("show " + id);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.out, "raw_row:          garbage\tline\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "error:            unreadable ledger row\n")) << r.out;
  // And it lists, with "-" for the event's columns it does not have.
  CliRun list = DeadLetters("list");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_TRUE(Contains(list.out, "  -  -  1  unreadable ledger row\n")) << list.out;
}

TEST_F(DeadLettersCliTest, ShowOfAnUnknownIdSaysWhichOnStderrAndExits1) {
  AddDeadLetter("order_placed");
  CliRun r = DeadLetters("show 987654321");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(Contains(r.err, "no dead letter with id 987654321")) << r.err;
}

TEST_F(DeadLettersCliTest, PurgeById) {
  const int64_t a = AddDeadLetter("order_placed");
  const int64_t b = AddDeadLetter("order_placed");
  const int64_t c = AddDeadLetter("order_placed");
  CliRun r = DeadLetters("purge --id " + std::to_string(a) + " --id " + std::to_string(c));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.out, "purged 2 dead letters\n");
  EXPECT_EQ(RemainingIds(), std::to_string(b));
}

TEST_F(DeadLettersCliTest, PurgeByType) {
  AddDeadLetter("order_placed");
  const int64_t b = AddDeadLetter("user_created");
  AddDeadLetter("order_placed");
  CliRun r = DeadLetters("purge --type order_placed");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.out, "purged 2 dead letters\n");
  EXPECT_EQ(RemainingIds(), std::to_string(b));
}

TEST_F(DeadLettersCliTest, PurgeAllIncludingUnreadableLedgerLines) {
  AddDeadLetter("order_placed");
  AddDeadLetter("user_created");
  PgExec("INSERT INTO event_dead_letters (raw_row, error, attempts) VALUES ('garbage', 'bad', 1)");
  CliRun r = DeadLetters("purge --all");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.out, "purged 3 dead letters\n");
  EXPECT_EQ(PgCount("event_dead_letters"), 0);
}

TEST_F(DeadLettersCliTest, PurgeOlderThanDaysKeepsRecentOnes) {
  AddDeadLetter("order_placed", "'old'", "now() - interval '10 days'");
  const int64_t recent = AddDeadLetter("order_placed", "'recent'", "now() - interval '2 days'");
  AddDeadLetter("user_created", "'old'", "now() - interval '30 days'");
  AddDeadLetter("user_created", "'old'", "now() - interval '30 days'");

  CliRun by_type = DeadLetters("purge --type order_placed --older-than-days 7");
  ASSERT_EQ(by_type.exit_code, 0) << by_type.output;
  EXPECT_EQ(by_type.out, "purged 1 dead letters\n");
  EXPECT_EQ(PgCount("event_dead_letters"), 3);

  CliRun all = DeadLetters("purge --all --older-than-days 7");
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_EQ(all.out, "purged 2 dead letters\n");
  EXPECT_EQ(RemainingIds(), std::to_string(recent));
}

TEST_F(DeadLettersCliTest, PurgeRefusesNoSelectorOrTwoAndDeletesNothing) {
  const int64_t a = AddDeadLetter("order_placed");
  AddDeadLetter("user_created");

  CliRun none = DeadLetters("purge");
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_TRUE(Contains(none.err, "give --id, --type or --all")) << none.err;

  CliRun only_age = DeadLetters("purge --older-than-days 0");
  EXPECT_EQ(only_age.exit_code, 2) << only_age.output;
  EXPECT_TRUE(Contains(only_age.err, "give --id, --type or --all")) << only_age.err;

  CliRun type_and_all = DeadLetters("purge --type order_placed --all");
  EXPECT_EQ(type_and_all.exit_code, 2) << type_and_all.output;
  EXPECT_TRUE(Contains(type_and_all.err, "excludes")) << type_and_all.err;

  CliRun id_and_type = DeadLetters("purge --id " + std::to_string(a) + " --type order_placed");
  EXPECT_EQ(id_and_type.exit_code, 2) << id_and_type.output;
  EXPECT_TRUE(Contains(id_and_type.err, "excludes")) << id_and_type.err;

  EXPECT_EQ(DeadLetters("purge --all --older-than-days -1").exit_code, 2);
  EXPECT_EQ(PgCount("event_dead_letters"), 2);
}

TEST_F(DeadLettersCliTest, UsageAndHelp) {
  EXPECT_EQ(DeadLetters("").exit_code, 2);
  EXPECT_EQ(DeadLetters("show").exit_code, 2);
  EXPECT_EQ(DeadLetters("show abc").exit_code, 2);
  for (const char* sub : {"", "list", "show", "purge"}) {
    CliRun r = DeadLetters(std::string(sub) + " --help");
    EXPECT_EQ(r.exit_code, 0) << sub << r.output;
    EXPECT_TRUE(Contains(r.out, "Usage")) << sub << r.out;
  }
}

// Neither password reaches the terminal: not the ClickHouse one in a stored error, not
// PostgreSQL's in a connection failure.
TEST_F(DeadLettersCliTest, SecretsNeverAppearInOutput) {
  const int64_t id = AddDeadLetter("order_placed", "'auth failed for hunter2-secret'");
  std::string env = ServerEnv();
  env.replace(env.find("CLICKHOUSE_PASSWORD=eventlog"), 28, "CLICKHOUSE_PASSWORD=hunter2-secret");
  for (const std::string& args :
       {std::string("list"), std::string("list --json"), "show " + std::to_string(id)}) {
    CliRun r = RunEventlog(env, "dead-letters " + args);
    EXPECT_EQ(r.exit_code, 0) << args << r.output;
    EXPECT_TRUE(Contains(r.out, "auth failed for ***")) << args << r.out;
    EXPECT_FALSE(Contains(r.output, "hunter2-secret")) << args << r.output;
  }
  env.replace(env.find("eventlog:eventlog@"), 18, "eventlog:pg-secret-pw@");
  for (const char* args : {"list", "show 1", "purge --all"}) {
    CliRun r = RunEventlog(env, std::string("dead-letters ") + args);
    EXPECT_EQ(r.exit_code, 1) << args << r.output;
    EXPECT_FALSE(r.err.empty()) << args;
    EXPECT_FALSE(Contains(r.output, "pg-secret-pw")) << args << r.output;
  }
  EXPECT_EQ(PgCount("event_dead_letters"), 1);
}

}  // namespace
}  // namespace eventlog::testing
