#include "relay/batch_delivery.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "testing/relay_test_fixture.h"

namespace eventlog {
namespace {

using testing::kNetworkDown;
using testing::MakeRows;

// DeliverIsolatingRejects on its own.

class DeliverTest : public testing::RelayTest {
 protected:
  DeliveryReport Deliver(const std::vector<OutboxRow>& rows) {
    return DeliverIsolatingRejects(sink_, 1, rows, [&] {
      ++checks_;
      return Status::Ok();
    });
  }
  int checks_ = 0;
};

TEST_F(DeliverTest, IsolatesEachRejectedRowAndDeliversTheRest) {
  auto rows = MakeRows(100);
  sink_.RejectIf([&](const OutboxRow& r) {
    return r.event_id == rows[10].event_id || r.event_id == rows[77].event_id;
  });
  DeliveryReport report = Deliver(rows);
  EXPECT_TRUE(report.failure.ok());
  EXPECT_EQ(report.delivered, 98);
  ASSERT_EQ(report.rejected.size(), 2u);
  EXPECT_EQ(report.rejected[0].row, rows[10]);
  EXPECT_EQ(report.rejected[1].row, rows[77]);
  EXPECT_NE(report.rejected[0].error.find(rows[10].event_id), std::string::npos);
  EXPECT_TRUE(report.undelivered.empty());
  EXPECT_EQ(report.inserts, sink_.insert_calls());
  EXPECT_EQ(checks_, report.inserts);        // a lease check before every INSERT
  EXPECT_LE(report.inserts, 2 * 2 * 7 + 1);  // about 2 log2(n) per rejected row
  EXPECT_EQ(sink_.rows().size(), 98u);
}

TEST_F(DeliverTest, AFailureStopsTheSplitAndKeepsTheRestUndelivered) {
  auto rows = MakeRows(100);
  sink_.RejectIf([&](const OutboxRow& r) { return r.event_id == rows[60].event_id; });
  int calls = 0;
  sink_.SetBeforeInsert([&](const std::vector<OutboxRow>&) {
    if (++calls == 3) sink_.FailNextInserts(1, kNetworkDown);  // the right half fails
  });
  DeliveryReport report = Deliver(rows);
  EXPECT_EQ(report.failure.code(), StatusCode::kUnavailable);
  EXPECT_EQ(report.inserts, 3);
  EXPECT_EQ(report.delivered, 50);
  EXPECT_TRUE(report.rejected.empty());
  EXPECT_EQ(report.undelivered, std::vector<OutboxRow>(rows.begin() + 50, rows.end()));
}

TEST_F(DeliverTest, ALeaseCheckErrorSendsNothing) {
  auto rows = MakeRows(5);
  DeliveryReport report = DeliverIsolatingRejects(
      sink_, 1, rows, [] { return Status(StatusCode::kLeaseLost, "taken over"); });
  EXPECT_EQ(report.failure.code(), StatusCode::kLeaseLost);
  EXPECT_EQ(report.inserts, 0);
  EXPECT_EQ(sink_.insert_calls(), 0);
  EXPECT_EQ(report.undelivered, rows);
}

// A materialized view that throws fails the INSERT after the table took the block: the split
// must not send those rows again.
TEST_F(DeliverTest, RowsARejectedInsertWroteAnywayAreNotSentAgain) {
  auto rows = MakeRows(100);
  sink_.StoreRejectedBlocks(true);
  sink_.RejectIf([&](const OutboxRow& r) { return r.event_id == rows[42].event_id; });
  DeliveryReport report = Deliver(rows);
  EXPECT_TRUE(report.failure.ok()) << report.failure.ToString();
  EXPECT_EQ(report.inserts, 1);
  EXPECT_EQ(report.already_present, 100);
  EXPECT_EQ(report.delivered, 0);
  EXPECT_TRUE(report.rejected.empty());
  ExpectEachDeliveredOnce(rows);
  EXPECT_EQ(sink_.find_present_calls(), 1);
}

TEST_F(DeliverTest, TooLargeSplitsLikeARejectionAndASingleRowIsRejected) {
  auto rows = MakeRows(8);
  int calls = 0;
  sink_.SetBeforeInsert([&](const std::vector<OutboxRow>& sent) {
    ++calls;
    if (sent.size() > 2 || std::find(sent.begin(), sent.end(), rows[5]) != sent.end()) {
      sink_.FailNextInserts(1, Status(StatusCode::kTooLarge, "Too many partitions", 252,
                                      FailureCause::kRequestTooHeavy));
    }
  });
  DeliveryReport report = Deliver(rows);
  EXPECT_TRUE(report.failure.ok()) << report.failure.ToString();
  EXPECT_EQ(report.delivered, 7);
  ASSERT_EQ(report.rejected.size(), 1u);
  EXPECT_EQ(report.rejected[0].row, rows[5]);
  EXPECT_NE(report.rejected[0].error.find("too_large"), std::string::npos);
  EXPECT_EQ(calls, report.inserts);
}

// A server out of memory is not a reason to split a batch into thousands of one-row INSERTs or
// to dead-letter healthy rows: the delivery stops and the batch is retried (smaller) later.
TEST_F(DeliverTest, ServerStrainStopsTheDeliveryInsteadOfSplitting) {
  auto rows = MakeRows(64);
  const Status strains[] = {
      Status(StatusCode::kTooLarge, "Memory limit exceeded", 241, FailureCause::kServerStrain),
      Status(StatusCode::kUnavailable, "h:1: Timeout was reached", 0, FailureCause::kServerStrain)};
  for (const Status& strain : strains) {
    sink_.FailNextInserts(1, strain);
    DeliveryReport report = Deliver(rows);
    EXPECT_EQ(report.failure.cause(), FailureCause::kServerStrain);
    EXPECT_EQ(report.inserts, 1);
    EXPECT_TRUE(report.rejected.empty());
    EXPECT_EQ(report.undelivered, rows);
  }
}

// The relay decides by the cause the sink gives, never by a server code or a message: a
// "too large" the sink does not call strain splits the batch like any too-large request.
TEST_F(DeliverTest, OnlyTheCauseSaysServerStrain) {
  auto rows = MakeRows(4);
  sink_.FailNextInserts(1, Status(StatusCode::kTooLarge,
                                  "Memory limit exceeded (Timeout was "
                                  "reached)",
                                  241, FailureCause::kRequestTooHeavy));
  DeliveryReport report = Deliver(rows);
  EXPECT_TRUE(report.failure.ok()) << report.failure.ToString();
  EXPECT_EQ(report.delivered, 4);
  EXPECT_EQ(report.inserts, 3);  // the whole, then its two halves
}

TEST_F(DeliverTest, AFailedPresenceCheckAfterARejectionStopsTheDelivery) {
  auto rows = MakeRows(10);
  sink_.RejectIf([&](const OutboxRow& r) { return r.event_id == rows[3].event_id; });
  sink_.FailNextFindPresent(1, kNetworkDown);
  DeliveryReport report = Deliver(rows);
  EXPECT_EQ(report.failure.code(), StatusCode::kUnavailable);
  EXPECT_EQ(report.undelivered, rows);
  EXPECT_TRUE(report.rejected.empty());
  EXPECT_EQ(report.inserts, 1);
}

TEST_F(DeliverTest, SendsInsertsOfAtMostTheGivenRows) {
  auto rows = MakeRows(10);
  DeliveryReport report = DeliverIsolatingRejects(
      sink_, 1, rows, [] { return Status::Ok(); }, 4);
  EXPECT_EQ(report.delivered, 10);
  EXPECT_EQ(sink_.rows_per_insert(), (std::vector<size_t>{4, 4, 2}));
  EXPECT_EQ(sink_.rows(), rows);
}

}  // namespace
}  // namespace eventlog
