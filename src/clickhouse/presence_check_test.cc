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
          .metadata_version = 1,
          .trace_id = "",
          .span_id = ""};
}

const std::string kA = "01890a5d-ac96-774b-bcce-b302099a8057";
const std::string kB = "01890a5d-ac96-774b-bcce-b302099a8058";

TEST(RowDigest, IsTheMd5OfIdTypeEnvironmentAndContextInUpperCaseHex) {
  EXPECT_EQ(RowDigest(Row(kA, "{}")).size(), 32u);
  EXPECT_EQ(RowDigest(Row(kA, "{}")), RowDigest(Row(kA, "{}")));
  EXPECT_NE(RowDigest(Row(kA, "{}")), RowDigest(Row(kB, "{}")));  // the id is part of it
  EXPECT_NE(RowDigest(Row(kA, "{}")), RowDigest(Row(kA, "{ }")));
  EXPECT_EQ(RowDigest(Row(kA, "")).find_first_not_of("0123456789ABCDEF"), std::string::npos);
}

TEST(PresenceQuery, ComparesDigestsOnTheServerAndGroupsById) {
  std::string q = PresenceQuery("db.event_log", {Row(kA, "{}")}, TimeColumn{true, 6});
  EXPECT_NE(q.find("IN ('" + RowDigest(Row(kA, "{}")) + "')"), std::string::npos) << q;
  EXPECT_NE(q.find("GROUP BY event_id"), std::string::npos) << q;
  EXPECT_NE(q.find("toStringCutToZero(environment)"), std::string::npos) << q;
}

TEST(ReadPresenceAnswer, OneIsOursZeroIsAReusedId) {
  std::vector<OutboxRow> rows = {Row(kA, "{}"), Row(kB, "{}")};
  Presence p;
  ASSERT_TRUE(ReadPresenceAnswer(kA + "\t1\n" + kB + "\t0\n", rows, p).ok());
  EXPECT_EQ(p.present, (std::unordered_set<std::string>{kA}));
  EXPECT_EQ(p.reused, (std::unordered_set<std::string>{kB}));
}

TEST(ReadPresenceAnswer, AnUnexpectedLineIsAnErrorNotAnAbsence) {
  std::vector<OutboxRow> rows = {Row(kA, "{}")};
  Presence p;
  EXPECT_EQ(ReadPresenceAnswer("garbage\n", rows, p).code(), StatusCode::kUnavailable);
  EXPECT_EQ(ReadPresenceAnswer(kB + "\t1\n", rows, p).code(),
            StatusCode::kUnavailable);  // an id we did not ask for
  EXPECT_EQ(ReadPresenceAnswer(kA + "\t2\n", rows, p).code(), StatusCode::kUnavailable);
}

TEST(PresenceAnswerCap, IsAShortLinePerIdWhateverTheRowsHold) {
  std::vector<OutboxRow> rows = {Row(kA, std::string(1 << 20, 'x'))};
  EXPECT_LT(PresenceAnswerCap(rows), size_t{100} << 10);
}

}  // namespace
}  // namespace eventlog
