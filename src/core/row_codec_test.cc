#include "core/row_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

namespace eventlog {
namespace {

using namespace std::string_literals;

// 2024-02-29 12:34:56 UTC (a leap day), in microseconds.
constexpr int64_t kLeapDayUs = int64_t{1709210096} * 1000000;

std::string Escaped(std::string_view s) {
  std::string out;
  AppendTsvEscaped(out, s);
  return out;
}

TEST(Tsv, EscapesWhatClickHouseReadsSpecially) {
  EXPECT_EQ(Escaped("a\tb\nc\\d\re\0f"s), "a\\tb\\nc\\\\d\\re\\0f");
  EXPECT_EQ(Escaped("plain {\"json\": 1}"), "plain {\"json\": 1}");
  std::string out = "keep:";
  AppendTsvEscaped(out, "\t");
  EXPECT_EQ(out, "keep:\\t");  // appends
}

TEST(Tsv, RoundTripsEveryAwkwardCharacter) {
  for (const std::string& s :
       {""s, "\\"s, "\\\\t"s, "tab\there"s, "line\nbreak"s, "cr\r\n"s, "nul\0mid"s, "\0"s,
        "ends with backslash\\"s, "{\"k\":\"v\\\\n\"}"s, "unicode ü €"s}) {
    std::string e = Escaped(s);
    EXPECT_EQ(e.find('\t'), std::string::npos);
    EXPECT_EQ(e.find('\n'), std::string::npos);
    EXPECT_EQ(e.find('\0'), std::string::npos);
    EXPECT_EQ(TsvUnescape(e), s) << e;
  }
}

TEST(FormatUtcDateTime, Epoch) {
  EXPECT_EQ(FormatUtcDateTime(0, 0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatUtcDateTime(0, 6), "1970-01-01 00:00:00.000000");
}

TEST(FormatUtcDateTime, LeapDayAndPrecisions) {
  int64_t t = kLeapDayUs + 123456;
  EXPECT_EQ(FormatUtcDateTime(t, 0), "2024-02-29 12:34:56");
  EXPECT_EQ(FormatUtcDateTime(t, 3), "2024-02-29 12:34:56.123");  // truncated, not rounded
  EXPECT_EQ(FormatUtcDateTime(t, 6), "2024-02-29 12:34:56.123456");
  EXPECT_EQ(FormatUtcDateTime(t, 9), "2024-02-29 12:34:56.123456000");
  EXPECT_EQ(FormatUtcDateTime(kLeapDayUs + 999999, 3), "2024-02-29 12:34:56.999");
  EXPECT_EQ(FormatUtcDateTime(kLeapDayUs + 7, 6), "2024-02-29 12:34:56.000007");
}

TEST(FormatUtcDateTime, DayAndYearBoundaries) {
  EXPECT_EQ(FormatUtcDateTime(kLeapDayUs + (11 * 3600 + 25 * 60 + 4) * int64_t{1000000}, 0),
            "2024-03-01 00:00:00");
  EXPECT_EQ(FormatUtcDateTime(int64_t{1704067199} * 1000000 + 999999, 6),
            "2023-12-31 23:59:59.999999");
  EXPECT_EQ(FormatUtcDateTime(int64_t{4291747199} * 1000000, 0), "2105-12-31 23:59:59");
}

OutboxRow SampleRow() {
  return {.event_id = "01890a5d-ac96-774b-bcce-b302099a8057",
          .event_type = "user_created",
          .event_time_us = kLeapDayUs + 123456,
          .environment = "Test",
          .event_context = "{\"note\":\"a\\tb\"}\t\n",
          .metadata_version = 2,
          .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
          .span_id = "00f067aa0ba902b7"};
}

TEST(EncodeForClickHouse, DateTimeHasWholeSeconds) {
  EXPECT_EQ(
      EncodeForClickHouse({SampleRow()}, TimeColumn{false, 0}),
      "01890a5d-ac96-774b-bcce-b302099a8057\tuser_created\t2024-02-29 12:34:56\tTest\t"
      "{\"note\":\"a\\\\tb\"}\\t\\n\t2\t4bf92f3577b34da6a3ce929d0e0e4736\t00f067aa0ba902b7\n");
}

TEST(EncodeForClickHouse, DateTime64KeepsMicroseconds) {
  EXPECT_EQ(EncodeForClickHouse({SampleRow()}, TimeColumn{true, 6}),
            "01890a5d-ac96-774b-bcce-b302099a8057\tuser_created\t2024-02-29 12:34:56.123456\t"
            "Test\t{\"note\":\"a\\\\tb\"}\\t\\n\t2\t4bf92f3577b34da6a3ce929d0e0e4736\t"
            "00f067aa0ba902b7\n");
  EXPECT_NE(EncodeForClickHouse({SampleRow()}, TimeColumn{true, 3}).find("12:34:56.123\t"),
            std::string::npos);
}

TEST(EncodeForClickHouse, OneLinePerRow) {
  std::string tsv = EncodeForClickHouse({SampleRow(), SampleRow(), SampleRow()}, TimeColumn{});
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), 3);
  EXPECT_EQ(EncodeForClickHouse({}, TimeColumn{}), "");
}

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

TEST(ParseTimeColumnType, ReadsClickHouseTypeNames) {
  auto t = ParseTimeColumnType("DateTime64(6, 'UTC')");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->is_datetime64);
  EXPECT_EQ(t->precision, 6);

  t = ParseTimeColumnType("DateTime64(3)");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->is_datetime64);
  EXPECT_EQ(t->precision, 3);

  t = ParseTimeColumnType("DateTime64");  // ClickHouse's default precision
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->is_datetime64);
  EXPECT_EQ(t->precision, 3);

  t = ParseTimeColumnType("DateTime('UTC')");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->is_datetime64);

  t = ParseTimeColumnType("DateTime");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->is_datetime64);
}

TEST(ParseTimeColumnType, RefusesOtherTypes) {
  for (const char* type : {"String", "UInt64", "DateTime64(x)", "DateTime64(12)"}) {
    auto t = ParseTimeColumnType(type);
    ASSERT_FALSE(t.ok()) << type;
    EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(t.status().message().find(type), std::string::npos) << t.status().message();
  }
}

}  // namespace
}  // namespace eventlog
