#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "testing/relay_test_fixture.h"

namespace eventlog {
namespace {

using std::chrono::milliseconds;
using testing::kNetworkDown;
using testing::MakeRows;
using testing::StoreMethod;

// RunRelayStep against the fakes: one claim -> insert -> mark per call.

using RelayStepTest = testing::RelayTest;

TEST_F(RelayStepTest, HappyPathInsertsOnceAndCompletes) {
  auto rows = MakeRows(10);
  store_.Add(rows);
  StepOutcome o = Step();
  EXPECT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_TRUE(o.claimed);
  EXPECT_FALSE(o.full_batch);
  EXPECT_EQ(o.rows, 10);
  EXPECT_EQ(o.delivered, 10);
  EXPECT_EQ(o.inserts, 1);
  EXPECT_EQ(sink_.rows(), rows);  // in outbox order
  EXPECT_TRUE(store_.batches().empty());
  EXPECT_TRUE(store_.pending_rows().empty());
  EXPECT_EQ(store_.delivered(), 10);
  EXPECT_FALSE(Step().claimed);
}

TEST_F(RelayStepTest, SplitsABacklogIntoInsertsOfAtMostBatchSize) {
  auto rows = MakeRows(250);
  store_.Add(rows);
  std::vector<bool> full;
  for (int i = 0; i < 3; ++i) {
    StepOutcome o = Step();
    ASSERT_TRUE(o.claimed);
    EXPECT_TRUE(o.error.ok()) << o.error.ToString();
    full.push_back(o.full_batch);
  }
  EXPECT_FALSE(Step().claimed);
  EXPECT_EQ(full, (std::vector<bool>{true, true, false}));
  EXPECT_EQ(sink_.rows_per_insert(), (std::vector<size_t>{100, 100, 50}));
  EXPECT_EQ(sink_.rows(), rows);
  EXPECT_EQ(store_.delivered(), 250);
}

TEST_F(RelayStepTest, RetryableFailureKeepsRowsInTheLedgerUntilTheRetryIsDue) {
  auto rows = MakeRows(10);
  store_.Add(rows);
  sink_.FailNextInserts(1, kNetworkDown);
  StepOutcome o = Step();
  EXPECT_EQ(o.error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(o.delivered, 0);

  auto batches = store_.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].rows, rows);
  EXPECT_EQ(batches[0].attempts, 1);
  EXPECT_EQ(batches[0].rejections, 0);
  EXPECT_FALSE(batches[0].owned);
  EXPECT_NE(batches[0].last_error.find("Connection refused"), std::string::npos);
  auto wait = batches[0].lease_until - clock_.Now();
  EXPECT_GE(wait, policy_.retry_base / 2);  // attempt 1: [base/2, base]
  EXPECT_LE(wait, policy_.retry_base);
  EXPECT_TRUE(store_.dead_letters().empty());
  EXPECT_EQ(store_.pending_rows(), rows);

