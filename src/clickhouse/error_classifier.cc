#include "clickhouse/error_classifier.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace eventlog {
namespace {

constexpr int kRejectedCodes[] = {
    6,     // CANNOT_PARSE_TEXT
    25,    // CANNOT_PARSE_ESCAPE_SEQUENCE
    26,    // CANNOT_PARSE_QUOTED_STRING
    27,    // CANNOT_PARSE_INPUT_ASSERTION_FAILED
    38,    // CANNOT_PARSE_DATE
    41,    // CANNOT_PARSE_DATETIME
    53,    // TYPE_MISMATCH
    69,    // ARGUMENT_OUT_OF_BOUND
    70,    // CANNOT_CONVERT_TYPE
    72,    // CANNOT_PARSE_NUMBER
    117,   // INCORRECT_DATA
    131,   // TOO_LARGE_STRING_SIZE
    321,   // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
    376,   // CANNOT_PARSE_UUID
    395,   // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO
    469,   // VIOLATED_CONSTRAINT
    1001,  // STD_EXCEPTION while reading data
};

constexpr int kPreconditionCodes[] = {
    16,   // NO_SUCH_COLUMN_IN_TABLE
    46,   // UNKNOWN_FUNCTION
    47,   // UNKNOWN_IDENTIFIER
    60,   // UNKNOWN_TABLE
    62,   // SYNTAX_ERROR
    81,   // UNKNOWN_DATABASE
    164,  // READONLY
    192,  // UNKNOWN_USER
    193,  // WRONG_PASSWORD
    194,  // REQUIRED_PASSWORD
    195,  // IP_ADDRESS_NOT_ALLOWED
    497,  // ACCESS_DENIED
    516,  // AUTHENTICATION_FAILED
};

template <size_t N>
bool Contains(const int (&codes)[N], int code) {
  return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
}

// The server's message without the C++ noise, short enough for a log line and a table cell.
std::string CleanMessage(std::string_view body) {
  std::string msg(body);
  for (const char* noise : {", e.what() = DB::Exception", "e.displayText() = "}) {
    if (auto p = msg.find(noise); p != std::string::npos)
      msg.erase(p, std::string_view(noise).size());
  }
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (msg.size() > 2000) msg = msg.substr(0, 2000) + "...";
  return msg;
}

}  // namespace

int ParseClickHouseCode(std::string_view body) {
  auto p = body.find("Code: ");
  if (p == std::string_view::npos) return 0;
  p += 6;
  int code = 0;
  auto [end, ec] = std::from_chars(body.data() + p, body.data() + body.size(), code);
  return ec == std::errc() ? code : 0;
}

size_t FindTrailingException(std::string_view body) {
  auto p = body.rfind("Code: ");
  if (p == std::string_view::npos || (p > 0 && body[p - 1] != '\n')) return std::string_view::npos;
  return body.find("Exception", p) == std::string_view::npos ? std::string_view::npos : p;
}

Status ClassifyClickHouseError(long http_status, int header_code, std::string_view body) {
  int code = header_code != 0 ? header_code : ParseClickHouseCode(body);
  std::string msg = CleanMessage(body);
  if (msg.empty()) msg = "HTTP " + std::to_string(http_status);
  if (code != 0) {
    if (Contains(kRejectedCodes, code)) return {StatusCode::kRejected, msg, code};
    if (Contains(kPreconditionCodes, code)) return {StatusCode::kFailedPrecondition, msg, code};
    return {StatusCode::kUnavailable, msg, code};
  }
  // No code: a proxy or load balancer answered. 413 means "too large": smaller parts may pass.
  if (http_status == 413) return {StatusCode::kRejected, msg};
  if (http_status == 401 || http_status == 403 || http_status == 404) {
    return {StatusCode::kFailedPrecondition, msg};
  }
  return {StatusCode::kUnavailable, msg};
}

}  // namespace eventlog
