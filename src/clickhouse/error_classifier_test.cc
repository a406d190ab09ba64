#include "clickhouse/error_classifier.h"

#include <gtest/gtest.h>

#include <string>

#include "core/secrets.h"

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

TEST(ClassifyClickHouseError, MemoryLimitIsTooLarge) {
  Status s = ClassifyClickHouseError(
      500, 0,
      "Code: 241. DB::Exception: Memory limit (total) exceeded: would use 9.31 GiB. "
      "(MEMORY_LIMIT_EXCEEDED)");
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_EQ(s.server_code(), 241);
  EXPECT_FALSE(s.retryable());
}

TEST(ClassifyClickHouseError, HeavyRequestsAreTooLarge) {
  EXPECT_EQ(ClassifyClickHouseError(500, 168, "Code: 168. DB::Exception: AST is too big.").code(),
            StatusCode::kTooLarge);
  EXPECT_EQ(ClassifyClickHouseError(
                500, 0,
                "Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 5.0 "
                "seconds, maximum: 5, e.what() = DB::Exception")
                .code(),
            StatusCode::kTooLarge);
  Status s = ClassifyClickHouseError(413, 0, "Request Entity Too Large");
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_EQ(s.server_code(), 0);
}

TEST(ClassifyClickHouseError, TooManyPartitionsIsTooLargeButTooManyPartsIsOverload) {
  Status s = ClassifyClickHouseError(
      500, 252,
      "Code: 252. DB::Exception: Too many partitions for single INSERT block (more than 100). "
      "The limit is controlled by 'max_partitions_per_insert_block' setting. (TOO_MANY_PARTS)");
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_EQ(s.server_code(), 252);
  s = ClassifyClickHouseError(
      500, 252,
      "Code: 252. DB::Exception: Too many parts (300 with average size of 1.2 MiB) in table "
      "'db.event_log'. Merges are processing significantly slower than inserts. "
      "(TOO_MANY_PARTS)");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.retryable());
  s = ClassifyClickHouseError(
      500, 0,
      "Code: 252, e.displayText() = DB::Exception: Too many parts (300). Merges are processing "
      "significantly slower than inserts., e.what() = DB::Exception");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
}

TEST(CleanClickHouseMessage, CutsEchoedRowTextButKeepsCodeRowAndColumn) {
  // As ClickHouse 18.16 answers a FixedString(5) overflow and a garbled line.
  Status s = ClassifyClickHouseError(
      500, 0,
      "Code: 131, e.displayText() = DB::Exception: Too large value for FixedString(5): (at row "
      "1)\n\nRow 1:\nColumn 0,   name: id,  type: UUID,            parsed text: "
      "\"00000000-0000-0000-0000-000000000001\"\nColumn 1,   name: env, type: FixedString(5),  "
      "parsed text: \"SecretEmail@example.com\"ERROR\n\n, e.what() = DB::Exception\n");
  EXPECT_EQ(s.code(), StatusCode::kRejected);
  EXPECT_EQ(s.message().find("example.com"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("(at row 1)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("name: env, type: FixedString(5)"), std::string::npos);
  EXPECT_NE(s.message().find("\"SecretEmail@exam...\""), std::string::npos) << s.message();
  s = ClassifyClickHouseError(
      500, 0,
      "Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected \\t before: "
      "ab\\tSecretEmail@example.com\\t2020-01-01 00:00:00\\n: (at row 7)\n\nRow 7:\n"
      "ERROR: garbage after UUID: \"ab<TAB>SecretEmail@example.com\"\n");
  EXPECT_EQ(s.server_code(), 27);
  EXPECT_EQ(s.message().find("example.com"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("before: ab\\tSecretEmail@...: (at row 7)"), std::string::npos)
      << s.message();
}

TEST(CleanClickHouseMessage, BoundsLengthAndScrubsRegisteredSecrets) {
  RegisterSecret("ch-secret-Pa55word");
  std::string echoed =
      "Code: 62. DB::Exception: Syntax error near ch-secret-Pa55word " + std::string(5000, 'x');
  std::string msg = CleanClickHouseMessage(echoed);
  EXPECT_EQ(msg.find("ch-secret-Pa55word"), std::string::npos);
  EXPECT_LE(msg.size(), 2003u);
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
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
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

// The cause is the classifier's reading, carried as a field so the relay never parses codes or
// messages: one case per cause.
TEST(ClassifyClickHouseError, EachFailureCarriesItsCause) {
  struct Case {
    long http_status;
    int code;
    std::string_view body;
    StatusCode status;
    FailureCause cause;
  };
  const Case cases[] = {
      {500, 0, kUuid1816, StatusCode::kRejected, FailureCause::kData},
      {404, 60, "Code: 60. Table x doesn't exist", StatusCode::kFailedPrecondition,
       FailureCause::kSchema},
      {500, 241, "Code: 241. Memory limit exceeded", StatusCode::kTooLarge,
       FailureCause::kServerStrain},
      {500, 159, "Code: 159. Timeout exceeded", StatusCode::kTooLarge, FailureCause::kServerStrain},
      {500, 168, "Code: 168. AST is too big", StatusCode::kTooLarge,
       FailureCause::kRequestTooHeavy},
      {500, 252, "Code: 252. Too many partitions for single INSERT block", StatusCode::kTooLarge,
       FailureCause::kRequestTooHeavy},
      {500, 252, "Code: 252. Too many parts (300)", StatusCode::kUnavailable, FailureCause::kNode},
      {500, 216, "Code: 216. Query with id = b1 is already running", StatusCode::kUnavailable,
       FailureCause::kBatchInFlight},
      {500, 999, "Code: 999. Something new", StatusCode::kUnavailable, FailureCause::kNode},
      {413, 0, "Request Entity Too Large", StatusCode::kTooLarge, FailureCause::kRequestTooHeavy},
      {403, 0, "Forbidden", StatusCode::kFailedPrecondition, FailureCause::kSchema},
      {502, 0, "Bad Gateway", StatusCode::kUnavailable, FailureCause::kNode},
  };
  for (const Case& c : cases) {
    Status s = ClassifyClickHouseError(c.http_status, c.code, c.body);
    EXPECT_EQ(s.code(), c.status) << c.body;
    EXPECT_EQ(s.cause(), c.cause) << c.body << ": " << FailureCauseName(s.cause());
  }
}

}  // namespace
}  // namespace eventlog
