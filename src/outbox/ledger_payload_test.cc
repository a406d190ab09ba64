#include "outbox/ledger_payload.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "testing/sample_rows.h"

using namespace std::string_literals;
using eventlog::testing::SampleRow;

namespace eventlog {
namespace {

TEST(LedgerPayload, RoundTrips) {
  OutboxRow awkward = SampleRow();
  awkward.event_type = "tab\there\\";
  awkward.environment = "";
  awkward.event_context = "nul\0 and \r\n and \\0"s;
  awkward.event_time_us = -1;
  awkward.metadata_version = std::numeric_limits<uint64_t>::max();
  OutboxRow empty_fields;
  empty_fields.event_id = SampleRow().event_id;
  std::vector<OutboxRow> rows = {SampleRow(), awkward, empty_fields};
  auto decoded = DecodeLedgerPayload(EncodeLedgerPayload(rows));
  EXPECT_TRUE(decoded.unreadable.empty());
  EXPECT_EQ(decoded.rows, rows);
}

// A line written before trace contexts (six fields) reads as an event without one.
TEST(LedgerPayload, ALineWithoutTraceFieldsReadsAsAnEventWithoutATrace) {
  OutboxRow row = SampleRow();
  auto decoded = DecodeLedgerPayload(row.event_id + "\tuser_created\t5\tTest\t{}\t1\n");
  ASSERT_EQ(decoded.rows.size(), 1u);
  EXPECT_TRUE(decoded.unreadable.empty());
  EXPECT_EQ(decoded.rows[0].event_time_us, 5);
  EXPECT_EQ(decoded.rows[0].trace_id, "");
  EXPECT_EQ(decoded.rows[0].span_id, "");
}

TEST(LedgerPayload, EmptyPayloadIsNoRows) {
  auto decoded = DecodeLedgerPayload(EncodeLedgerPayload({}));
  EXPECT_TRUE(decoded.rows.empty());
  EXPECT_TRUE(decoded.unreadable.empty());
}

// A damaged line is set apart with the reason; the rows around it still decode.
TEST(LedgerPayload, MalformedLinesAreSetApartNamingTheLine) {
  std::string good = EncodeLedgerPayload({SampleRow()});
  const std::string id = SampleRow().event_id;
  for (const std::string& bad :
       std::vector<std::string>{"only\ttwo", id + "\tb\tnot_a_time\td\te\t1",
                                id + "\tb\t1\td\te\t-1", id + "\tb\t1\td\te\t1\tx",
                                id + "\tb\t1\td\te\t1\tx\ty\tz", "not-a-uuid\tb\t1\td\te\t1"}) {
    auto decoded = DecodeLedgerPayload(good + bad + "\n" + good);
    EXPECT_EQ(decoded.rows, (std::vector<OutboxRow>{SampleRow(), SampleRow()})) << bad;
    ASSERT_EQ(decoded.unreadable.size(), 1u) << bad;
    EXPECT_EQ(decoded.unreadable[0].text, bad);
    EXPECT_NE(decoded.unreadable[0].error.find("line 2"), std::string::npos)
        << decoded.unreadable[0].error;
  }
}

}  // namespace
}  // namespace eventlog
