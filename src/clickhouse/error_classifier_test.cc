#include "clickhouse/error_classifier.h"

#include <gtest/gtest.h>

#include <string>

namespace eventlog {
namespace {

constexpr std::string_view kUuid1816 =
    "Code: 376, e.displayText() = DB::Exception: Cannot parse uuid 123-not-a-uuid: (at row 1)\n"
    ", e.what() = DB::Exception\n";

TEST(ClassifyClickHouseError, Old1816ParseErrorWith500IsRejected) {
  Status s = ClassifyClickHouseError(500, 0, kUuid1816);
  EXPECT_EQ(s.code(), StatusCode::kRejected);
  EXPECT_EQ(s.server_code(), 376);
  EXPECT_FALSE(s.retryable());
  EXPECT_NE(s.message().find("Cannot parse uuid 123-not-a-uuid"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("e.what()"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("e.displayText()"), std::string::npos) << s.message();
}

TEST(ClassifyClickHouseError, UnknownTableIsAFailedPrecondition) {
  Status s = ClassifyClickHouseError(
      404, 60,
      "Code: 60. DB::Exception: Table default.x doesn't exist. (UNKNOWN_TABLE) (version "
      "24.3.1.1)\n");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.server_code(), 60);
  EXPECT_NE(s.message().find("Table default.x doesn't exist"), std::string::npos);
  // Modern body, no header: the body's code still counts.
  s = ClassifyClickHouseError(
      404, 0, "Code: 60. DB::Exception: Table default.x doesn't exist. (UNKNOWN_TABLE)");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.server_code(), 60);
}

TEST(ClassifyClickHouseError, HeaderCodeWinsOverBody) {
  Status s = ClassifyClickHouseError(500, 60, kUuid1816);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.server_code(), 60);
  s = ClassifyClickHouseError(500, 376, "Code: 241. DB::Exception: Memory limit exceeded");
  EXPECT_EQ(s.code(), StatusCode::kRejected);
  EXPECT_EQ(s.server_code(), 376);
}

TEST(ClassifyClickHouseError, MemoryLimitIsRetryable) {
  Status s = ClassifyClickHouseError(
      500, 0,
      "Code: 241. DB::Exception: Memory limit (total) exceeded: would use 9.31 GiB. "
      "(MEMORY_LIMIT_EXCEEDED)");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.server_code(), 241);
  EXPECT_TRUE(s.retryable());
}

TEST(ClassifyClickHouseError, UnknownCodeIsRetryable) {
  Status s = ClassifyClickHouseError(500, 999999, "");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.server_code(), 999999);
}

TEST(ClassifyClickHouseError, ProxyErrorsWithoutCodeGoByHttpStatus) {
  Status s = ClassifyClickHouseError(502, 0, "<html>Bad Gateway</html>");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.server_code(), 0);
  s = ClassifyClickHouseError(503, 0, "");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("503"), std::string::npos) << s.message();
  s = ClassifyClickHouseError(413, 0, "Request Entity Too Large");
  EXPECT_EQ(s.code(), StatusCode::kRejected);
  s = ClassifyClickHouseError(401, 0, "Unauthorized");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  s = ClassifyClickHouseError(403, 0, "Forbidden");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
}

TEST(ClassifyClickHouseError, AuthFailuresAreFailedPreconditions) {
  Status s = ClassifyClickHouseError(
      516, 516,
      "Code: 516. DB::Exception: default: Authentication failed: password is incorrect, or "
      "there is no user with such name. (AUTHENTICATION_FAILED)");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.server_code(), 516);
  s = ClassifyClickHouseError(
      500, 0,
      "Code: 192, e.displayText() = DB::Exception: Unknown user bob, e.what() = DB::Exception");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.server_code(), 192);
}

TEST(ParseClickHouseCode, ReadsBothBodyShapes) {
  EXPECT_EQ(ParseClickHouseCode(kUuid1816), 376);
  EXPECT_EQ(ParseClickHouseCode("Code: 60. DB::Exception: ..."), 60);
  EXPECT_EQ(ParseClickHouseCode("Bad Gateway"), 0);
  EXPECT_EQ(ParseClickHouseCode("Code: x"), 0);
}

TEST(FindTrailingException, FindsAnExceptionAfterAStreamedResult) {
  std::string body =
      "01890a5d-ac96-774b-bcce-b302099a8057\n"
      "01890a5d-ac96-774b-bcce-b302099a8058\n";
  size_t start = body.size();
  body += "Code: 241. DB::Exception: Memory limit (for query) exceeded. (MEMORY_LIMIT_EXCEEDED)\n";
  EXPECT_EQ(FindTrailingException(body), start);
  EXPECT_EQ(ParseClickHouseCode(std::string_view(body).substr(start)), 241);
}

TEST(FindTrailingException, CleanResultHasNone) {
  EXPECT_EQ(FindTrailingException("01890a5d-ac96-774b-bcce-b302099a8057\n"
                                  "01890a5d-ac96-774b-bcce-b302099a8058\n"),
            std::string_view::npos);
  EXPECT_EQ(FindTrailingException(""), std::string_view::npos);
  // "Code: " inside a value, not at a line start, is data.
  EXPECT_EQ(FindTrailingException("{\"text\":\"Code: 1 Exception\"}\n"), std::string_view::npos);
}

TEST(FindTrailingException, ABodyThatIsOnlyAnExceptionStartsAtZero) {
  EXPECT_EQ(FindTrailingException("Code: 60. DB::Exception: Table x doesn't exist."), 0u);
}

}  // namespace
}  // namespace eventlog