  EXPECT_FALSE(Step().claimed);  // not due yet
  PassRetryDelay();
  o = Step();
  EXPECT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_EQ(o.delivered, 10);
  ExpectEachDeliveredOnce(rows);
  EXPECT_EQ(sink_.rows().size(), rows.size());
  EXPECT_TRUE(store_.pending_rows().empty());
  EXPECT_EQ(store_.delivered(), 10);
}

TEST_F(RelayStepTest, InsertThatLandedButLostItsResponseIsNotSentTwice) {
  auto rows = MakeRows(10);
  store_.Add(rows);
  sink_.LoseNextResponses(1);
  EXPECT_EQ(Step().error.code(), StatusCode::kUnavailable);
  ASSERT_EQ(store_.batches().size(), 1u);

  PassRetryDelay();
  StepOutcome o = Step();
  EXPECT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_EQ(o.already_present, 10);
  EXPECT_EQ(o.inserts, 0);
  EXPECT_EQ(sink_.insert_calls(), 1);
  ExpectEachDeliveredOnce(rows);
  EXPECT_EQ(sink_.rows().size(), rows.size());
  EXPECT_TRUE(store_.batches().empty());
  EXPECT_EQ(store_.delivered(), 10);  // counted once
}

TEST_F(RelayStepTest, PoisonedRowIsIsolatedAndDeadLetteredOnTheLastAttemptOnly) {
  auto rows = MakeRows(100);
  const std::string poison = rows[37].event_id;
  sink_.RejectIf([&](const OutboxRow& r) { return r.event_id == poison; }, "Cannot parse uuid");
  store_.Add(rows);

  StepOutcome o = Step();
  EXPECT_EQ(o.error.code(), StatusCode::kRejected);
  EXPECT_EQ(o.delivered, 99);
  EXPECT_EQ(o.dead_lettered, 0);
  EXPECT_EQ(sink_.rows().size(), 99u);
  EXPECT_EQ(sink_.CountOf(poison), 0);
  auto batches = store_.batches();
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].rows.size(), 1u);
  EXPECT_EQ(batches[0].rows[0].event_id, poison);
  EXPECT_EQ(batches[0].rejections, 1);
  EXPECT_EQ(store_.delivered(), 99);

  for (int rejection = 2; rejection < policy_.max_attempts; ++rejection) {
    PassRetryDelay();
    o = Step();
    EXPECT_EQ(o.error.code(), StatusCode::kRejected);
    EXPECT_TRUE(store_.dead_letters().empty()) << "dead-lettered on rejection " << rejection;
    ASSERT_EQ(store_.batches().size(), 1u);
    EXPECT_EQ(store_.batches()[0].rejections, rejection);
  }

  PassRetryDelay();
  o = Step();
  EXPECT_EQ(o.dead_lettered, 1);
  EXPECT_TRUE(o.error.ok()) << o.error.ToString();
  auto dead = store_.dead_letters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].row, rows[37]);
  EXPECT_NE(dead[0].error.find("Cannot parse uuid"), std::string::npos) << dead[0].error;
  EXPECT_NE(dead[0].error.find(poison), std::string::npos) << dead[0].error;
  EXPECT_TRUE(store_.batches().empty());
  EXPECT_TRUE(store_.pending_rows().empty());
  EXPECT_EQ(store_.delivered(), 99);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i != 37) {
      EXPECT_EQ(sink_.CountOf(rows[i].event_id), 1) << i;
    }
  }
}

TEST_F(RelayStepTest, UnknownTableNeverDeadLetters) {
  auto rows = MakeRows(5);
  store_.Add(rows);
  sink_.FailNextInserts(
      2 * policy_.max_attempts,
      Status(StatusCode::kFailedPrecondition, "Code: 60. Table default.x doesn't exist", 60));
  for (int i = 0; i < 2 * policy_.max_attempts; ++i) {
    EXPECT_EQ(Step().error.code(), StatusCode::kFailedPrecondition);
    EXPECT_TRUE(store_.dead_letters().empty()) << "after failure " << i + 1;
    EXPECT_EQ(store_.pending_rows(), rows);
    PassRetryDelay();
  }
  ASSERT_EQ(store_.batches().size(), 1u);
  EXPECT_EQ(store_.batches()[0].attempts, 2 * policy_.max_attempts);
  EXPECT_EQ(store_.batches()[0].rejections, 0);

  EXPECT_TRUE(Step().error.ok());  // the table is back
  ExpectEachDeliveredOnce(rows);
  EXPECT_TRUE(store_.dead_letters().empty());
}

TEST_F(RelayStepTest, LeaseLostMidDeliveryLeavesTheBatchAlone) {
  auto rows = MakeRows(100);
  sink_.RejectIf([&](const OutboxRow& r) { return r.event_id == rows[0].event_id; });
  store_.Add(rows);
  // While the first INSERT is in flight, the lease runs out and another relay takes over.
  std::optional<Batch> thief;
  sink_.SetBeforeInsert([&](const std::vector<OutboxRow>&) {
    if (thief) return;
    store_.ExpireAllLeases();
    auto claimed = store_.Claim(policy_.batch_size);
    ASSERT_TRUE(claimed.ok());
    thief = *claimed;
  });

  StepOutcome o = Step();
  ASSERT_TRUE(thief.has_value());
  EXPECT_EQ(o.error.code(), StatusCode::kLeaseLost);
  EXPECT_EQ(o.inserts, 1);  // the split stops at the next lease check
  EXPECT_EQ(store_.calls(StoreMethod::kComplete), 0);
  EXPECT_EQ(store_.calls(StoreMethod::kRelease), 0);
  auto batches = store_.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].lease_token, thief->lease_token);
  EXPECT_EQ(batches[0].rows, rows);
  EXPECT_EQ(batches[0].attempts, 0);
  EXPECT_EQ(batches[0].rejections, 0);
  EXPECT_TRUE(store_.dead_letters().empty());
  EXPECT_TRUE(store_.Complete(*thief, 0, {}).ok());  // still the thief's to finish
}

