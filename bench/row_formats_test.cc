#include "bench/row_formats.h"

#include <gtest/gtest.h>

namespace eventlog::bench {
namespace {

using namespace std::string_literals;

// What ClickHouse 18.16 answers to `SELECT u FROM t FORMAT RowBinary` for this UUID (checked by
// hand): each 64-bit half little-endian.
constexpr const char* kUuidText = "01234567-89ab-cdef-0123-456789abcdef";
const std::string kUuidBytes = "\xef\xcd\xab\x89\x67\x45\x23\x01\xef\xcd\xab\x89\x67\x45\x23\x01"s;

OutboxRow Row() {
  OutboxRow r;
  r.event_id = kUuidText;
  r.event_type = "user_created";
  r.event_time_us = 1767323045'123456;  // 2026-01-02 03:04:05.123456 UTC
  r.environment = "test";
  r.event_context = "{\"a\":\"\\t\"}";
  r.metadata_version = 258;
  r.trace_id = "";
  r.span_id = "s";
  return r;
}

TEST(RowFormatsTest, UuidIsTwoLittleEndianHalves) {
  std::string out;
  ASSERT_TRUE(AppendUuid(out, kUuidText).ok());
  EXPECT_EQ(out, kUuidBytes);
  out.clear();
  ASSERT_TRUE(AppendUuid(out, "01234567-89AB-CDEF-0123-456789ABCDEF").ok());
  EXPECT_EQ(out, kUuidBytes);
}

TEST(RowFormatsTest, RefusesWhatIsNotAUuid) {
  for (const char* bad :
       {"", "01234567-89ab-cdef-0123-456789abcde", "0123456789ab-cdef-0123-456789abcdef0",
        "01234567-89ab-cdef-0123-456789abcdeg", "01234567+89ab-cdef-0123-456789abcdef"}) {
    std::string out = "kept";
    Status s = AppendUuid(out, bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(out, "kept") << bad;
  }
}

TEST(RowFormatsTest, VarUIntIsLeb128) {
  auto varint = [](uint64_t v) {
    std::string out;
    AppendVarUInt(out, v);
    return out;
  };
  EXPECT_EQ(varint(0), "\x00"s);
  EXPECT_EQ(varint(127), "\x7f"s);
  EXPECT_EQ(varint(128), "\x80\x01"s);
  EXPECT_EQ(varint(300), "\xac\x02"s);
  EXPECT_EQ(varint(UINT64_MAX), "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s);
}

TEST(RowFormatsTest, RowBinaryOfOneRow) {
  auto body = EncodeRows(RowFormat::kRowBinary, {Row()}, TimeColumn{false, 0});
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  std::string expected = kUuidBytes + "\x0cuser_created"s +
                         "\xa5\x35\x57\x69"s +  // 1767323045 as UInt32 LE
                         "\x04test"s + "\x0a{\"a\":\"\\t\"}"s +
                         "\x02\x01\x00\x00\x00\x00\x00\x00"s +  // 258 as UInt64 LE
                         "\x00"s + "\x01s"s;
  EXPECT_EQ(body.value(), expected);
}

TEST(RowFormatsTest, DateTime64IsTicksOfItsPrecision) {
  OutboxRow r = Row();
  r.event_time_us = 1234567891;  // 1234.567891 s
  auto ms = EncodeRows(RowFormat::kRowBinary, {r}, TimeColumn{true, 3});
  auto ns = EncodeRows(RowFormat::kRowBinary, {r}, TimeColumn{true, 9});
  ASSERT_TRUE(ms.ok() && ns.ok());
  const size_t at = 16 + 13;  // after the UUID and event_type
  EXPECT_EQ(ms.value().substr(at, 8), "\x87\xd6\x12\x00\x00\x00\x00\x00"s);  // 1234567
  EXPECT_EQ(ns.value().substr(at, 8), "\x38\x08\xfb\x71\x1f\x01\x00\x00"s);  // 1234567891000
}

TEST(RowFormatsTest, NativeIsOneBlockOfColumns) {
  OutboxRow second = Row();
  second.event_type = "b";
  auto body = EncodeRows(RowFormat::kNative, {Row(), second}, TimeColumn{false, 0});
  ASSERT_TRUE(body.ok());
  std::string head =
      "\x08\x02\x08"
      "event_id\x04UUID"s +
      kUuidBytes + kUuidBytes +
      "\x0a"
      "event_type\x06String\x0cuser_created\x01"
      "b"s +
      "\x0f"
      "event_date_time\x08"
      "DateTime"s;
  EXPECT_EQ(body.value().substr(0, head.size()), head);
  EXPECT_NE(body.value().find("\x10metadata_version\x06UInt64\x02\x01\0\0\0\0\0\0"s),
            std::string::npos);
}

TEST(RowFormatsTest, TabSeparatedIsTheRelaysEncoding) {
  auto body = EncodeRows(RowFormat::kTabSeparated, {Row()}, TimeColumn{false, 0});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body.value(), EncodeForClickHouse({Row()}, TimeColumn{false, 0}));
  EXPECT_STREQ(FormatName(RowFormat::kNative), "Native");
}

TEST(RowFormatsTest, BadEventIdFailsEveryBinaryFormat) {
  OutboxRow r = Row();
  r.event_id = "x";
  EXPECT_FALSE(EncodeRows(RowFormat::kRowBinary, {r}, TimeColumn{}).ok());
  EXPECT_FALSE(EncodeRows(RowFormat::kNative, {r}, TimeColumn{}).ok());
}

}  // namespace
}  // namespace eventlog::bench
