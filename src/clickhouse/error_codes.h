#pragma once

// ClickHouse's server error codes that eventlog acts on, by the names ClickHouse gives them
// (src/Common/ErrorCodes.cpp), written once: the classifier reads these, nothing else does.
namespace eventlog::clickhouse_error {

// The data of the request (a row or a value).
inline constexpr int kCannotParseText = 6;
inline constexpr int kCannotParseEscapeSequence = 25;
inline constexpr int kCannotParseQuotedString = 26;
inline constexpr int kCannotParseInputAssertionFailed = 27;
inline constexpr int kCannotParseDate = 38;
inline constexpr int kCannotParseDateTime = 41;
inline constexpr int kTypeMismatch = 53;
inline constexpr int kArgumentOutOfBound = 69;
inline constexpr int kCannotConvertType = 70;
inline constexpr int kCannotParseNumber = 72;
inline constexpr int kIncorrectData = 117;
inline constexpr int kTooLargeStringSize = 131;
inline constexpr int kValueIsOutOfRangeOfDataType = 321;
inline constexpr int kCannotParseUuid = 376;
inline constexpr int kFunctionThrowIfValueIsNonZero = 395;
inline constexpr int kViolatedConstraint = 469;
inline constexpr int kStdException = 1001;  // while reading data

// Schema and access.
inline constexpr int kNoSuchColumnInTable = 16;
inline constexpr int kUnknownFunction = 46;
inline constexpr int kUnknownIdentifier = 47;
inline constexpr int kUnknownTable = 60;
inline constexpr int kSyntaxError = 62;
inline constexpr int kUnknownDatabase = 81;
inline constexpr int kUnknownSetting = 115;  // the server was replaced by an older one
inline constexpr int kReadonly = 164;
inline constexpr int kUnknownUser = 192;
inline constexpr int kWrongPassword = 193;
inline constexpr int kRequiredPassword = 194;
inline constexpr int kIpAddressNotAllowed = 195;
inline constexpr int kAccessDenied = 497;
inline constexpr int kAuthenticationFailed = 516;

// The request as a whole.
inline constexpr int kTimeoutExceeded = 159;  // the server's max_execution_time
inline constexpr int kTooBigAst = 168;
inline constexpr int kMemoryLimitExceeded = 241;
// TOO_MANY_PARTS ("merges are slower than inserts": overload) and, under the same number,
// TOO_MANY_PARTITIONS (max_partitions_per_insert_block); told apart by the message.
inline constexpr int kTooManyParts = 252;

// QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING: an earlier request with this query_id still runs.
inline constexpr int kQueryWithSameIdIsAlreadyRunning = 216;

}  // namespace eventlog::clickhouse_error