TEST_F(RelayStepTest, LeaseLostBeforeTheFirstInsertSendsNothing) {
  store_.Add(MakeRows(3));
  store_.FailNext(StoreMethod::kRenew, 1, Status(StatusCode::kLeaseLost, "taken over"));
  StepOutcome o = Step();
  EXPECT_EQ(o.error.code(), StatusCode::kLeaseLost);
  EXPECT_EQ(sink_.insert_calls(), 0);
  EXPECT_EQ(store_.calls(StoreMethod::kRelease), 0);
  EXPECT_EQ(store_.calls(StoreMethod::kComplete), 0);
}

TEST_F(RelayStepTest, BatchOfACrashedRelayIsTakenOverAndDeliveredOnce) {
  auto rows = MakeRows(20);
  store_.Add(rows);
  auto crashed = store_.Claim(policy_.batch_size);  // claimed, then the relay died
  ASSERT_TRUE(crashed.ok() && crashed->has_value());

  EXPECT_FALSE(Step().claimed);  // the lease still holds
  clock_.Advance(milliseconds(30001));
  StepOutcome o = Step();
  EXPECT_TRUE(o.claimed);
  EXPECT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_EQ(o.batch_id, (*crashed)->batch_id);
  EXPECT_EQ(o.delivered, 20);
  EXPECT_EQ(sink_.find_present_calls(), 1);  // a recovered batch is checked first
  ExpectEachDeliveredOnce(rows);
  EXPECT_EQ(sink_.rows().size(), rows.size());
  // The dead relay, were it to wake, is fenced off.
  EXPECT_EQ(store_.Complete(**crashed, 20, {}).code(), StatusCode::kLeaseLost);
  EXPECT_EQ(store_.delivered(), 20);
}

TEST_F(RelayStepTest, BatchInsertedByARelayThatCrashedBeforeMarkingIsNotResent) {
  auto rows = MakeRows(20);
  store_.Add(rows);
  auto crashed = store_.Claim(policy_.batch_size);
  ASSERT_TRUE(crashed.ok() && crashed->has_value());
  ASSERT_TRUE(sink_.Insert(0, std::vector<OutboxRow>(rows.begin(), rows.begin() + 12)).ok());
  store_.ExpireAllLeases();

  StepOutcome o = Step();
  EXPECT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_EQ(o.already_present, 12);
  EXPECT_EQ(o.delivered, 8);
  EXPECT_EQ(sink_.rows_per_insert(), (std::vector<size_t>{12, 8}));
  ExpectEachDeliveredOnce(rows);
  EXPECT_EQ(store_.delivered(), 20);
}

