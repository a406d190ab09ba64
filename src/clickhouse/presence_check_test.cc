#include "clickhouse/presence_check.h"

#include <gtest/gtest.h>

namespace eventlog {
namespace {

OutboxRow Row(const std::string& id, const std::string& context) {
  return {.event_id = id,
          .event_type = "user_created",
          .event_time_us = 1714564800000000,
          .environment = "Test",
          .event_context = context,
          .metadata_version = 1};
}

const std::string kA = "01890a5d-ac96-774b-bcce-b302099a8057";
const std::string kB = "01890a5d-ac96-774b-bcce-b302099a8058";

TEST(ReadPresenceAnswer, TellsOurRowFromAnotherEventUnderTheSameId) {
  std::vector<OutboxRow> rows = {Row(kA, "a\tb"), Row(kB, "{}")};  // a real tab in A's context
  // ClickHouse escapes that tab as backslash-t.
  std::string answer =
      kA + "\tuser_created\tTest\ta\\tb\n" + kB + "\tuser_created\tTest\t{\"other\":1}\n";
  Presence p;
  ASSERT_TRUE(ReadPresenceAnswer(answer, rows, p).ok());
  EXPECT_EQ(p.present, (std::unordered_set<std::string>{kA}));
  EXPECT_EQ(p.reused, (std::unordered_set<std::string>{kB}));
}

TEST(ReadPresenceAnswer, OurCopyWinsOverAnotherEventUnderTheSameId) {
  std::vector<OutboxRow> rows = {Row(kA, "{}")};
  std::string answer = kA + "\tuser_created\tTest\t{\"x\":1}\n" + kA + "\tuser_created\tTest\t{}\n";
  Presence p;
  ASSERT_TRUE(ReadPresenceAnswer(answer, rows, p).ok());
  EXPECT_EQ(p.present.count(kA), 1u);
  EXPECT_TRUE(p.reused.empty());
}

TEST(ReadPresenceAnswer, AnUnexpectedLineIsAnErrorNotAnAbsence) {
  std::vector<OutboxRow> rows = {Row(kA, "{}")};
  Presence p;
  EXPECT_EQ(ReadPresenceAnswer("garbage\n", rows, p).code(), StatusCode::kUnavailable);
  EXPECT_EQ(ReadPresenceAnswer(kB + "\tuser_created\tTest\t{}\n", rows, p).code(),
            StatusCode::kUnavailable);  // an id we did not ask for
}

TEST(PresenceAnswerCap, CoversEveryRowEscapedTwiceOver) {
  std::vector<OutboxRow> rows = {Row(kA, std::string(1000, 'x'))};
  EXPECT_GE(PresenceAnswerCap(rows), 36 + 1 + 2 * (12 + 4 + 1000) + 3 + 1);
}

}  // namespace
}  // namespace eventlog