TEST_F(RelayStepTest, FailedPresenceCheckGivesTheBatchBackUntouched) {
  auto rows = MakeRows(4);
  store_.Add(rows);
  ASSERT_TRUE(store_.Claim(policy_.batch_size).ok());
  store_.ExpireAllLeases();
  sink_.FailNextFindPresent(1, kNetworkDown);

  StepOutcome o = Step();
  EXPECT_EQ(o.error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(sink_.insert_calls(), 0);
  ASSERT_EQ(store_.batches().size(), 1u);
  EXPECT_EQ(store_.batches()[0].rows, rows);
  EXPECT_FALSE(store_.batches()[0].owned);

  PassRetryDelay();
  EXPECT_TRUE(Step().error.ok());
  ExpectEachDeliveredOnce(rows);
}

// A batch whose INSERT keeps timing out is sent in smaller parts, not unchanged forever.
TEST_F(RelayStepTest, RepeatedTimeoutsShrinkTheInserts) {
  auto rows = MakeRows(64);
  store_.Add(rows);
  const Status timeout(StatusCode::kUnavailable, "ClickHouse at h:1: Timeout was reached", 0,
                       FailureCause::kServerStrain);
  std::vector<size_t> tried;
  sink_.SetBeforeInsert([&](const std::vector<OutboxRow>& sent) {
    tried.push_back(sent.size());
    if (sent.size() > 16) sink_.FailNextInserts(1, timeout);
  });
  for (int i = 0; i < 6 && !store_.pending_rows().empty(); ++i) {
    Step();
    PassRetryDelay();
  }
  EXPECT_TRUE(store_.pending_rows().empty());
  ExpectEachDeliveredOnce(rows);
  EXPECT_EQ(tried, (std::vector<size_t>{64, 64, 32, 16, 16, 16, 16}));
  EXPECT_TRUE(store_.dead_letters().empty());
}

// Only timeouts shrink a batch: after an outage the batch still goes as one INSERT.
TEST_F(RelayStepTest, ConnectionErrorsDoNotShrinkTheInserts) {
  auto rows = MakeRows(64);
  store_.Add(rows);
  sink_.FailNextInserts(4, kNetworkDown);
  for (int i = 0; i < 6 && !store_.pending_rows().empty(); ++i) {
    Step();
    PassRetryDelay();
  }
  EXPECT_TRUE(store_.pending_rows().empty());
  EXPECT_EQ(sink_.rows_per_insert(), (std::vector<size_t>{64, 64, 64, 64, 64}));
}

// Two events under one event_id: the first is delivered, the other becomes a dead letter that
// says why, so ClickHouse never holds two rows under one id and no event is dropped.
TEST_F(RelayStepTest, ReusedEventIdIsDeadLetteredNotSentTwiceNorDropped) {
  auto rows = MakeRows(4);
  OutboxRow twin = rows[1];
  twin.event_context = R"({"other":"event"})";
  store_.Add({rows[0], rows[1], twin, rows[2], rows[3]});
  StepOutcome o = Step();
  EXPECT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_EQ(o.dead_lettered, 1);
  ExpectEachDeliveredOnce(rows);
  ASSERT_EQ(store_.dead_letters().size(), 1u);
  EXPECT_EQ(store_.dead_letters()[0].row, twin);
  EXPECT_NE(store_.dead_letters()[0].error.find("reused"), std::string::npos);
  EXPECT_TRUE(store_.pending_rows().empty());
}

// A reused id in a batch that must be retried leaves it as a dead letter at once too.
TEST_F(RelayStepTest, ReusedEventIdLeavesABatchThatIsGivenBack) {
  auto rows = MakeRows(2);
  store_.Add({rows[0], rows[0], rows[1]});
  sink_.FailNextInserts(1, kNetworkDown);
  Step();
  EXPECT_EQ(store_.dead_letters().size(), 1u);
  EXPECT_EQ(store_.pending_rows().size(), 2u);
  PassRetryDelay();
  EXPECT_TRUE(Step().error.ok());
  ExpectEachDeliveredOnce(rows);
  EXPECT_EQ(store_.dead_letters().size(), 1u);
}

// On recovery, ClickHouse holding a *different* event under one of the batch's ids means the id
// was reused: that row becomes a dead letter instead of being skipped as "present".
TEST_F(RelayStepTest, RecoveryTellsAReusedIdFromARowAlreadyDelivered) {
  auto rows = MakeRows(3);
  OutboxRow other = rows[1];
  other.event_context = R"({"another":"event"})";
  ASSERT_TRUE(sink_.Insert(0, {other}).ok());
  store_.Add(rows);
  sink_.FailNextInserts(1, kNetworkDown);
  Step();  // the INSERT fails: its outcome is unknown, so the batch is rechecked
  PassRetryDelay();
  StepOutcome o = Step();
  EXPECT_TRUE(o.error.ok()) << o.error.ToString();
  EXPECT_EQ(o.dead_lettered, 1);
  EXPECT_EQ(sink_.CountOf(rows[0].event_id), 1);
  EXPECT_EQ(sink_.CountOf(rows[2].event_id), 1);
  EXPECT_EQ(sink_.CountOf(rows[1].event_id), 1);  // only the other event
  ASSERT_EQ(store_.dead_letters().size(), 1u);
  EXPECT_EQ(store_.dead_letters()[0].row, rows[1]);
  EXPECT_NE(store_.dead_letters()[0].error.find("reused"), std::string::npos);
}

TEST_F(RelayStepTest, ClaimErrorIsReported) {
  store_.FailNext(StoreMethod::kClaim, 1, kNetworkDown);
  StepOutcome o = Step();
  EXPECT_FALSE(o.claimed);
  EXPECT_EQ(o.error.code(), StatusCode::kUnavailable);
}

// Issue 7, item 16: a dead-letter log line names at most 10 event ids, however many rows go
// (the dead-letter table has them all).
TEST_F(RelayStepTest, DeadLetterLogLineListsAtMostTenIds) {
  std::ostringstream out;
  log::Init(LogFormat::kJson, "info", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  auto rows = MakeRows(40);
  sink_.RejectIf([](const OutboxRow&) { return true; }, "Cannot parse input");
  store_.Add(rows);
  for (int attempt = 0; attempt < policy_.max_attempts; ++attempt) {
    Step();
    PassRetryDelay();
  }
  EXPECT_EQ(store_.dead_letters().size(), 40u);
  int lines_with_ids = 0;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || j.value("message", "") != "events dead-lettered") continue;
    ++lines_with_ids;
    EXPECT_EQ(j.value("count", 0), 40) << line;
    ASSERT_TRUE(j.contains("event_ids")) << line;
    EXPECT_EQ(j["event_ids"].size(), 10u) << line;
  }
  EXPECT_EQ(lines_with_ids, 1) << out.str();
}

}  // namespace
}  // namespace eventlog
